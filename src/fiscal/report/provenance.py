"""What made an output: the rules (git commit, dirty or not, file hashes), the inputs,
the command line and the version of `fiscal`. Every workbook carries this.

A workbook is reproducible: two runs with the same rules, inputs and options write the
same bytes. So the time of a run is recorded only when asked (``--stamp-time``);
otherwise the Provenance sheet says so and the document's timestamp is a fixed date.
The options a run was made with (``--by``, the scenario file, ``--rules-as-of``) are
recorded too, so that ``fiscal verify`` can make the workbook again and compare.

Every folder and file the sheet names travels with the workbook: it is written relative
to the folder the workbook is written in (``../rules/korea``), or as
``bundled: rules/korea`` for fiscal's own bundled data, never as an absolute path that
would show a user's home or site-packages. ``fiscal verify`` reads them back from the
workbook's own folder (:func:`resolve_location`), so a project folder copied elsewhere
with its workbook still verifies.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from fiscal.files.bundled import default_inputs, default_rules
from fiscal.files.git import git_output
from fiscal.report.table import FIXED_TIME, Cell
from fiscal.version import __version__

NOT_STAMPED = "not stamped (use --stamp-time)"
# How the Provenance sheet names fiscal's own rules and example inputs, wherever installed.
BUNDLED = "bundled: "
# A ruleset read from git as of a day (``fiscal project --rules-as-of``) is so recorded.
AS_COMMITTED = " as committed on "


@dataclass(frozen=True)
class FileHash:
    """One file a run read, by content.

    - ``role``: ``rules``, ``inputs`` or ``scenario``.
    - ``path``: relative to its rules or inputs folder (a scenario file: relative to the
      workbook's folder, as :func:`portable_location` writes it).
    - ``sha256``: of the bytes the run loaded, so ``fiscal verify`` can tell an edit since.
    """

    role: str  # rules | inputs
    path: str  # relative to its root
    sha256: str


@dataclass(frozen=True)
class GitState:
    """The git state of a rules or inputs folder when the run was made.

    - ``commit``: the commit checked out; None when the folder is not in a git repository.
    - ``dirty``: whether the folder had uncommitted or untracked changes.
    - ``repository``: the top folder of that repository.
    """

    commit: str | None  # None when the folder is not in a git repository
    dirty: bool
    repository: str | None

    def describe(self) -> str:
        """The commit as the Provenance sheet shows it, marked when the folder had changes."""
        if self.commit is None:
            return "not in a git repository"
        return f"{self.commit}{' (uncommitted changes)' if self.dirty else ''}"


@dataclass(frozen=True)
class Provenance:
    """What made an output, recorded in its Provenance sheet so an auditor can remake it.

    - ``fiscal_version``: the version of fiscal that ran.
    - ``command_line``: the ``fiscal`` command as run, its arguments quoted.
    - ``run_time``: UTC to the second with ``--stamp-time``, else a fixed mark.
    - ``python``: the Python implementation and version.
    - ``rules_path``, ``rules_git``: the ruleset folder and its git state.
    - ``inputs_path``, ``inputs_git``: the inputs folder and its git state.
    - ``scenario``: the scenario applied (``baseline`` for none).
    - ``years``: first and last projection year.
    - ``files``: every file read, with its SHA-256.
    - ``options``: further settings, as the run was asked for them.
    - ``written_in``: the folder the output is written in. The sheet names the rules and
      inputs folders and the git repository relative to it (:func:`portable_location`);
      the fields keep the paths as read, which name each file:line while writing.
    """

    fiscal_version: str
    command_line: str
    run_time: str
    python: str
    rules_path: str
    rules_git: GitState
    inputs_path: str
    inputs_git: GitState
    scenario: str
    years: tuple[int, int]
    files: list[FileHash] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # as the run was asked for
    written_in: Path | None = None  # None: the current folder

    @property
    def created(self) -> datetime:
        """The document timestamp: the run time with ``--stamp-time``, else a fixed date."""
        return document_time(self.run_time)

    def rows(self) -> list[tuple[str, str]]:
        """Key-value pairs in the order a reader wants them, every path portable."""
        folder = self.written_in if self.written_in is not None else Path.cwd()

        def located(recorded: str) -> str:
            """A folder as the sheet shows it; a day's rules keep their day."""
            path, marker, day = recorded.partition(AS_COMMITTED)
            return portable_location(Path(path), folder) + (marker + day if marker else "")

        return [
            ("fiscal version", self.fiscal_version),
            ("command line", self.command_line),
            ("run time (UTC)", self.run_time),
            ("python", self.python),
            ("scenario", self.scenario),
            ("years", f"{self.years[0]}-{self.years[1]}"),
            ("rules path", located(self.rules_path)),
            ("rules git commit", self.rules_git.describe()),
            ("rules git repository", _repository_row(self, located)),
            ("rules tree dirty", "yes" if self.rules_git.dirty else "no"),
            ("inputs path", located(self.inputs_path)),
            ("inputs git commit", self.inputs_git.describe()),
            ("inputs tree dirty", "yes" if self.inputs_git.dirty else "no"),
            *self.options.items(),
        ]


def _repository_row(provenance: Provenance, located: Callable[[str], str]) -> str:
    """The rules' git repository as the sheet shows it. For the bundled rules of a
    checkout that is fiscal's own repository: said so, not where it was cloned."""
    repository = provenance.rules_git.repository
    if not repository:
        return ""
    if located(provenance.rules_path).startswith(BUNDLED):
        return BUNDLED + "the fiscal source repository"
    return located(repository)


def run_time(stamp: bool) -> str:
    """The time of a run as a workbook records it: UTC to the second, or not at all."""
    if not stamp:
        return NOT_STAMPED
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def document_time(recorded: str) -> datetime:
    """The timestamp for a document's properties, from what :func:`run_time` recorded."""
    try:
        return datetime.fromisoformat(recorded).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return FIXED_TIME


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def git_state(folder: Path) -> GitState:
    """The commit of the repository holding ``folder``, and whether ``folder`` has changes."""

    def git(*args: str) -> str | None:
        """One read-only git query in ``folder``, stripped; None when git fails or is missing."""
        # Read-only and without optional locks: recording provenance never writes .git/index.
        out = git_output(folder, *args, timeout=20)
        return out.strip() if out is not None else None

    top = git("rev-parse", "--show-toplevel")
    commit = git("rev-parse", "HEAD") if top else None
    if top is None or commit is None:
        return GitState(None, False, None)
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".")
    return GitState(commit, bool(status), top)


def collect(
    rules_root: Path,
    rule_files: list[Path],
    inputs_root: Path,
    input_files: list[Path],
    scenario: str,
    years: tuple[int, int],
    argv: list[str] | None = None,
    scenario_files: list[Path] | None = None,
    *,
    stamp_time: bool = False,
    options: dict[str, str] | None = None,
    rule_hashes: Mapping[str, str] | None = None,
    input_hashes: Mapping[str, str] | None = None,
    written_in: Path | None = None,
) -> Provenance:
    """What made an output. ``options`` are recorded as they are (key: value rows), after
    each scenario file, named (as the rules and inputs folders are) relative to
    ``written_in``, the folder the output is written in (default: the current folder).

    ``rule_hashes`` and ``input_hashes`` (relative path -> SHA-256) are the hashes the
    loader took of the bytes it read: a file edited since is recorded as it was loaded,
    so ``fiscal verify`` sees the edit. A file without one is hashed as it is now."""

    def recorded(role: str, root: Path, path: Path, hashes: Mapping[str, str] | None) -> FileHash:
        """A file's entry, with the hash taken when it was loaded when there is one."""
        name = path.relative_to(root).as_posix()
        loaded = (hashes or {}).get(name)
        return FileHash(role, name, loaded if loaded is not None else sha256_file(path))

    folder = _real(written_in if written_in is not None else Path.cwd())
    scenarios = {p: portable_location(p, folder) for p in scenario_files or []}
    files = (
        [recorded("rules", rules_root, p, rule_hashes) for p in rule_files]
        + [recorded("inputs", inputs_root, p, input_hashes) for p in input_files]
        + [FileHash("scenario", name, sha256_file(p)) for p, name in scenarios.items()]
    )
    args = sys.argv if argv is None else argv
    command = "fiscal " + shlex.join(args[1:]) if args else "fiscal"
    return Provenance(
        fiscal_version=__version__,
        command_line=command.strip(),
        run_time=run_time(stamp_time),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        rules_path=str(rules_root.resolve()),
        rules_git=git_state(rules_root),
        inputs_path=str(inputs_root.resolve()),
        inputs_git=git_state(inputs_root),
        scenario=scenario,
        years=years,
        files=files,
        options={
            **{
                "scenario file" if i == 0 else f"scenario file {i + 1}": name
                for i, name in enumerate(scenarios.values())
            },
            **(options or {}),
        },
        written_in=folder,
    )


def _bundled_bases() -> dict[str, Path]:
    """The folders of fiscal's bundled data, by the name the Provenance sheet gives them."""
    return {"rules": _real(default_rules().parent), "examples": _real(default_inputs().parent)}


def portable_location(path: Path, folder: Path) -> str:
    """``path`` as a Provenance sheet written in ``folder`` records it: ``bundled: ...``
    inside fiscal's bundled data (the same on every machine, installed or checked out),
    else relative to ``folder`` with ``/`` separators (``../rules/korea``), so that the
    folder copied elsewhere with its workbook names the same files. Only a path on
    another drive than ``folder`` (Windows) stays absolute: nothing relative reaches it."""
    real = _real(path)
    for name, base in _bundled_bases().items():
        if real.is_relative_to(base):
            inside = real.relative_to(base).as_posix()
            return BUNDLED + (f"{name}/{inside}" if inside != "." else name)
    try:
        return Path(os.path.relpath(real, _real(folder))).as_posix()
    except ValueError:
        return real.as_posix()


def resolve_location(recorded: str, folder: Path) -> Path:
    """The path a Provenance sheet in ``folder`` recorded as ``recorded``: bundled data
    where this fiscal has it, a relative path from ``folder``, an absolute one (written
    by fiscal before paths travelled) as it is."""
    if recorded.startswith(BUNDLED):
        name, _, inside = recorded.removeprefix(BUNDLED).partition("/")
        base = _bundled_bases().get(name)
        if base is not None:
            return base.joinpath(*PurePosixPath(inside).parts)
    path = Path(recorded)
    return path if path.is_absolute() else folder / path


_NEAR = 3  # folders between the shared base and a rules or inputs root, at most


# A citation of several places joins them so; each file in it is a path to a YAML file.
_JOINTS = ("; ", ", changing ")
_FILE_IN_TEXT = re.compile(r"[^\s;,()]+\.ya?ml")


class PortableNames:
    """File:line texts named from the folder that holds the rules and inputs, so a
    workbook made in one folder reads the same as one made in another.

    A source is written while loading relative to the current folder (or absolute, when
    the rules live elsewhere: in site-packages, in a user's home). A workbook and
    ``explain`` name it instead from the folder that holds both the ruleset and the
    inputs (for the bundled files, ``rules/korea/sharing/local_consumption_tax.yaml:12``
    and ``examples/korea-2025/national.yaml:8``, installed or checked out). When the two
    lie far apart (more than three folders below the folder they share), each is named
    from its own folder's parent (``korea/...``); a file outside
    both (a scenario kept elsewhere) by its name. Never an absolute path.
    """

    def __init__(self, rules_root: Path, inputs_root: Path) -> None:
        rules, inputs = _real(rules_root), _real(inputs_root)
        common = Path(os.path.commonpath([rules, inputs]))
        # Near both (a project's rules/ and inputs/ side by side): one base for both.
        near = all(
            len(root.relative_to(common).parts) <= _NEAR for root in (rules, inputs)
        ) and common != Path(common.anchor)
        self._bases = [common] if near else [rules.parent, inputs.parent]
        self._cache: dict[str, str] = {}

    def __call__(self, where: str) -> str:
        """``where`` (``path:line``, ``path`` or a ``Sheet!A1`` cell) with a portable path."""
        named = self._cache.get(where)
        if named is None:
            named = self._cache[where] = self._name(where)
        return named

    def _name(self, where: str) -> str:
        if not where or "!" in where or where.startswith("<"):
            return where  # a workbook cell, or nothing on disk
        if any(joint in where for joint in _JOINTS):
            # A citation of several places ("scenario.yaml:4, changing national.yaml:15",
            # or "a.yaml:3; b.yaml:9"): each file in it named the same way.
            return _FILE_IN_TEXT.sub(lambda m: self._path(m.group(0)), where)
        path, colon, line = where.rpartition(":")
        if not (colon and line.isdigit()):
            path, line = where, ""
        shown = self._path(path)
        return f"{shown}:{line}" if line else shown

    def _path(self, path: str) -> str:
        real = _real(Path(path))
        for base in self._bases:
            if real.is_relative_to(base):
                shown = real.relative_to(base).as_posix()
                break
        else:
            # A scenario kept elsewhere: by its name, as the Provenance sheet lists it.
            shown = real.name
        return shown


def _real(path: Path) -> Path:
    """``path`` made absolute from the current folder, with its symlinks resolved."""
    try:
        return path.resolve()
    except OSError:
        return Path(os.path.abspath(path))


def portable_sources(
    names: Callable[[str], str], rows: list[tuple[Cell, ...]], column: int
) -> list[tuple[Cell, ...]]:
    """``rows`` with the file:line in ``column`` named by ``names``."""
    return [(*row[:column], names(str(row[column])), *row[column + 1 :]) for row in rows]
