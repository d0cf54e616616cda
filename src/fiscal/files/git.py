"""Reading a git repository without changing anything in it.

Every git command ``fiscal`` runs goes through this module (:meth:`GitRepo.git` and
:func:`git_output`), and only read-only commands are allowed: ``rev-parse`` to name
commits, ``ls-tree`` and ``cat-file --batch`` to read a folder of a commit into memory,
``log`` and ``rev-list`` to walk history, ``rev-parse --is-shallow-repository`` to know
whether that history is whole, ``status`` and ``ls-files`` to see what is uncommitted.
Nothing here checks out, touches the index or writes in ``.git``
(``GIT_OPTIONAL_LOCKS=0`` keeps even the index refresh ``git status`` would do away),
so a user's uncommitted work is never at risk, and no run leaves ``.git`` changed.

Why the ``git`` command and not a library: it is on every machine that has the
repository, reads every repository format (packs, partial clones, worktrees, SHA-256
repositories, alternates) exactly as the user's own git does, and costs no import time.
Two processes read a whole ruleset at a revision (``ls-tree``, one ``cat-file --batch``).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fiscal.errors import UserError
from fiscal.files.paths import SYMLINK_REFUSED, is_hidden_path

GIT_TIMEOUT = 60
_FIELDS = "%H%x00%h%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%s%x1e"
_REGULAR_FILES = {"100644", "100755"}
SYMLINK_MODE = "120000"
# The only git commands fiscal runs: each reads, none writes the index, refs or objects.
READ_ONLY = frozenset(
    {"rev-parse", "ls-tree", "cat-file", "log", "rev-list", "show", "status", "ls-files"}
)
# What to do about a shallow clone (``git clone --depth``, the default of CI checkouts).
UNSHALLOW = (
    "fetch the whole history with `git fetch --unshallow` "
    "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
)


class GitError(UserError):
    """A git problem the user can fix: not a repository, unknown revision, missing folder."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Commit:
    """A commit as an auditor cites it."""

    sha: str
    short: str
    parents: tuple[str, ...]
    author: str
    email: str
    authored: str  # ISO 8601 with the author's offset
    committed: str  # ISO 8601 with the committer's offset
    subject: str

    @property
    def day(self) -> str:
        """The author date, YYYY-MM-DD."""
        return self.authored[:10]


def _parse_commits(text: str) -> list[Commit]:
    commits = []
    for record in text.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, short, parents, author, email, authored, committed, subject = record.split("\x00")
        commits.append(
            Commit(sha, short, tuple(parents.split()), author, email, authored, committed, subject)
        )
    return commits


class GitRepo:
    """The repository whose top folder is ``top``."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self._shallow: bool | None = None

    @classmethod
    def containing(cls, path: Path) -> GitRepo:
        """The repository holding ``path`` (which need not exist any more on disk)."""
        probe = path.resolve()
        while not probe.is_dir() and probe != probe.parent:
            probe = probe.parent
        try:
            done = subprocess.run(
                ["git", "-C", str(probe), "rev-parse", "--show-toplevel"],
                capture_output=True,
                env=_env(),
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise GitError(
                "the git command is not installed; compare two folders instead"
            ) from None
        if done.returncode != 0:
            raise GitError(
                f"{path} is not in a git repository; give two folders to compare without git"
            )
        return cls(Path(os.fsdecode(done.stdout.strip())))

    def relative(self, path: Path) -> str:
        """``path`` as a path inside the repository (posix, "" for the top folder)."""
        try:
            rel = path.resolve().relative_to(self.top.resolve())
        except ValueError:
            raise GitError(f"{path} is not inside the git repository {self.top}") from None
        return rel.as_posix() if rel.parts else ""

    def contains(self, path: Path) -> bool:
        """Whether ``path`` lies inside this repository's working tree."""
        try:
            path.resolve().relative_to(self.top.resolve())
        except ValueError:
            return False
        return True

    def git(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run a read-only git command in this repository and return what it printed.

        Any other command is refused (ValueError): fiscal reads history, never changes it.
        A failing command is left to the caller (``returncode``); a missing git, or one
        that runs past GIT_TIMEOUT seconds, raises :class:`GitError`.
        """
        _check_read_only(args)
        try:
            return subprocess.run(
                ["git", "-C", str(self.top), "-c", "core.quotepath=off", *args],
                input=stdin,
                capture_output=True,
                env=_env(),
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise GitError("the git command is not installed") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took more than {GIT_TIMEOUT} s") from None

    def _out(self, *args: str, stdin: bytes | None = None) -> bytes:
        done = self.git(*args, stdin=stdin)
        if done.returncode != 0:
            first = os.fsdecode(done.stderr).strip().splitlines()
            raise GitError(f"git {args[0]} failed: {first[0] if first else done.returncode}")
        return done.stdout

    def commit(self, rev: str) -> Commit:
        """The commit a revision names (a hash, branch, tag, ``HEAD~2``, ...)."""
        if not rev or rev.startswith("-"):
            raise GitError(f"{rev!r} is not a revision")
        done = self.git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if done.returncode != 0:
            if self.git("rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
                raise GitError(
                    f"unknown revision {rev!r}: the repository {self.top} has no commits"
                )
            if self.is_shallow():
                raise GitError(
                    f"unknown revision {rev!r}: {self.top} is a shallow clone (git clone "
                    f"--depth), so older commits are not in it; {UNSHALLOW}"
                )
            raise GitError(f"unknown revision {rev!r} in the repository {self.top}")
        return self._show(os.fsdecode(done.stdout.strip()))

    def is_shallow(self) -> bool:
        """Whether this is a shallow clone, whose history stops short of the first commit."""
        if self._shallow is None:
            done = self.git("rev-parse", "--is-shallow-repository")
            # Before git 2.15 the option is echoed back, not answered: taken as "not shallow".
            self._shallow = done.returncode == 0 and done.stdout.strip() == b"true"
        return self._shallow

    def is_shallow_boundary(self, commit: Commit) -> bool:
        """Whether ``commit`` is where a shallow clone's history stops: git shows it without
        parents, but the commit itself names parents that the clone does not hold. Such a
        commit is not a first commit, so what it holds was not "added" by it."""
        if commit.parents or not self.is_shallow():
            return False
        raw = self._out("cat-file", "commit", commit.sha)
        header = raw.split(b"\n\n", 1)[0]
        return any(line.startswith(b"parent ") for line in header.split(b"\n"))

    def _show(self, sha: str) -> Commit:
        text = os.fsdecode(
            self._out("show", "-s", "--no-show-signature", f"--format={_FIELDS}", sha)
        )
        return _parse_commits(text)[0]

    def commit_as_of(self, day: date, ref: str = "HEAD") -> Commit:
        """The commit ``ref`` pointed at by the end of ``day``, following first parents.

        First parents only: on a branch that merges work, "as committed then" means the
        state of the branch that day, not a side commit that was merged later.
        """
        head = self.commit(ref)
        done = self.git(
            "rev-list", "-1", "--first-parent", f"--before={day.isoformat()} 23:59:59", head.sha
        )
        sha = os.fsdecode(done.stdout.strip())
        if done.returncode != 0 or not sha:
            if self.is_shallow():
                raise GitError(
                    f"no commit of {ref} on or before {day.isoformat()} in this shallow clone "
                    f"(git clone --depth): the commits of that day may be older; {UNSHALLOW}"
                )
            raise GitError(f"no commit of {ref} on or before {day.isoformat()}")
        return self._show(sha)

    def tree(self, commit: Commit, folder: str) -> str | None:
        """The id of ``folder``'s tree at ``commit``, or None if it is not a folder there."""
        if not folder:
            done = self.git("rev-parse", "--verify", "--quiet", f"{commit.sha}^{{tree}}")
            return os.fsdecode(done.stdout.strip()) if done.returncode == 0 else None
        # ls-tree on the folder's own path lists its entry in the parent tree (mode, kind, id).
        listing = self._out("ls-tree", "-z", "--full-tree", commit.sha, "--", folder)
        for entry in listing.split(b"\0"):
            meta, _, name = entry.partition(b"\t")
            if os.fsdecode(name) == folder and meta.split(b" ")[1:2] == [b"tree"]:
                return meta.split(b" ")[2].decode()
        return None

    def read_tree(self, tree: str) -> dict[str, bytes]:
        """Every regular file under a tree, by its path inside the tree, read into memory.

        A symbolic link in the tree (outside hidden folders) is refused: see
        :data:`fiscal.files.paths.SYMLINK_REFUSED`."""
        listing = self._out("ls-tree", "-r", "-z", tree)
        paths: dict[str, str] = {}
        links: list[str] = []
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            path = os.fsdecode(name)
            if mode == SYMLINK_MODE and not is_hidden_path(path):
                links.append(path)
            if kind == "blob" and mode in _REGULAR_FILES:
                paths[path] = oid
        if links:
            # The files on disk refuse the same links (fiscal.files.paths), so a ruleset
            # reads the same from git as from the folder, or not at all.
            raise GitError(
                f"{', '.join(links)}: {SYMLINK_REFUSED} (found in the committed tree {tree[:12]})"
            )
        blobs = self._cat_blobs(sorted(set(paths.values())))
        return {path: blobs[oid] for path, oid in sorted(paths.items())}

    def _cat_blobs(self, oids: list[str]) -> dict[str, bytes]:
        if not oids:
            return {}
        out = self._out("cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
        blobs: dict[str, bytes] = {}
        at = 0
        for oid in oids:
            end = out.index(b"\n", at)
            header = out[at:end].decode().split(" ")
            if len(header) != 3:
                raise GitError(f"git cat-file could not read object {oid}")
            size = int(header[2])
            blobs[oid] = out[end + 1 : end + 1 + size]
            at = end + 1 + size + 1
        return blobs

    def log(self, paths: list[str], ref: str = "HEAD") -> list[Commit]:
        """Commits of ``ref`` that changed any of ``paths``, oldest first."""
        head = self.commit(ref)
        text = os.fsdecode(
            self._out("log", "--reverse", f"--format={_FIELDS}", head.sha, "--", *paths)
        )
        return _parse_commits(text)


def git_output(folder: Path, *args: str, timeout: float = GIT_TIMEOUT) -> str | None:
    """What a read-only git command run in ``folder`` prints, or None if it fails (not a
    repository, git missing, too slow): for callers to whom "no answer" is an answer."""
    _check_read_only(args)
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "-c", "core.quotepath=off", *args],
            capture_output=True,
            env=_env(),
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(done.stdout) if done.returncode == 0 else None


def _check_read_only(args: tuple[str, ...]) -> None:
    if not args or args[0] not in READ_ONLY:
        raise ValueError(f"git {args[0] if args else ''} is not a read-only command")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # never refresh (write) the index as a side effect
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.pop("GIT_PAGER", None)
    return env
