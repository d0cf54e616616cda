"""JSON Schema of every file kind, generated from the pydantic models (so it cannot drift)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from fiscal.rules.agreements import Agreement, MinistriesFile
from fiscal.rules.input_files import IndicatorFile, NationalFile
from fiscal.rules.models import ParameterFile, RegionsFile, Rule, RulesetManifest
from fiscal.rules.scenarios import ScenarioFile

MODELS: dict[str, Any] = {
    "ruleset": RulesetManifest,
    "regions": RegionsFile,
    "ministries": MinistriesFile,
    "parameter": ParameterFile,
    "rule": Rule,
    "agreement": Agreement,
    "national": NationalFile,
    "indicator": IndicatorFile,
    "scenario": ScenarioFile,
}
SCHEMA_KINDS = ("all", *MODELS)


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one file kind, or (``all``) of any of them, for an editor to check
    a file as it is typed; ``fiscal schema KIND`` prints it."""
    if kind != "all":
        schema = TypeAdapter(MODELS[kind]).json_schema()
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    defs: dict[str, Any] = {}
    for name, model in MODELS.items():
        schema = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[f"{name}_file"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fiscal rule and input files",
        "anyOf": [{"$ref": f"#/$defs/{name}_file"} for name in MODELS],
        "$defs": defs,
    }
