"""Which ruleset the current folder holds: the one a command uses when no ``--rules`` is named.

A user who runs ``fiscal diff`` inside their own rules repository means that
repository's rules, not the bundled Korean ones: comparing the bundled rules there
printed "No rule changes" and exit 0 over an uncommitted parameter change, and a CI gate
passed. So a ruleset is looked for where the command stands:

1. the current folder, or the nearest folder above it inside the same git repository,
   that holds a ``ruleset.yaml`` (the user stands inside a ruleset), else
2. the one ``ruleset.yaml`` in a folder below (several: the user must say which).

The walk down skips hidden folders (``.git``, ``.venv``...), ``node_modules``,
``__pycache__`` and ``site-packages``, goes at most ``MAX_DEPTH`` folders deep and
looks into at most ``MAX_FOLDERS`` folders, so a command started in a home folder or at
the root of a large tree answers at once instead of walking the disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fiscal.errors import Problem, SourcePos, UserError, display_path

MANIFEST = "ruleset.yaml"
MAX_DEPTH = 4
MAX_FOLDERS = 2_000
SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "_bundled"})


@dataclass(frozen=True)
class Found:
    """The ruleset folder found from ``start``, or None; ``cut`` when the walk stopped early."""

    start: Path
    folder: Path | None
    cut: bool = False

    def note(self) -> str:
        """One line that says which ruleset a command uses, for standard error."""
        if self.folder is None:
            cut = (
                f" (stopped looking after {MAX_FOLDERS:,} folders; name one with --rules)"
                if self.cut
                else ""
            )
            return f"No ruleset in the current folder: using the bundled Korean default{cut}"
        if self.folder == self.start:
            return "Using the ruleset in the current folder (ruleset.yaml here)"
        if self.start.is_relative_to(self.folder):
            return f"Using the ruleset {self.folder} (the one the current folder is in)"
        return f"Using the ruleset {display_path(self.folder)} (found in the current folder)"


def find_ruleset(start: Path | None = None) -> Found:
    """The ruleset folder in or around ``start`` (default: the current folder).

    Raises :class:`UserError` naming every candidate when more than one lies below.
    """
    here = (start or Path.cwd()).resolve()
    above = _enclosing(here)
    if above is not None:
        return Found(here, above)
    found, cut = _below(here)
    if len(found) > 1:
        listed = ", ".join(display_path(f) for f in found)
        raise UserError(
            [
                Problem(
                    SourcePos("--rules"),
                    f"{len(found)} rulesets in the current folder ({listed}); "
                    "name the one to use with --rules",
                )
            ]
        )
    return Found(here, found[0] if found else None, cut)


def _enclosing(here: Path) -> Path | None:
    """The nearest of ``here`` and its parents holding a manifest, without leaving the
    git repository ``here`` is in (outside one: ``here`` only)."""
    for folder in (here, *here.parents):
        if (folder / MANIFEST).is_file():
            return folder
        if (folder / ".git").exists() or folder == Path.home():
            return None
    return None


def _below(here: Path) -> tuple[list[Path], bool]:
    """The folders below ``here`` holding a manifest (breadth first, sorted), and whether
    the walk stopped at ``MAX_FOLDERS`` before it had looked everywhere."""
    found: list[Path] = []
    level = [here]
    seen = 0
    for _depth in range(MAX_DEPTH):
        deeper: list[Path] = []
        for folder in level:
            for child in _folders(folder):
                seen += 1
                if seen > MAX_FOLDERS:
                    return sorted(found), True
                if (child / MANIFEST).is_file():
                    found.append(child)  # a ruleset's own folders hold no other ruleset
                else:
                    deeper.append(child)
        level = deeper
    return sorted(found), False


def _folders(folder: Path) -> list[Path]:
    """The sub-folders of ``folder`` worth looking into (not links: a link may loop)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(
                Path(e.path)
                for e in entries
                if e.is_dir(follow_symlinks=False)
                and not e.name.startswith(".")
                and e.name not in SKIPPED
            )
    except OSError:  # unreadable: nothing to find there
        return []
