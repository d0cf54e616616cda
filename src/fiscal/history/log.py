"""``fiscal history ID``: every change of one parameter or agreement across the git log.

The commits that touched the object's file (``parameters/a/b.yaml`` for ``a.b``,
``agreements/<id>.yaml`` for an agreement) are walked oldest first; each is compared
with its first parent by the same semantic diff as ``fiscal diff``, so a commit that only
reformats the file shows nothing and a commit that changes a value shows the effective
date, the old and the new value. Uncommitted changes in the working tree come last.
Rulesets are loaded once per distinct tree of the ruleset folder.

In a shallow clone (``git clone --depth``, the default of CI checkouts) git shows the
oldest commit it holds as if it had no parent, so every value would look "added" by it.
That commit is recognised (:meth:`GitRepo.is_shallow_boundary`) and shows no changes,
and the history says it is incomplete (:attr:`History.warning`) in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fiscal.files.git import UNSHALLOW, Commit, GitError, GitRepo
from fiscal.history.changes import Change, Side, agreement_changes, parameter_changes
from fiscal.history.versions import WORKTREE, LoadedRules, Snapshot, Sources, VersionRef, load_rules


@dataclass(frozen=True)
class HistoryEntry:
    """One change of the object (a dated value, share or term, old and new) and the commit
    that made it."""

    commit: Commit | None  # None: not committed yet (the working tree)
    change: Change


@dataclass
class History:
    """Every change of one parameter or agreement, oldest first, and what could not be read."""

    ident: str  # the parameter path or agreement id asked for
    rules_path: str  # the ruleset folder inside the repository ("" for its top)
    entries: list[HistoryEntry] = field(default_factory=list)
    unreadable: list[tuple[Commit, str]] = field(default_factory=list)  # rulesets that did not load
    shallow: bool = False  # read from a shallow clone: the history before it is missing
    # Where the shallow clone's history stops: commits whose changes cannot be known.
    boundary: list[Commit] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        """Why this history may be incomplete, or None when it is whole."""
        if not self.shallow:
            return None
        if self.boundary:
            first = self.boundary[0]
            return (
                f"history incomplete: this is a shallow clone whose history starts at "
                f"{first.short} ({first.day}); changes before it are not shown, and what "
                f"{first.short} holds is not listed as added by it; {UNSHALLOW}"
            )
        return (
            f"history may be incomplete: this is a shallow clone (git clone --depth); {UNSHALLOW}"
        )


def object_files(rules_path: str, ident: str) -> list[str]:
    """The files (inside the repository) that can hold a parameter or agreement ``ident``."""
    base = f"{rules_path}/" if rules_path else ""
    return [f"{base}parameters/{ident.replace('.', '/')}.yaml", f"{base}agreements/{ident}.yaml"]


def object_history(rules: Path, ident: str, worktree: bool = True) -> History:
    """The history of parameter or agreement ``ident`` in the ruleset folder ``rules``.

    With ``worktree``, uncommitted changes come last. An id that no commit and no file
    knows raises :class:`GitError` (a typo, not an unchanged object).
    """
    sources = Sources(rules, rules)
    repo = sources.repo
    rel = repo.relative(rules)
    committed = _has_commits(repo)
    commits = repo.log(object_files(rel, ident)) if committed else []
    result = History(ident, rel, shallow=committed and repo.is_shallow())
    cache: dict[str, LoadedRules | None] = {}

    def side_at(commit: Commit) -> Side | None:
        """The ruleset as committed in ``commit``; None if it has no ruleset or it fails to load."""
        tree = repo.tree(commit, rel)
        if tree is None:
            return None
        if tree not in cache:
            ref = VersionRef(commit.short, "commit", commit)
            cache[tree] = load_rules(Snapshot(ref, rel, repo.read_tree(tree)))
        loaded = cache[tree]
        if loaded is None or loaded.ruleset is None:
            return None
        # The same tree in another commit: show this commit's hash after "@".
        return Side(loaded.ruleset, commit.short, loaded.snapshot.texts())

    def parent_side(commit: Commit) -> Side | None:
        """The ruleset before ``commit`` (its first parent); None for the first commit."""
        if not commit.parents:
            return None
        return side_at(repo.commit(commit.parents[0]))

    for commit in commits:
        if result.shallow and repo.is_shallow_boundary(commit):
            # Its parent is not in the clone: what changed here cannot be known.
            result.boundary.append(commit)
            continue
        new = side_at(commit)
        if new is None and repo.tree(commit, rel) is not None:
            result.unreadable.append((commit, "the ruleset does not load at this commit"))
            continue
        for change in _changes(ident, parent_side(commit), new):
            result.entries.append(HistoryEntry(commit, change))
    if worktree and rules.is_dir():
        head = side_at(repo.commit("HEAD")) if _has_commits(repo) else None
        loaded = load_rules(sources.rules_snapshot(VersionRef(WORKTREE, "worktree")))
        if loaded.ruleset is not None:
            work = Side(loaded.ruleset, "worktree", loaded.snapshot.texts())
            result.entries += [HistoryEntry(None, c) for c in _changes(ident, head, work)]
    if not result.entries and not _known(ident, rules, result):
        older = ""
        if result.shallow:
            older = f" (this shallow clone holds only part of it; {UNSHALLOW})"
        raise GitError(
            f"no parameter or agreement {ident!r} in the history of {rel or '.'}{older}; "
            "a parameter is named by its path (e.g. local_consumption_tax.vat_share)"
        )
    return result


def _changes(ident: str, old: Side | None, new: Side | None) -> list[Change]:
    return parameter_changes(ident, old, new) + agreement_changes(ident, old, new)


def _has_commits(repo: GitRepo) -> bool:
    return repo.git("rev-parse", "--verify", "--quiet", "HEAD").returncode == 0


def _known(ident: str, rules: Path, history: History) -> bool:
    """Whether ``ident`` exists now, so an empty history means "never changed", not a typo."""
    files = object_files("", ident)
    return bool(history.unreadable) or any((rules / f).is_file() for f in files)
