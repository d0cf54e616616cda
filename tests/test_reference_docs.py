"""The rule file reference in docs/ is generated from the pydantic models and cannot drift."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from fiscal.rules.reference import FILES, reference
from fiscal.rules.schema import MODELS, SCHEMA_KINDS
from tests.conftest import REPO

REGENERATE = "fiscal schema --format markdown > docs/reference.md"


def test_the_committed_reference_is_what_the_models_generate_now() -> None:
    committed = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == reference(), f"docs/reference.md is stale; regenerate it: {REGENERATE}"


def _models(model: object) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(model, type) and issubclass(model, BaseModel):
        found.append(model)
    for arg in typing.get_args(model):
        found += _models(arg)
    return found


def test_every_key_of_every_file_kind_is_in_the_reference() -> None:
    text = reference()
    assert set(FILES) == set(MODELS) == set(SCHEMA_KINDS) - {"all"}
    seen: set[type[BaseModel]] = set()
    queue = [m for model in MODELS.values() for m in _models(model)]
    while queue:
        model = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        assert f"### {model.__name__}\n" in text
        for name, info in model.model_fields.items():
            assert f"| `{info.alias or name}` |" in text, (model.__name__, name)
            queue += _models(info.annotation)
    assert len(seen) > 20


def test_one_kind_alone() -> None:
    alone = reference("parameter")
    assert "### ParameterFile" in alone
    assert "### RulesetManifest" not in alone
