"""Turning a pydantic validation failure into problems at file:line.

pydantic reports where in the data a value is wrong (``('values', '2020-01-01',
'value')``); the YAML reader knows the line of every such place. This module joins
the two and rewrites pydantic's messages in the words of the file's author.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from fiscal.errors import Problem
from fiscal.source.yaml_reader import YamlDoc

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def validate_doc(
    model: type[M], doc: YamlDoc, loc: tuple[Any, ...] = ()
) -> tuple[M | None, list[Problem]]:
    """Validate the data at ``loc`` of ``doc`` as ``model``, reporting every problem."""
    data = _at(doc.data, loc)
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, loc)


def validate_doc_as(adapter: TypeAdapter[T], doc: YamlDoc) -> tuple[T | None, list[Problem]]:
    """Validate a whole file as a type that is not one model (a rule: one of several kinds
    chosen by ``kind:``), reporting every problem at its line."""
    try:
        return adapter.validate_python(doc.data), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, ())


def problems_from(exc: ValidationError, doc: YamlDoc, base: tuple[Any, ...] = ()) -> list[Problem]:
    """One problem per mistake pydantic found, each at the file:line of the value at fault
    (``base`` is where the validated data sits in the file), in the file author's words."""
    problems = []
    branches_seen: set[tuple[Any, ...]] = set()
    for error in exc.errors():
        # A value that fits no member of a union fails once per member; the first
        # member (the likeliest, e.g. a number) speaks for all of them.
        if _echo_of_failed_items(error):
            continue
        branch = _union_branch(error["loc"])
        if branch is not None:
            if branch in branches_seen:
                continue
            branches_seen.add(branch)
        at = (*base, *error["loc"])
        if error["type"] == "union_tag_invalid":  # point at the ``kind:`` that names no kind
            at = (*at, str(error["ctx"]["discriminator"]).strip("'"))
        loc = _doc_path(doc, at)
        problems.append(Problem(doc.pos(loc), _message(error, loc)))
    return problems


def _echo_of_failed_items(error: Any) -> bool:
    """Whether ``error`` is pydantic's "too short" for a tuple whose items failed: it
    counts only the items that passed, so a list written with items is not "empty"."""
    if error["type"] != "too_short" or error.get("ctx", {}).get("field_type") != "Tuple":
        return False
    given = error.get("input")
    return isinstance(given, list | tuple) and len(given) >= error["ctx"]["min_length"]


def _union_branch(loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The location of the union a failed member belongs to, if any."""
    for index, part in enumerate(loc):
        if isinstance(part, str) and "[" in part:
            return tuple(loc[:index])
    return None


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for key in loc:
        data = data[key]
    return data


def _doc_path(doc: YamlDoc, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep the parts of pydantic's location that are places in the file.

    pydantic inserts union member names (``sharing``) and markers (``[key]``); the
    file knows only keys and list indexes, so the rest is dropped.
    """
    path: tuple[Any, ...] = ()
    for part in loc:
        if (*path, part) in doc.positions:
            path = (*path, part)
        elif isinstance(part, str) and part.isdigit() and (*path, int(part)) in doc.positions:
            path = (*path, int(part))
    return path


def _message(error: Any, path: tuple[Any, ...]) -> str:
    kind = error["type"]
    loc = error["loc"]
    last = loc[-1] if loc else ""
    got = error.get("input")
    if kind == "extra_forbidden":
        return f"unknown key {last!r}; check its spelling against `fiscal schema`"
    if kind == "missing":
        return f"missing key {last!r}"
    if kind == "union_tag_invalid":
        ctx = error["ctx"]
        key = str(ctx["discriminator"]).strip("'")
        return f"unknown {key} {ctx['tag']!r}; expected one of: {ctx['expected_tags']}"
    if kind == "union_tag_not_found":
        key = str(error["ctx"]["discriminator"]).strip("'")
        return f"missing key {key!r}"
    message: str = error["msg"]
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    where = ".".join(str(p) for p in path)
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping (key: value) at {where or 'top level'}, got {_show(got)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list at {where}, got {_show(got)}"
    if kind in ("string_type",):
        if isinstance(got, int) and not isinstance(got, bool) and 1000 <= got <= 9999:
            # YAML reads `2027:` as a number; a mapping keyed by dates (a scenario's
            # parameter changes) or by ids cannot take it, and "expected text" hid why.
            return (
                f"a year as a key ({got}) at {where}, where a date or a name is expected: "
                f"a change from the start of that year is written {got}-01-01"
            )
        return f"expected text at {where}, got {_show(got)}"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if pattern.startswith("^[a-z0-9]"):
            return (
                f"{_show(got)} is not a valid id: use lowercase letters, digits, '_' and '-', "
                "starting with a letter or digit"
            )
        if pattern.startswith("^national"):
            return f"{_show(got)} is not a national series: write national.<series id>"
        return f"{_show(got)} does not have the expected form ({pattern})"
    if kind == "literal_error" or kind == "enum":
        return f"{message.replace('Input should be', 'expected')}, got {_show(got)}"
    if kind == "too_short":
        return f"{where or 'value'} must not be empty"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_show(got)}"
    if kind == "int_type" or kind == "int_parsing":
        return f"expected a whole number, got {_show(got)}"
    return message


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return str(value)
