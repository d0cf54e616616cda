"""JSON Schema of every file kind, generated from the pydantic models (so it cannot drift)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from fiscal.inputs import IndicatorFile, NationalFile
from fiscal.rules.models import ParameterFile, RegionsFile, Rule, RulesetManifest

_MODELS: dict[str, Any] = {
    "ruleset": RulesetManifest,
    "regions": RegionsFile,
    "parameter": ParameterFile,
    "rule": Rule,
    "national": NationalFile,
    "indicator": IndicatorFile,
}
SCHEMA_KINDS = ("all", *_MODELS)


def json_schema(kind: str) -> dict[str, Any]:
    if kind != "all":
        schema = TypeAdapter(_MODELS[kind]).json_schema()
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    defs: dict[str, Any] = {}
    for name, model in _MODELS.items():
        schema = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[f"{name}_file"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fiscal rule and input files",
        "anyOf": [{"$ref": f"#/$defs/{name}_file"} for name in _MODELS],
        "$defs": defs,
    }
