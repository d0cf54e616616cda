"""What an auditor must be told about a rule change, above the list of changes.

Two findings, each one line of :attr:`~fiscal.history.diff.DiffReport.warnings`:

- a signed agreement whose shares, schedule, total or years were edited in place, with
  no amendment recording the change: money already committed is being rewritten
  (an amendment, 변경협약, is the lawful way; it keeps the signed terms on record);
- the affordability breaches the change creates or removes: region-years whose
  obligations pass (or no longer pass) the limit share of own-source revenue.

Pure: changes, rulesets and projections in, lines out.
"""

from __future__ import annotations

from fiscal.engine.projection import Projection
from fiscal.history.changes import Change
from fiscal.rules.agreements import Agreement
from fiscal.rules.ruleset import Ruleset

# The fields of a project's terms that move committed money.
_MONEY_FIELDS = ("shares", "central_to_regions", "schedule", "schedule_krw", "total_krw", "years")


def in_place_edits(changes: list[Change], old: Ruleset, new: Ruleset) -> list[str]:
    """One line per signed agreement whose committed terms changed without an amendment."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for change in changes:
        if change.kind != "agreement" or not change.field.startswith("projects."):
            continue
        parts = change.field.split(".")
        if len(parts) < 3 or parts[2] not in _MONEY_FIELDS:
            continue
        before, after = old.agreement(change.id), new.agreement(change.id)
        if before is None or after is None or before.status == "proposed":
            continue
        if before.signed is None or (after.signed or before.signed) != before.signed:
            continue
        project_id, what = parts[1], parts[2]
        if (change.id, f"{project_id}.{what}") in seen:
            continue
        seen.add((change.id, f"{project_id}.{what}"))
        project = next((p for p in before.projects if p.id == project_id), None)
        if project is None:
            continue
        first, last = project.years
        years = _years_changed(changes, change.id, project_id, what) or [
            y for y in range(first, last + 1) if y >= before.signed.year
        ]
        if _amended_for(before, after, project_id, years):
            continue
        where = f" ({change.new_at})" if change.new_at is not None else ""
        lines.append(
            f"agreement {change.id!r} was signed {before.signed} but its {what.replace('_', ' ')} "
            f"of project {project_id!r} were edited in place{where}, without an amendment: "
            f"this changes money already committed for {_span(years)}; record the change as an "
            "amendment instead"
        )
    return lines


def _amended_for(before: Agreement, after: Agreement, project_id: str, years: list[int]) -> bool:
    """Whether an amendment added in the same change, to this project, is in force from
    the first year changed: then the edit is recorded as the amendment says, not in place."""
    had = {(a.effective, a.reference) for a in before.amendments}
    added = [a for a in after.amendments if (a.effective, a.reference) not in had]
    # first_year: an amendment governs from the first 1 January on or after it.
    return bool(years) and any(
        project_id in a.projects and a.first_year <= min(years) for a in added
    )


def _years_changed(changes: list[Change], agreement: str, project: str, what: str) -> list[int]:
    return sorted(
        {
            c.year
            for c in changes
            if c.kind == "agreement"
            and c.id == agreement
            and c.field == f"projects.{project}.{what}"
            and c.year is not None
        }
    )


def _span(years: list[int]) -> str:
    if not years:
        return "its years"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def affordability_changes(before: Projection, after: Projection) -> list[str]:
    """The region-years the change newly flags, and those it clears, one line each kind."""
    old, new = before.affordability, after.affordability
    if old is None and new is None:
        return []
    flagged_old = _flagged(before)
    flagged_new = _flagged(after)
    lines = []
    created = [key for key in flagged_new if key not in flagged_old]
    removed = [key for key in flagged_old if key not in flagged_new]
    if created:
        lines.append(
            f"this change creates {len(created)} affordability breach"
            f"{'es' if len(created) != 1 else ''} (obligations over the limit share of "
            f"own-source revenue): {_listed(created)}"
        )
    if removed:
        lines.append(
            f"this change removes {len(removed)} affordability breach"
            f"{'es' if len(removed) != 1 else ''}: {_listed(removed)}"
        )
    return lines


def _flagged(projection: Projection) -> list[tuple[str, int]]:
    check = projection.affordability
    if check is None:
        return []
    return [
        (region.id, year)
        for r, region in enumerate(projection.regions)
        for y, year in enumerate(projection.years)
        if check.flagged[r, y]
    ]


def _listed(keys: list[tuple[str, int]], limit: int = 8) -> str:
    shown = ", ".join(f"{region} {year}" for region, year in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


__all__ = ["affordability_changes", "in_place_edits"]
