"""A ruleset (or inputs folder) as it was in one version: a commit, the working tree or a folder.

A version's files are read into memory (from git with ``ls-tree`` and ``cat-file``, or
from disk), written to a private temporary folder and loaded there with the one ruleset
loader. Every file:line of the loaded ruleset is then moved back onto the path the
user knows (``rules/korea/parameters/x.yaml``, inside the repository), so a diff or an
error points at the repository and not at the temporary folder. The user's working
tree and index are never written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel

from fiscal.errors import Problem, SourcePos, UserError, display_path
from fiscal.files.git import Commit, GitError, GitRepo
from fiscal.report.provenance import FileHash, GitState, Provenance
from fiscal.rules.input_files import check_inputs, input_files
from fiscal.rules.inputs import Inputs
from fiscal.rules.loader import check_ruleset, rule_files
from fiscal.rules.models import Located
from fiscal.rules.ruleset import Ruleset
from fiscal.source.yaml_reader import read_regular_file

WORKTREE = "WORKTREE"
Kind = Literal["commit", "worktree", "folder"]


@dataclass(frozen=True)
class VersionRef:
    """One side of a comparison, as the user named it."""

    name: str  # as given: "HEAD~1", "WORKTREE", "old-rules/"
    kind: Kind
    commit: Commit | None = None

    @property
    def tag(self) -> str:
        """What follows ``@`` in a file:line: the short hash, ``worktree``, or nothing."""
        if self.commit is not None:
            return self.commit.short
        return "worktree" if self.kind == "worktree" else ""

    @property
    def label(self) -> str:
        """How reports name this version: ``HEAD~1 (1a2b3c4)``, ``working tree`` or a folder."""
        if self.commit is not None:
            return (
                self.name
                if self.name == self.commit.short
                else f"{self.name} ({self.commit.short})"
            )
        return "working tree" if self.kind == "worktree" else self.name


@dataclass(frozen=True)
class Snapshot:
    """A folder's files in one version, in memory: path inside the folder -> bytes."""

    ref: VersionRef
    prefix: str  # how the folder's paths are shown: "rules/korea" in a repository
    files: Mapping[str, bytes]

    def display(self, rel: str) -> str:
        """A path inside the folder as reports show it (with the folder's prefix)."""
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def texts(self) -> dict[str, bytes]:
        """The files by the path they are shown with."""
        return {self.display(rel): data for rel, data in self.files.items()}

    def with_files(self, remove: Iterable[str], add: Mapping[str, bytes]) -> Snapshot:
        """This snapshot with some files taken out and others put in (one change applied)."""
        files = {k: v for k, v in self.files.items() if k not in set(remove)}
        files.update(add)
        return dataclasses.replace(self, files=files)

    def relative(self, shown: str) -> str | None:
        """The path inside the folder of a path as shown, or None if it is not in it."""
        if not self.prefix:
            return shown
        head = self.prefix + "/"
        return shown[len(head) :] if shown.startswith(head) else None


@dataclass(frozen=True)
class LoadedRules:
    """One version of the rules, loaded: the ruleset (None if it would not load) and every
    problem, at the file:line of that version."""

    snapshot: Snapshot
    ruleset: Ruleset | None
    problems: list[Problem]
    hashes: list[FileHash]  # SHA-256 of every file the loader read


class Sources:
    """Where versions come from: the ruleset folder, the inputs folder and their repository."""

    def __init__(self, rules: Path, inputs: Path) -> None:
        self.rules = rules
        self.inputs = inputs
        self._repo: GitRepo | None = None

    @property
    def repo(self) -> GitRepo:
        """The git repository holding the ruleset folder; :class:`GitError` if there is none."""
        if self._repo is None:
            self._repo = GitRepo.containing(self.rules)
        return self._repo

    def ref(self, name: str) -> VersionRef:
        """A revision, ``WORKTREE``, or a folder (any existing folder is taken as one)."""
        if name == WORKTREE:
            self.repo  # noqa: B018 - the working tree of a repository: there must be one
            return VersionRef(name, "worktree")
        if Path(name).is_dir():
            return VersionRef(name, "folder")
        return VersionRef(name, "commit", self.repo.commit(name))

    def as_of(self, day: date) -> VersionRef:
        """The version committed by the end of ``day`` (``--rules-as-of``)."""
        commit = self.repo.commit_as_of(day)
        return VersionRef(f"as of {day.isoformat()}", "commit", commit)

    def rules_snapshot(self, ref: VersionRef) -> Snapshot:
        """The ruleset's YAML files as of ``ref``: from a folder, a commit or the working tree."""
        if ref.kind == "folder":
            return _disk_snapshot(ref, Path(ref.name), display_path(ref.name))
        return self._repo_snapshot(ref, self.rules, "the ruleset")

    def inputs_snapshot(self, ref: VersionRef) -> Snapshot:
        """The inputs as of ``ref`` when they live in the same repository, else as on disk."""
        if ref.kind == "folder" or not self.repo_holds(self.inputs):
            disk = VersionRef(str(self.inputs), "folder")
            return _disk_snapshot(disk, self.inputs, display_path(self.inputs))
        return self._repo_snapshot(ref, self.inputs, "the inputs")

    def repo_holds(self, path: Path) -> bool:
        """Whether ``path`` lies inside the ruleset's repository (False when there is none)."""
        try:
            return self.repo.contains(path)
        except GitError:
            return False

    def _repo_snapshot(self, ref: VersionRef, folder: Path, what: str) -> Snapshot:
        rel = self.repo.relative(folder)
        if ref.kind == "worktree":
            if not folder.is_dir():
                raise GitError(f"the working tree has no folder {rel or '.'} ({what})")
            return _disk_snapshot(ref, folder, rel)
        assert ref.commit is not None
        tree = self.repo.tree(ref.commit, rel)
        if tree is None:
            raise GitError(f"revision {ref.label} has no folder {rel or '.'} ({what})")
        files = {p: data for p, data in self.repo.read_tree(tree).items() if _wanted(p)}
        return Snapshot(ref, rel, files)


def _wanted(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return (
        rel.endswith(".yaml")
        and ".." not in parts
        and not any(p.startswith(".") for p in parts)
        and not PurePosixPath(rel).is_absolute()
    )


def _disk_snapshot(ref: VersionRef, folder: Path, prefix: str) -> Snapshot:
    if not folder.is_dir():
        raise UserError([Problem(SourcePos.of(folder), "folder not found")])
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in sorted(folder.rglob("*.yaml")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or not _wanted(rel):
            continue
        # The reader's guarded read: a named pipe or a device is refused, never waited on.
        try:
            raw, why = read_regular_file(path)
        except OSError as exc:
            raw, why = None, f"cannot read file: {exc.strerror or exc}"
        if raw is None:
            problems.append(Problem(SourcePos.of(path), why))
        else:
            files[rel] = raw
    if problems:
        raise UserError(problems)
    return Snapshot(ref, prefix, files)


def materialise(snapshot: Snapshot, root: Path) -> None:
    """Write the snapshot's files under ``root`` (a private temporary folder)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in snapshot.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def load_rules(snapshot: Snapshot) -> LoadedRules:
    """Load a ruleset snapshot; file:line in the result name the snapshot's own paths."""
    with tempfile.TemporaryDirectory(prefix="fiscal-rules-") as tmp:
        root = Path(tmp) / "rules"
        materialise(snapshot, root)
        ruleset, problems = check_ruleset(root)
        fix = _relocator(root, snapshot)
        problems = [_relocated(p, fix, snapshot.ref) for p in problems]
        if ruleset is not None:
            relocate(ruleset, fix)
            ruleset = dataclasses.replace(
                ruleset,
                root=Path(snapshot.prefix or "."),
                files=tuple(Path(fix(SourcePos.of(f)).file) for f in ruleset.files),
            )
        hashes = _hashes("rules", root, [f for f in rule_files(root) if f.is_file()])
    return LoadedRules(snapshot, ruleset, problems, hashes)


def load_inputs(snapshot: Snapshot) -> tuple[Inputs, list[FileHash]]:
    """Load an inputs snapshot, raising :class:`UserError` with every problem found."""
    with tempfile.TemporaryDirectory(prefix="fiscal-inputs-") as tmp:
        root = Path(tmp) / "inputs"
        materialise(snapshot, root)
        inputs, problems = check_inputs(root)
        fix = _relocator(root, snapshot)
        if problems or inputs is None:
            raise UserError([_relocated(p, fix, snapshot.ref) for p in problems])
        hashes = _hashes("inputs", root, [f for f in input_files(root) if f.is_file()])
    # A projection problem may point at an input value: show the repository's path.
    return dataclasses.replace(
        inputs,
        root=Path(snapshot.prefix or "."),
        files=tuple(Path(fix(SourcePos.of(f)).file) for f in inputs.files),
        national={
            name: dataclasses.replace(
                s, source=fix(s.source), sources={y: fix(p) for y, p in s.sources.items()}
            )
            for name, s in inputs.national.items()
        },
        regional={
            name: dataclasses.replace(
                i, source=fix(i.source), sources={r: fix(p) for r, p in i.sources.items()}
            )
            for name, i in inputs.regional.items()
        },
    ), hashes


def _hashes(role: str, root: Path, files: list[Path]) -> list[FileHash]:
    return [
        FileHash(role, f.relative_to(root).as_posix(), hashlib.sha256(f.read_bytes()).hexdigest())
        for f in files
    ]


def _relocator(root: Path, snapshot: Snapshot) -> Callable[[SourcePos], SourcePos]:
    roots = [root, root.resolve()]
    cwd = Path.cwd()

    def fix(pos: SourcePos) -> SourcePos:
        """``pos`` with a temporary path replaced by the path the version shows."""
        if not pos.file or pos.file.startswith("<"):
            return pos
        path = Path(pos.file)
        if not path.is_absolute():
            path = cwd / path
        for base in roots:
            try:
                rel = path.relative_to(base)
            except ValueError:
                continue
            shown = snapshot.display(rel.as_posix()) if rel.parts else (snapshot.prefix or ".")
            return dataclasses.replace(pos, file=shown)
        return pos

    return fix


def _relocated(problem: Problem, fix: Callable[[SourcePos], SourcePos], ref: VersionRef) -> Problem:
    where = fix(problem.where)
    suffix = f" (in {ref.label})" if ref.kind == "commit" else ""
    return Problem(where, problem.message + suffix)


def relocate(ruleset: Ruleset, fix: Callable[[SourcePos], SourcePos]) -> None:
    """Move the source of every rule object of ``ruleset`` through ``fix``."""
    seen: set[int] = set()

    def walk(obj: Any) -> None:
        """Relocate ``obj`` and every rule object inside it, each once."""
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, Located):
            obj.located(fix(obj.source))
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))
        elif isinstance(obj, list | tuple):
            for item in obj:
                walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item)

    for part in (
        ruleset.manifest,
        ruleset.mega_regions,
        ruleset.regions,
        ruleset.parameters,
        ruleset.rules,
        ruleset.ministries,
        ruleset.agreements,
    ):
        walk(part)


def require(loaded: LoadedRules) -> Ruleset:
    """The loaded ruleset, or a :class:`UserError` listing why it cannot be used."""
    if loaded.problems or loaded.ruleset is None:
        raise UserError(loaded.problems)
    return loaded.ruleset


@dataclass(frozen=True)
class AsOf:
    """The rules as committed on a date, materialised in a temporary folder for a command."""

    folder: Path
    ruleset: Ruleset
    commit: Commit
    day: date
    repository: Path
    path: str

    def stamp(self, provenance: Provenance) -> Provenance:
        """Provenance that names the commit the rules were read from, not the temporary copy."""
        return dataclasses.replace(
            provenance,
            rules_path=f"{self.repository / self.path} as committed on {self.day.isoformat()}",
            rules_git=GitState(self.commit.sha, False, str(self.repository)),
        )


@contextmanager
def rules_as_of(rules: Path, day: date) -> Iterator[AsOf]:
    """The ruleset folder ``rules`` as committed on ``day`` (end of day, first parents of HEAD)."""
    sources = Sources(rules, rules)
    ref = sources.as_of(day)
    snapshot = sources.rules_snapshot(ref)
    with tempfile.TemporaryDirectory(prefix="fiscal-rules-") as tmp:
        root = Path(tmp) / (PurePosixPath(snapshot.prefix).name or "rules")
        materialise(snapshot, root)
        ruleset, problems = check_ruleset(root)
        fix = _relocator(root, snapshot)
        if problems or ruleset is None:
            raise UserError([_relocated(p, fix, ref) for p in problems])
        relocate(ruleset, fix)
        ruleset = dataclasses.replace(ruleset, root=Path(snapshot.prefix or "."))
        assert ref.commit is not None
        yield AsOf(root, ruleset, ref.commit, day, sources.repo.top, snapshot.prefix)
