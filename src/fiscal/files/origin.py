"""Where a template was made from, recorded so that its import writes back there.

A template made with ``--inputs inputs`` printed "then: fiscal import inp.xlsx", and
following it wrote into the bundled inputs: the import did not know where the template
came from. A template now records each folder it was made from, as text that still
means the same folder when the workbook comes back from a colleague:

- ``repository``: relative to the root of the git repository that holds the folder,
  so the import finds it from anywhere in a clone of that repository;
- ``current folder``: relative to the folder the template was made in (no repository);
- ``bundled``: the ruleset or inputs fiscal ships, which an import never writes.

No absolute path is recorded: it would name a user's home folder in a file that travels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fiscal.files.bundled import bundled_folder, default_inputs, default_rules

REPOSITORY = "repository"
CURRENT = "current folder"
BUNDLED = "bundled"


@dataclass(frozen=True)
class Origin:
    """A folder as a template records it: ``text`` read against ``base``."""

    text: str
    base: str

    def describe(self) -> str:
        """The folder as a person reads it in a message."""
        if self.base == BUNDLED:
            return f"the bundled {self.text}"
        return f"{self.text} (relative to the {self.base})"


def repository_root(start: Path) -> Path | None:
    """The root of the git repository ``start`` lies in, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def record(folder: Path, what: str) -> Origin:
    """How a template records ``folder`` (``what``: ruleset or inputs, for the bundled)."""
    if bundled_folder(folder) is not None:
        return Origin("ruleset" if what == "ruleset" else "inputs", BUNDLED)
    resolved = folder.resolve()
    root = repository_root(resolved)
    cwd = Path.cwd().resolve()
    # Relative to the repository only when the template is made inside that same
    # repository: the import reads the text against the repository it is run in, and a
    # ruleset kept in a repository of its own (../my-rules, used from a checkout of
    # fiscal) read against the checkout named the checkout's root instead.
    if root is not None and repository_root(cwd) == root:
        return Origin(resolved.relative_to(root).as_posix() or ".", REPOSITORY)
    if resolved.is_relative_to(cwd):
        return Origin(resolved.relative_to(cwd).as_posix() or ".", CURRENT)
    # Outside both: a relative path from here still travels better than an absolute one.
    return Origin(Path(_relative(resolved, cwd)).as_posix(), CURRENT)


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path, start)


def _normalised(path: Path) -> str:
    import os

    return os.path.normpath(path)


def resolve(origin: Origin, what: str) -> tuple[Path | None, str]:
    """The folder ``origin`` names from the current folder, or None and why not."""
    if origin.base == BUNDLED:
        return (default_rules() if what == "ruleset" else default_inputs()), ""
    if origin.base == REPOSITORY:
        root = repository_root(Path.cwd())
        if root is None:
            return None, (
                f"the template was made from {origin.describe()}, and the current folder "
                "is in no git repository: run the import inside that repository"
            )
        folder = root / origin.text
    else:  # normalised, so that a message names ../my-rules, not co/../my-rules
        folder = Path(_normalised(Path.cwd() / origin.text))
    if not folder.is_dir():
        return None, (
            f"the template was made from {origin.describe()}, and there is no such folder "
            f"here ({folder})"
        )
    return folder, ""
