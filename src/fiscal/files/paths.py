"""Paths made from what a file says: ids checked before they name a file, and
writes confined to the folder they belong in.

An agreement id or an indicator id read from a workbook (or any file) becomes a file
name only after it passes :func:`is_id`, the same pattern the rule models allow for
every id: lowercase letters, digits, ``_`` and ``-``, starting with a letter or a
digit. No ``/``, no ``..``, no leading dot, nothing absolute, so an id can never name a
file outside its folder. :func:`outside` is the second line: after symlinks are
followed, every path an import writes or removes must still lie inside its folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from fiscal.errors import Problem, SourcePos
from fiscal.ids import is_id


def file_for_id(folder: Path, ident: str, suffix: str = ".yaml") -> Path:
    """``folder/ident.yaml``; an id that is not one is a bug of the caller, which checks first."""
    if not is_id(ident):
        raise ValueError(f"{ident!r} is not an id")
    return folder / f"{ident}{suffix}"


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink followed, lies inside ``folder`` (also resolved)."""
    top = folder.resolve()
    real = path.resolve()
    return real != top and top in real.parents


def outside(folder: Path, paths: Iterable[Path]) -> list[Path]:
    """The paths that do not lie inside ``folder`` once symlinks are followed."""
    return [p for p in paths if not inside(folder, p)]


# A ruleset holds its own files. git stores a symbolic link as the link, not the file
# it points to, so a ruleset read from history (fiscal diff, history, --rules-as-of)
# would differ from the same ruleset read from disk (validate, project). Refusing links
# everywhere keeps every command reading the same rules.
SYMLINK_REFUSED = (
    "is a symbolic link; fiscal refuses symbolic links inside a ruleset (validate, project "
    "and diff alike), since git keeps the link, not the file. Put the file itself here"
)


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in parts)


def symlinks_inside(root: Path) -> list[Path]:
    """Every symbolic link (to a file or a folder) inside ``root``, outside hidden folders."""
    found = []
    for top, folders, names in os.walk(root):  # does not descend into linked folders
        here = Path(top)
        folders[:] = [f for f in folders if not _hidden((f,))]
        for name in sorted([*folders, *names]):
            if not _hidden((name,)) and (here / name).is_symlink():
                found.append(here / name)
    return sorted(found)


def symlink_problems(root: Path) -> list[Problem]:
    """A problem for each symbolic link inside the ruleset folder ``root``."""
    return [
        Problem(SourcePos.of(path), f"{SYMLINK_REFUSED} (it points to {os.readlink(path)})")
        for path in symlinks_inside(root)
    ]


def is_hidden_path(path: str) -> bool:
    """Whether a path inside a ruleset (posix) lies in a hidden folder or is hidden."""
    return _hidden(tuple(path.split("/")))
