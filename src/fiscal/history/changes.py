"""What changed between two versions of a ruleset, by id and not by file.

Two rulesets are compared object by object: parameters by path and effective date,
regions, budget items, sharing and transfer rules field by field, ministries, and
agreements (added, terminated, amended: which field, which party, which year). A file
that moved or was renamed with the same content changes nothing here, because objects
are matched by their ids. A parameter's id is its path under ``parameters/``, so moving
a parameter file is a new id: that is a real change, which every rule citing it sees.

Pure: two loaded rulesets (and, for field-level line numbers, the text of their files)
in, a list of :class:`Change` out. Each change carries file:line on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from fiscal.errors import SourcePos
from fiscal.rules.agreements import Agreement, Amendment
from fiscal.rules.models import Parameter, ParameterValue
from fiscal.rules.ruleset import Ruleset
from fiscal.source.yaml_reader import YamlDoc, parse_yaml

Action = Literal["added", "removed", "changed", "terminated", "amended"]
KINDS = ("ruleset", "region", "mega_region", "item", "parameter", "rule", "ministry", "agreement")
_PARAMETER_META = ("description", "unit", "breakdown", "reference", "status")


@dataclass(frozen=True)
class Where:
    """A file:line in one version: ``rules/korea/parameters/x.yaml:12 @ abc1234``."""

    file: str
    line: int
    tag: str

    def __str__(self) -> str:
        base = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{base} @ {self.tag}" if self.tag else base


@dataclass(frozen=True)
class Change:
    """One semantic change of the rules.

    ``field`` names what changed inside the object (an effective date for a parameter
    value, ``pool.shares`` for a rule, ``projects.pipeline.shares`` for an agreement);
    ``part`` a part of a value (a region or class of a by-region parameter, a part of a
    split); ``party`` and ``year`` the agreement party and the year a change concerns.
    """

    kind: str
    id: str
    action: Action
    field: str = ""
    old: Any = None
    new: Any = None
    old_at: Where | None = None
    new_at: Where | None = None
    reference: str | None = None
    part: str | None = None
    party: str | None = None
    year: int | None = None
    effective: date | None = None


@dataclass
class Side:
    """One version: its ruleset, the tag shown after ``@``, and its files by shown path."""

    ruleset: Ruleset
    tag: str
    texts: Mapping[str, bytes] = field(default_factory=dict)
    _docs: dict[str, YamlDoc | None] = field(default_factory=dict)

    def where(self, source: SourcePos, loc: tuple[Any, ...] = ()) -> Where:
        """The position of ``source``, or of the key ``loc`` inside its file when known."""
        line = source.line
        if loc:
            doc = self._doc(source.file)
            if doc is not None:
                line = doc.pos(loc).line
        return Where(source.file, line, self.tag)

    def _doc(self, file: str) -> YamlDoc | None:
        if file not in self._docs:
            data = self.texts.get(file)
            doc = None
            if data is not None:
                doc, _ = parse_yaml(
                    data.decode("utf-8", "replace").removeprefix("\ufeff"), Path(file)
                )
            self._docs[file] = doc
        return self._docs[file]


def diff_rulesets(old: Side, new: Side) -> list[Change]:
    """Every change from ``old`` to ``new``, grouped by kind of rule object, then by id."""
    changes: list[Change] = []
    changes += _manifest(old, new)
    changes += _listed("region", old, new, old.ruleset.regions, new.ruleset.regions, "regions")
    changes += _order(old, new)
    changes += _listed(
        "mega_region",
        old,
        new,
        old.ruleset.mega_regions,
        new.ruleset.mega_regions,
        "mega_regions",
    )
    changes += _listed("item", old, new, old.ruleset.items, new.ruleset.items, "items")
    changes += _parameters(old, new)
    changes += _rules(old, new)
    changes += _listed(
        "ministry",
        old,
        new,
        old.ruleset.ministries,
        new.ruleset.ministries,
        "ministries",
    )
    changes += _agreements(old, new)
    return changes


# --- generic field-by-field comparison ------------------------------------------------------


def flatten(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Nested mappings as ``{key path: leaf}``; lists and tuples stay whole leaves."""
    if isinstance(value, dict) and value:
        out: dict[tuple[Any, ...], Any] = {}
        for key, item in value.items():
            out.update(flatten(item, (*path, key)))
        return out
    return {path: value}


def _dump(model: BaseModel, exclude: Iterable[str] = ()) -> dict[tuple[Any, ...], Any]:
    return flatten(model.model_dump(by_alias=True, exclude=set(exclude)))


def _field_changes(
    old: BaseModel,
    new: BaseModel,
    exclude: Iterable[str] = (),
) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """``(path, old leaf, new leaf)`` for every leaf that differs, in the new file's order."""
    a, b = _dump(old, exclude), _dump(new, exclude)
    paths = list(b) + [p for p in a if p not in b]
    return [(p, a.get(p), b.get(p)) for p in paths if not _same(a.get(p), b.get(p))]


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (_number(a) and _number(b)):
        return False
    return bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(p) for p in path)


def _listed(
    kind: str,
    old: Side,
    new: Side,
    old_items: Iterable[Any],
    new_items: Iterable[Any],
    key: str,
) -> list[Change]:
    """Objects listed in one file (regions, items, ministries): matched by id."""
    a = {o.id: (i, o) for i, o in enumerate(old_items)}
    b = {o.id: (i, o) for i, o in enumerate(new_items)}
    changes = []
    for obj_id in list(b) + [k for k in a if k not in b]:
        if obj_id not in a:
            i, o = b[obj_id]
            changes.append(
                Change(kind, obj_id, "added", new=_summary(o), new_at=new.where(o.source))
            )
        elif obj_id not in b:
            i, o = a[obj_id]
            changes.append(
                Change(kind, obj_id, "removed", old=_summary(o), old_at=old.where(o.source))
            )
        else:
            (i, o), (j, n) = a[obj_id], b[obj_id]
            for path, before, after in _field_changes(o, n):
                changes.append(
                    Change(
                        kind,
                        obj_id,
                        "changed",
                        _dotted(path),
                        before,
                        after,
                        old.where(o.source, (key, i, *path)),
                        new.where(n.source, (key, j, *path)),
                    )
                )
    return changes


def _summary(obj: Any) -> Any:
    """What to show for an object added or removed as a whole."""
    for name in ("title", "name", "label"):
        value = getattr(obj, name, None)
        if isinstance(value, BaseModel):
            return getattr(value, "en", str(value))
        if value is not None:
            return value
    return obj.id


def _order(old: Side, new: Side) -> list[Change]:
    """Regions listed in another order: ties of apportionment go to the region listed first."""
    common = set(old.ruleset.region_ids) & set(new.ruleset.region_ids)
    a = [r for r in old.ruleset.region_ids if r in common]
    b = [r for r in new.ruleset.region_ids if r in common]
    if a == b or not new.ruleset.regions:
        return []
    return [
        Change(
            "region",
            "*",
            "changed",
            "order",
            a,
            b,
            old.where(old.ruleset.regions[0].source, ("regions",)),
            new.where(new.ruleset.regions[0].source, ("regions",)),
        )
    ]


def _manifest(old: Side, new: Side) -> list[Change]:
    a, b = old.ruleset.manifest, new.ruleset.manifest
    return [
        Change(
            "ruleset",
            b.id or a.id,
            "changed",
            _dotted(path),
            before,
            after,
            old.where(a.source, path),
            new.where(b.source, path),
        )
        for path, before, after in _field_changes(a, b, exclude=("items",))
    ]


# --- parameters -----------------------------------------------------------------------------


def _parameters(old: Side, new: Side) -> list[Change]:
    paths = sorted(set(old.ruleset.parameters) | set(new.ruleset.parameters))
    return [c for path in paths for c in parameter_changes(path, old, new)]


def parameter_changes(path: str, old: Side | None, new: Side | None) -> list[Change]:
    """How one parameter changed; a missing side (or parameter) means added or removed."""
    a = old.ruleset.parameters.get(path) if old else None
    b = new.ruleset.parameters.get(path) if new else None
    if a is None and b is None:
        return []
    if a is None:
        assert b is not None and new is not None
        return [_value_change(path, "added", None, v, old, new) for v in b.values]
    if b is None:
        assert old is not None
        return [_value_change(path, "removed", v, None, old, new) for v in a.values]
    assert old is not None and new is not None
    return _parameter(a, b, old, new)


def _value_change(
    path: str,
    action: Action,
    before: ParameterValue | None,
    after: ParameterValue | None,
    old: Side | None,
    new: Side | None,
) -> Change:
    shown = after or before
    assert shown is not None
    return Change(
        "parameter",
        path,
        action,
        shown.effective.isoformat(),
        before.value if before else None,
        after.value if after else None,
        old.where(before.source) if before and old else None,
        new.where(after.source) if after and new else None,
        reference=shown.reference,
        effective=shown.effective,
    )


def _parameter(a: Parameter, b: Parameter, old: Side, new: Side) -> list[Change]:
    changes = []
    for name in _PARAMETER_META:
        before, after = getattr(a, name), getattr(b, name)
        if not _same(before, after):
            loc = (name,) if name == "description" else ("metadata", name)
            changes.append(
                Change(
                    "parameter",
                    a.path,
                    "changed",
                    name,
                    before,
                    after,
                    old.where(a.source, loc),
                    new.where(b.source, loc),
                    reference=b.reference,
                )
            )
    by_date_a = {v.effective: v for v in a.values}
    by_date_b = {v.effective: v for v in b.values}
    for day in sorted(set(by_date_a) | set(by_date_b)):
        va, vb = by_date_a.get(day), by_date_b.get(day)
        if va is None or vb is None:
            action: Action = "added" if va is None else "removed"
            changes.append(_value_change(a.path, action, va, vb, old, new))
            continue
        changes += _value_parts(a.path, va, vb, old, new)
        inherited = va.reference == a.reference and vb.reference == b.reference
        for name in ("reference", "status"):
            before, after = getattr(va, name), getattr(vb, name)
            if _same(before, after) or (name == "reference" and inherited):
                continue
            changes.append(
                Change(
                    "parameter",
                    a.path,
                    "changed",
                    f"{day.isoformat()} {name}",
                    before,
                    after,
                    old.where(va.source),
                    new.where(vb.source),
                    reference=vb.reference,
                    effective=day,
                )
            )
    return changes


def _value_parts(
    path: str, va: ParameterValue, vb: ParameterValue, old: Side, new: Side
) -> list[Change]:
    """A changed value; for a mapping (by region, split), one change per part that differs."""
    day = va.effective
    key = day.isoformat()
    if isinstance(va.value, dict) and isinstance(vb.value, dict):
        parts = list(vb.value) + [p for p in va.value if p not in vb.value]
        return [
            Change(
                "parameter",
                path,
                "changed",
                key,
                va.value.get(part),
                vb.value.get(part),
                old.where(va.source, ("values", key, "value", part)),
                new.where(vb.source, ("values", key, "value", part)),
                reference=vb.reference,
                part=part,
                effective=day,
            )
            for part in parts
            if not _same(va.value.get(part), vb.value.get(part))
        ]
    if _same(va.value, vb.value):
        return []
    return [
        Change(
            "parameter",
            path,
            "changed",
            key,
            va.value,
            vb.value,
            old.where(va.source),
            new.where(vb.source),
            reference=vb.reference,
            effective=day,
        )
    ]


# --- sharing and transfer rules -------------------------------------------------------------


def _rules(old: Side, new: Side) -> list[Change]:
    a = {r.id: r for r in old.ruleset.rules}
    b = {r.id: r for r in new.ruleset.rules}
    changes = []
    for rule_id in sorted(set(a) | set(b)):
        ra, rb = a.get(rule_id), b.get(rule_id)
        if ra is None or rb is None:
            shown = rb or ra
            assert shown is not None
            changes.append(
                Change(
                    "rule",
                    rule_id,
                    "added" if ra is None else "removed",
                    old=ra.title if ra else None,
                    new=rb.title if rb else None,
                    old_at=old.where(ra.source) if ra else None,
                    new_at=new.where(rb.source) if rb else None,
                    reference=shown.reference,
                )
            )
            continue
        for path, before, after in _field_changes(ra, rb):
            changes.append(
                Change(
                    "rule",
                    rule_id,
                    "changed",
                    _dotted(path),
                    before,
                    after,
                    old.where(ra.source, path),
                    new.where(rb.source, path),
                    reference=rb.reference,
                )
            )
    return changes


# --- agreements -----------------------------------------------------------------------------


def _agreements(old: Side, new: Side) -> list[Change]:
    ids = sorted({x.id for x in old.ruleset.agreements} | {x.id for x in new.ruleset.agreements})
    return [c for agreement_id in ids for c in agreement_changes(agreement_id, old, new)]


def agreement_changes(agreement_id: str, old: Side | None, new: Side | None) -> list[Change]:
    """How one agreement changed; a missing side (or agreement) means added or removed."""
    xa = old.ruleset.agreement(agreement_id) if old else None
    xb = new.ruleset.agreement(agreement_id) if new else None
    if xa is None and xb is None:
        return []
    if xa is None or xb is None:
        shown = xb or xa
        assert shown is not None
        return [
            Change(
                "agreement",
                agreement_id,
                "added" if xa is None else "removed",
                "status",
                old=xa.status if xa else None,
                new=xb.status if xb else None,
                old_at=old.where(xa.source) if xa and old else None,
                new_at=new.where(xb.source) if xb and new else None,
                reference=shown.reference,
            )
        ]
    assert old is not None and new is not None
    return _agreement(xa, xb, old, new)


def _agreement(a: Agreement, b: Agreement, old: Side, new: Side) -> list[Change]:
    changes: list[Change] = []

    def add(
        action: Action,
        name: str,
        before: Any,
        after: Any,
        loc_a: tuple[Any, ...] | None,
        loc_b: tuple[Any, ...] | None,
        **extra: Any,
    ) -> None:
        """Record one changed field of the agreement, with file:line on each side that has it."""
        extra.setdefault("reference", b.reference)
        changes.append(
            Change(
                "agreement",
                a.id,
                action,
                name,
                before,
                after,
                old.where(a.source, loc_a) if loc_a is not None else None,
                new.where(b.source, loc_b) if loc_b is not None else None,
                **extra,
            )
        )

    skip = ("parties", "projects", "amendments")
    for path, before, after in _field_changes(a, b, exclude=skip):
        name = _dotted(path)
        ending = name in ("terminated", "status") and (
            b.terminated is not None or b.status == "terminated"
        )
        year = b.last_paid_year if ending else None
        add("terminated" if ending else "amended", name, before, after, path, path, year=year)

    pa = {p.id: i for i, p in enumerate(a.parties)}
    pb = {p.id: i for i, p in enumerate(b.parties)}
    for party in list(pb) + [p for p in pa if p not in pb]:
        i, j = pa.get(party), pb.get(party)
        if i is None or j is None:
            before = a.parties[i].kind if i is not None else None
            after = b.parties[j].kind if j is not None else None
            add(
                "amended",
                "parties",
                before,
                after,
                ("parties", i) if i is not None else None,
                ("parties", j) if j is not None else None,
                party=party,
            )
            continue
        for path, before, after in _field_changes(a.parties[i], b.parties[j]):
            loc_a, loc_b = ("parties", i, *path), ("parties", j, *path)
            add("amended", f"parties.{_dotted(path)}", before, after, loc_a, loc_b, party=party)

    ja = {p.id: i for i, p in enumerate(a.projects)}
    jb = {p.id: i for i, p in enumerate(b.projects)}
    for project in list(jb) + [p for p in ja if p not in jb]:
        i, j = ja.get(project), jb.get(project)
        if i is None or j is None:
            add(
                "amended",
                f"projects.{project}",
                a.projects[i].title if i is not None else None,
                b.projects[j].title if j is not None else None,
                ("projects", i) if i is not None else None,
                ("projects", j) if j is not None else None,
            )
            continue
        for path, before, after in _field_changes(a.projects[i], b.projects[j], exclude=("id",)):
            loc_a, loc_b = ("projects", i, *path), ("projects", j, *path)
            add(
                "amended",
                f"projects.{project}.{path[0]}",
                before,
                after,
                loc_a,
                loc_b,
                **_who(path),
            )
    changes += _amendments(a, b, old, new)
    return changes


def _who(path: tuple[Any, ...]) -> dict[str, Any]:
    """The party or year a key path inside a project's terms is about."""
    if len(path) > 1 and path[0] in ("shares", "central_to_regions"):
        return {"party": str(path[1])}
    if len(path) > 1 and path[0] in ("schedule", "schedule_krw"):
        return {"year": int(path[1])}
    return {}


def _amendment_keys(amendments: tuple[Amendment, ...]) -> dict[str, int]:
    """Amendments by effective date (a second one on the same date gets ``#2``)."""
    keys: dict[str, int] = {}
    for index, amendment in enumerate(amendments):
        key = amendment.effective.isoformat()
        n = 2
        while key in keys:
            key = f"{amendment.effective.isoformat()}#{n}"
            n += 1
        keys[key] = index
    return keys


def _terms(amendment: Amendment) -> dict[tuple[Any, ...], Any]:
    """An amendment's changes as ``{(project, field, key...): value}``, as written."""
    out: dict[tuple[Any, ...], Any] = {}
    for project, terms in amendment.projects.items():
        out.update(flatten(terms.model_dump(exclude_unset=True), (project,)))
    meta = {("reference",): amendment.reference, ("note",): amendment.note}
    return {**meta, **out}


def _amendments(a: Agreement, b: Agreement, old: Side, new: Side) -> list[Change]:
    ka, kb = _amendment_keys(a.amendments), _amendment_keys(b.amendments)
    changes = []
    for key in list(kb) + [k for k in ka if k not in kb]:
        i, j = ka.get(key), kb.get(key)
        am_a = a.amendments[i] if i is not None else None
        am_b = b.amendments[j] if j is not None else None
        ta = _terms(am_a) if am_a else {}
        tb = _terms(am_b) if am_b else {}
        shown = am_b or am_a
        assert shown is not None
        for path in list(tb) + [p for p in ta if p not in tb]:
            before, after = ta.get(path), tb.get(path)
            if _same(before, after):
                continue
            inner = path if len(path) == 1 else ("projects", *path)
            who = _who(path[1:]) if len(path) > 1 else {}
            year = who.pop("year", shown.first_year)
            changes.append(
                Change(
                    "agreement",
                    a.id,
                    "amended",
                    f"amendments.{key}."
                    + _dotted(path if len(path) == 1 else ("projects", *path[:2])),
                    before,
                    after,
                    old.where(a.source, ("amendments", i, *inner)) if i is not None else None,
                    new.where(b.source, ("amendments", j, *inner)) if j is not None else None,
                    reference=shown.reference,
                    year=year,
                    effective=shown.effective,
                    **who,
                )
            )
    return changes


# --- showing values -------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as a reader wants it: ``0.253``, ``300,000,000,000``, ``[2025, 2029]``, ``—``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return " ".join(str(value).split())


def plain(value: Any) -> Any:
    """A value for JSON: numbers stay numbers (exact decimals print as written), dates ISO."""
    if value is None or isinstance(value, bool | str | int | float):
        return str(value.value) if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)
