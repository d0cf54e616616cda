"""A rule diff and a rule history as JSON: every row, exact numbers, for CI and scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fiscal.history.changes import Change, Where, plain
from fiscal.history.diff import DiffReport, VersionInfo
from fiscal.history.impact import Impact, ImpactRow
from fiscal.history.log import History


def _where_json(where: Where | None) -> dict[str, Any] | None:
    if where is None:
        return None
    return {"file": where.file, "line": where.line, "revision": where.tag or None}


def change_json(c: Change) -> dict[str, Any]:
    """One change as JSON: what, old and new value, file:line and revision of each side."""
    return {
        "kind": c.kind,
        "id": c.id,
        "action": c.action,
        "field": c.field,
        "part": c.part,
        "party": c.party,
        "year": c.year,
        "effective": c.effective.isoformat() if c.effective else None,
        "old": plain(c.old),
        "new": plain(c.new),
        "old_at": _where_json(c.old_at),
        "new_at": _where_json(c.new_at),
        "reference": c.reference,
    }


def _rows_json(rows: Iterable[ImpactRow]) -> list[dict[str, Any]]:
    return [
        {
            "region": r.region,
            "year": r.year,
            "measure": r.measure,
            "unit": r.unit,
            "old": r.old,
            "new": r.new,
            "change": r.change,
        }
        for r in rows
    ]


def _impact_json(impact: Impact) -> dict[str, Any]:
    return {
        "national": _rows_json(impact.national),
        "regions": _rows_json(impact.money),
        "ratios": _rows_json(impact.ratios),
    }


def _version_json(info: VersionInfo) -> dict[str, Any]:
    ref = info.ref
    out: dict[str, Any] = {
        "name": ref.name,
        "label": ref.label,
        "kind": ref.kind,
        "rules_path": info.rules_path,
        "commit": None,
    }
    if ref.commit is not None:
        c = ref.commit
        out["commit"] = {
            "sha": c.sha,
            "short": c.short,
            "author": c.author,
            "email": c.email,
            "date": c.authored,
            "subject": c.subject,
        }
    out["files"] = [{"path": f.path, "sha256": f.sha256} for f in info.files]
    return out


def to_json(report: DiffReport) -> str:
    """A rule diff as JSON (``fiscal diff --format json``): changes, impact, attribution."""
    data: dict[str, Any] = {
        "old": _version_json(report.old),
        "new": _version_json(report.new),
        "changed": report.changed,
        "changes": [change_json(c) for c in report.changes],
        "years": report.years,
        "inputs": report.inputs_label,
        "input_files": [{"path": f.path, "sha256": f.sha256} for f in report.input_files],
        "impact": _impact_json(report.impact) if report.impact else None,
        "attribution": [
            {
                "kind": a.kind,
                "id": a.id,
                "fields": a.fields,
                "applied": a.impact is not None,
                "reason": a.reason,
                "impact": _impact_json(a.impact) if a.impact else None,
            }
            for a in report.attribution
        ],
        "interaction": {str(y): v for y, v in report.interaction.items()},
        "shallow": report.shallow,
        "warnings": report.warnings,
        "fiscal_version": report.fiscal_version,
        "run_time": report.run_time,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def history_json(history: History) -> str:
    """A rule object's history as JSON: each change with the commit that made it."""
    entries = []
    for entry in history.entries:
        commit = entry.commit
        entries.append(
            {
                "commit": None
                if commit is None
                else {
                    "sha": commit.sha,
                    "short": commit.short,
                    "author": commit.author,
                    "email": commit.email,
                    "date": commit.authored,
                    "subject": commit.subject,
                },
                **change_json(entry.change),
            }
        )
    data = {
        "id": history.ident,
        "rules_path": history.rules_path,
        "entries": entries,
        "unreadable": [{"commit": c.sha, "reason": why} for c, why in history.unreadable],
        "shallow": history.shallow,
        "warning": history.warning,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
