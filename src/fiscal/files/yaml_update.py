"""Updating a set of YAML files together: what changes, whether it is safe, and the write.

An import produces new text for some files and removes others. :func:`plan` compares
each with what is on disk (added, changed with how many lines, removed, unchanged).
:func:`unsafe` asks git which of the files to be overwritten or removed have
uncommitted changes or are not tracked at all: overwriting those could lose work that
exists nowhere else, so the import refuses them without ``--force``. :func:`apply`
checks that every path lies inside the folder being imported into, then writes every
new file to a staged file beside it first, and only when all are written renames them
into place (each rename is atomic), then removes what goes: an interruption leaves every
file whole, old or new. Git is asked only through :mod:`fiscal.files.git`, read-only.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fiscal.errors import Problem, SourcePos, UserError, display_path
from fiscal.files.atomic import Read, Staged, flush_folder, refuse_read, staged
from fiscal.files.git import git_output
from fiscal.files.paths import outside

Action = Literal["added", "changed", "removed", "unchanged"]


@dataclass(frozen=True)
class Change:
    """What an import would do to one YAML file.

    - ``path``: the file.
    - ``action``: added, changed, removed or unchanged.
    - ``new``: its new text; None when the file is removed.
    - ``lines``: how many lines differ; every line of an added or removed file.
    """

    path: Path
    action: Action
    new: str | None  # None: remove the file
    lines: int = 0  # lines that differ (for a change)


def plan(files: dict[Path, str | None]) -> list[Change]:
    """What writing ``files`` (path -> new text, or None to remove) would do, by path."""
    changes = []
    for path in sorted(files):
        new = files[path]
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if new is None:
            if old is not None:
                changes.append(Change(path, "removed", None, len(old.splitlines())))
        elif old is None:
            changes.append(Change(path, "added", new, len(new.splitlines())))
        elif old == new:
            changes.append(Change(path, "unchanged", new))
        else:
            changes.append(Change(path, "changed", new, _changed_lines(old, new)))
    return changes


def _changed_lines(old: str, new: str) -> int:
    """Lines removed or added, counting a replaced line once."""
    removed = added = 0
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return max(removed, added)


def unsafe(changes: list[Change]) -> list[Problem]:
    """Files that would be overwritten or removed although git does not hold them as they are."""
    at_risk = [c.path for c in changes if c.action in ("changed", "removed")]
    reasons = _git_reasons(at_risk)
    return [
        Problem(
            SourcePos.of(path),
            f"{reason}; not overwritten. Commit or stash your changes first, or use --force",
        )
        for path, reason in reasons.items()
    ]


def _git_reasons(paths: list[Path]) -> dict[Path, str]:
    """Why each path is not safely held by git (paths absent from the result are safe)."""
    reasons: dict[Path, str] = {}
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.resolve().parent, []).append(path)
    for folder, group in by_folder.items():
        top = _git(folder, "rev-parse", "--show-toplevel")
        if top is None:
            for path in group:
                reasons[path] = "the file is not in a git repository, so it could not be restored"
            continue
        root = Path(top.strip()).resolve()
        rel = {path: path.resolve().relative_to(root).as_posix() for path in group}
        specs = ["--", *rel.values()]
        status = _git(
            root, "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all", *specs
        )
        tracked = _git(root, "ls-files", "-z", *specs)
        if status is None or tracked is None:
            for path in group:
                reasons[path] = "git could not tell whether the file has uncommitted changes"
            continue
        flagged = _status_entries(status)
        known = set(tracked.split("\0"))
        for path, name in rel.items():
            code = flagged.get(name)
            if code in ("??", "!!") or name not in known:
                reasons[path] = "the file is not tracked by git"
            elif code is not None:
                reasons[path] = "the file has uncommitted changes"
    return reasons


def _status_entries(output: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    parts = output.split("\0")
    i = 0
    while i < len(parts):
        part = parts[i]
        if len(part) > 3:
            code, name = part[:2], part[3:]
            entries[name] = code
            if code[0] in "RC":  # a rename or copy names its origin next
                i += 1
        i += 1
    return entries


def _git(folder: Path, *args: str) -> str | None:
    return git_output(folder, *args)


def apply(changes: list[Change], root: Path, read: Iterable[Read] = ()) -> None:
    """Write the added and changed files, then remove the removed ones; each whole or not at all.

    Every path must lie inside ``root`` once symlinks are followed, and none may be a
    file the run read (``read``, e.g. the workbook being imported): that is checked for
    all of them before any is touched. Every new file is then staged in full
    (:func:`fiscal.files.atomic.staged`: without a name where the system allows, so a
    run killed meanwhile leaves nothing behind); only when all are written is each one
    moved into place, its folder flushed, and the removed files go last.
    """
    acting = [c for c in changes if c.action in ("added", "changed", "removed")]
    astray = outside(root, [c.path for c in acting])
    if astray:
        raise UserError(
            Problem(SourcePos.of(path), f"lies outside {display_path(root)}; nothing was written")
            for path in astray
        )
    for change in acting:
        refuse_read(
            change.path, read, hint="Keep the folder imported into apart from what the import reads"
        )
    current: Path | None = None
    try:
        with contextlib.ExitStack() as stack:
            ready: list[tuple[Staged, Path]] = []
            for change in acting:
                if change.action == "removed" or change.new is None:
                    continue
                current = change.path
                change.path.parent.mkdir(parents=True, exist_ok=True)
                stage = stack.enter_context(
                    staged(change.path.parent, change.path.name, _mode_for(change.path))
                )
                stage.path.write_bytes(change.new.encode("utf-8"))
                stage.finish()
                ready.append((stage, change.path))
            for stage, dest in ready:
                current = dest
                stage.place(dest, overwrite=True)
        for change in acting:
            if change.action == "removed":
                current = change.path
                change.path.unlink(missing_ok=True)
                flush_folder(change.path.parent)
    except OSError as exc:  # permission denied, disk full (while staging: nothing renamed yet)
        where = SourcePos.of(exc.filename if isinstance(exc.filename, str) else current or root)
        raise UserError([Problem(where, f"cannot write: {exc.strerror or exc}")]) from None


def _mode_for(path: Path) -> int | None:
    """The existing file's permissions, or None: what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return None


def summary(changes: list[Change]) -> list[str]:
    """One line of counts, then one line per file that changes."""
    actions = ("added", "changed", "removed", "unchanged")
    counts = {action: sum(1 for c in changes if c.action == action) for action in actions}
    lines = [", ".join(f"{n} {action}" for action, n in counts.items())]
    for change in changes:
        if change.action == "unchanged":
            continue
        detail = (
            f" ({change.lines} line{'s' if change.lines != 1 else ''})"
            if change.action == "changed"
            else ""
        )
        lines.append(f"  {change.action:<8} {display_path(change.path)}{detail}")
    return lines
