"""Updating a set of YAML files together: what changes, whether it is safe, and the write.

An import produces new text for some files and removes others. :func:`plan` compares
each with what is on disk (added, changed with how many lines, removed, unchanged).
:func:`unsafe` asks git which of the files to be overwritten or removed have
uncommitted changes or are not tracked at all: overwriting those could lose work that
exists nowhere else, so the import refuses them without ``--force``. :func:`apply`
writes every new file to a temporary file beside it first, and only when all are
written renames them into place (each rename is atomic), then removes what goes: an
interruption leaves every file whole, old or new.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fiscal.errors import Problem, SourcePos, UserError, display_path
from fiscal.files.atomic import anonymous_file, link_anonymous

Action = Literal["added", "changed", "removed", "unchanged"]


@dataclass(frozen=True)
class Change:
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
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def apply(changes: list[Change]) -> None:
    """Write the added and changed files, then remove the removed ones; each whole or not at all.

    Every new file is first written in full without a name (``O_TMPFILE`` on Linux), so
    a run killed while staging leaves nothing behind; only then is each one named and
    moved into place. Where files without a name cannot be made, named temporary files
    are staged instead (and removed on any failure).
    """
    staged: list[tuple[int | Path, Path]] = []
    try:
        for change in changes:
            if change.action not in ("added", "changed") or change.new is None:
                continue
            change.path.parent.mkdir(parents=True, exist_ok=True)
            data = change.new.encode("utf-8")
            fd = anonymous_file(change.path.parent)
            if fd is not None:
                staged.append((fd, change.path))
                os.write(fd, data)
                os.fchmod(fd, _mode_for(change.path))
                os.fsync(fd)
                continue
            fd, temp_name = tempfile.mkstemp(
                prefix=f".{change.path.name}.", suffix=".tmp", dir=change.path.parent
            )
            temp = Path(temp_name)
            staged.append((temp, change.path))
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, _mode_for(change.path))
        for source, dest in staged:
            if isinstance(source, Path):
                os.replace(source, dest)
                continue
            # Name the finished file beside its destination, then move it in at once.
            named = f".{dest.name}.{os.getpid()}.{source}.tmp"
            folder_fd = os.open(dest.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                link_anonymous(source, named, folder_fd)
                try:
                    os.replace(named, dest.name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(named, dir_fd=folder_fd)
            finally:
                os.close(folder_fd)
        for change in changes:
            if change.action == "removed":
                change.path.unlink(missing_ok=True)
    except OSError as exc:  # permission denied, disk full (while staging: nothing renamed yet)
        last = staged[-1][1] if staged else ""
        where = SourcePos.of(exc.filename if isinstance(exc.filename, str) else last)
        raise UserError([Problem(where, f"cannot write: {exc.strerror or exc}")]) from None
    finally:
        for source, _ in staged:
            if isinstance(source, Path):
                with contextlib.suppress(FileNotFoundError):
                    source.unlink()
            else:
                with contextlib.suppress(OSError):
                    os.close(source)


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


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
