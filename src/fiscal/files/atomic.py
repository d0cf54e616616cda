"""Writing a file so that it is either whole or not there, and never over what a run read.

Every file ``fiscal`` writes (workbooks, and the YAML of an import) goes through one
helper, :func:`staged`: the content is written to a file beside the destination, which
takes the destination's name in one step only when it is complete, after which the
folder itself is flushed (``fsync``), so the new name survives a power cut too. A
failure, Ctrl-C or a kill leaves the old file as it was and no temporary file behind:

- On Linux the file is first written without any name (``O_TMPFILE``): if the process
  dies, even by SIGKILL, the kernel drops it. Once written it is linked into the folder
  (a new name) or linked under a temporary name and renamed over the old file (with
  ``overwrite``): the only moment a temporary name exists is between those two calls.
- Elsewhere (or on a file system without ``O_TMPFILE``) it is a named temporary file
  ``.NAME.XXXX.tmp``, removed on any error or Ctrl-C.

Without ``overwrite`` an existing file is never replaced: the final step is a hard
link, which fails if the name was taken meanwhile.

A writer is also told what the run read (:class:`Read`: the ruleset and inputs folders
in use, scenario files, a workbook being imported). It refuses to write over any of
them, or anywhere inside those folders, with or without ``--force``: paths are compared
after every symlink is followed, and files and folders by device and inode as well, so
neither a symlink nor a hard link can pass an input off as an output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fiscal.errors import Problem, SourcePos, UserError, display_path

_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_PROC_FD = Path("/proc/self/fd")


# --- what a run read, and may not write over -----------------------------------------------


@dataclass(frozen=True)
class Read:
    """A file or folder a run reads; ``role`` names it for the user ("the ruleset folder")."""

    role: str
    path: Path


def reads(
    rules: Path | None = None,
    inputs: Path | None = None,
    files: Iterable[tuple[str, Path | None]] = (),
) -> list[Read]:
    """The usual set: the ruleset folder, the inputs folder and any files given."""
    found = []
    if rules is not None:
        found.append(Read("the ruleset folder", rules))
    if inputs is not None:
        found.append(Read("the inputs folder", inputs))
    found += [Read(role, path) for role, path in files if path is not None]
    return found


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _linked_into(dest: Path, folder: Path) -> bool:
    """Whether ``dest`` is a hard link to a file inside ``folder``: looked for only when
    ``dest`` has more than one name, which a workbook almost never has."""
    try:
        st = dest.stat()
    except OSError:
        return False
    if st.st_nlink < 2:
        return False
    wanted = (st.st_dev, st.st_ino)
    for top, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                found = os.stat(os.path.join(top, name), follow_symlinks=False)
                if (found.st_dev, found.st_ino) == wanted:
                    return True
    return False


def _clash(dest: Path, read: Read, *, folder: bool) -> str | None:
    """Why writing ``dest`` would destroy ``read``, or None if it would not."""
    target = dest.resolve()
    source = read.path.resolve()
    shown = display_path(read.path)
    if read.path.is_dir():
        ident = _identity(read.path)
        ancestors = [target, *target.parents]
        if source in ancestors or (
            ident is not None and any(_identity(a) == ident for a in ancestors)
        ):
            return f"lies inside {read.role} {shown}, which this run reads"
        if folder and target in source.parents:
            return f"holds {read.role} {shown}, which this run reads"
        if _linked_into(dest, read.path):
            return f"is the same file as one in {read.role} {shown} (a hard link)"
        return None
    if target == source:
        return f"is {read.role} {shown}, which this run reads"
    ident = _identity(read.path)
    if ident is not None and _identity(dest) == ident:
        return f"is the same file as {read.role} {shown} (a hard link), which this run reads"
    if folder and target in source.parents:
        return f"holds {read.role} {shown}, which this run reads"
    return None


def refuse_read(
    dest: Path,
    read: Iterable[Read],
    *,
    folder: bool = False,
    hint: str = "Choose another name with -o",
) -> None:
    """Raise if ``dest`` (a file, or with ``folder`` a folder to replace) would overwrite,
    lie inside, or (a folder) contain anything the run reads."""
    problems = [
        Problem(
            SourcePos.of(dest),
            f"{why}; fiscal never writes over its own rules, inputs or scenarios, even with "
            f"--force. {hint}",
        )
        for why in (_clash(dest, r, folder=folder) for r in read)
        if why is not None
    ]
    if problems:
        raise UserError(problems[:1])


# --- refusals ---------------------------------------------------------------------------------


def refuse_overwrite(path: Path) -> UserError:
    """The refusal of an existing destination, naming ``--force`` and ``-o`` (or: a folder)."""
    if path.is_dir():
        return _is_folder(path)
    return UserError(
        [
            Problem(
                SourcePos.of(path),
                "file exists; not overwritten. Use --force to replace it, "
                "or -o to choose another name",
            )
        ]
    )


def _is_folder(path: Path) -> UserError:
    return UserError(
        [Problem(SourcePos.of(path), "is a folder, not a file; choose a file name with -o")]
    )


def _cannot_write(path: Path, exc: OSError) -> UserError:
    if isinstance(exc, PermissionError):
        what = f"permission denied: {exc.strerror}"
    else:
        what = f"cannot write here: {exc.strerror or exc}"
    return UserError([Problem(SourcePos.of(path), what)])


# --- the one staging helper -------------------------------------------------------------------


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class Staged:
    """A new file being written in ``folder``, not yet under its final name.

    ``path`` is where a writer opens it, as it would any path. :meth:`place` gives it
    its name in one step and flushes the folder; :meth:`discard` (always called by
    :func:`staged`) drops whatever was not placed.
    """

    def __init__(self, folder: Path, name: str, mode: int | None) -> None:
        self.folder = folder
        self._mode = _new_file_mode() if mode is None else mode
        self._fd = _anonymous_file(folder)
        self._temp: Path | None = None
        if self._fd is None:
            fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            os.close(fd)
            self._temp = Path(temp)
            os.chmod(self._temp, self._mode)  # as any new file, not mkstemp's owner-only mode
        self.placed = False

    @property
    def path(self) -> Path:
        """The path to open the staged file by: an unnamed file (via /proc) or a hidden temp."""
        if self._fd is not None:
            return _PROC_FD / str(self._fd)
        assert self._temp is not None
        return self._temp

    def finish(self) -> None:
        """Flush the content to disk and set its permissions, before it is named."""
        if self._fd is not None:
            os.fchmod(self._fd, self._mode)
            os.fsync(self._fd)
            return
        assert self._temp is not None
        with self._temp.open("rb+") as handle:
            os.fsync(handle.fileno())

    def place(self, dest: Path, *, overwrite: bool) -> None:
        """Give the finished file ``dest``'s name (in this folder), then flush the folder."""
        folder_fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if self._fd is not None:
                self._place_anonymous(dest, folder_fd, overwrite)
            else:
                self._place_named(dest, overwrite)
            self.placed = True
            with contextlib.suppress(OSError):  # the new name, on disk too
                os.fsync(folder_fd)
        finally:
            os.close(folder_fd)

    def _place_anonymous(self, dest: Path, folder_fd: int, overwrite: bool) -> None:
        assert self._fd is not None
        if not overwrite:
            try:
                _link(self._fd, dest.name, folder_fd)
            except FileExistsError:
                raise refuse_overwrite(dest) from None
            return
        name = f".{dest.name}.{os.getpid()}.{self._fd}.tmp"
        _link(self._fd, name, folder_fd)
        try:
            os.replace(name, dest.name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=folder_fd)

    def _place_named(self, dest: Path, overwrite: bool) -> None:
        assert self._temp is not None
        if overwrite:
            os.replace(self._temp, dest)
            return
        try:
            os.link(self._temp, dest)
        except FileExistsError:
            raise refuse_overwrite(dest) from None
        except OSError:
            # File systems without hard links: a checked rename is the next best thing.
            if dest.exists():
                raise refuse_overwrite(dest) from None
            os.replace(self._temp, dest)

    def discard(self) -> None:
        """Drop the staged file if it was not placed; safe to call more than once."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()


@contextlib.contextmanager
def staged(folder: Path, name: str, mode: int | None = None) -> Iterator[Staged]:
    """A :class:`Staged` file in ``folder`` for ``name``, dropped at the end unless placed."""
    stage = Staged(folder, name, mode)
    try:
        yield stage
    finally:
        stage.discard()


def write_atomic(
    dest: Path,
    write: Callable[[Path], None],
    *,
    overwrite: bool,
    read: Iterable[Read] = (),
) -> None:
    """Call ``write(path)`` to fill a new file, then give it ``dest``'s name in one step.

    ``read`` is what the run read: ``dest`` may be none of it, nor inside any of its
    folders, whatever ``overwrite`` says.
    """
    refuse_read(dest, read)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise UserError([Problem(SourcePos.of(folder), "output folder does not exist")])
    if dest.is_dir():
        raise _is_folder(dest)
    if dest.exists() and not overwrite:
        raise refuse_overwrite(dest)
    try:
        with staged(folder, dest.name) as stage:
            write(stage.path)
            stage.finish()
            stage.place(dest, overwrite=overwrite)
    except OSError as exc:  # a full disk, a read-only file system, a lost permission
        if isinstance(exc, IsADirectoryError) and dest.is_dir():
            raise _is_folder(dest) from None
        raise _cannot_write(dest, exc) from None


def _anonymous_file(folder: Path) -> int | None:
    """A file descriptor of a new file without a name in ``folder``, or None if the
    system cannot make one (then a named temporary file is used)."""
    if not _O_TMPFILE or not _PROC_FD.is_dir():
        return None
    try:
        return os.open(folder, _O_TMPFILE | os.O_WRONLY, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _link(fd: int, name: str, folder_fd: int) -> None:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N names an O_TMPFILE file; os.link
    # calls linkat only when a folder descriptor is given, so give one.
    os.link(_PROC_FD / str(fd), name, dst_dir_fd=folder_fd, follow_symlinks=True)


# --- a whole folder, staged beside its destination -------------------------------------------

PARTIAL = "fiscal-partial"  # in the name of a folder still being built: never a result


def write_folder_atomic(
    dest: Path,
    build: Callable[[Path], object],
    *,
    overwrite: bool,
    read: Iterable[Read] = (),
) -> None:
    """Call ``build(folder)`` to fill a new folder, then give it ``dest``'s name in one step.

    The folder is built in a hidden sibling, ``.NAME.fiscal-partial.PID.XXXX``, so only a
    complete folder ever appears under ``dest``. Ctrl-C, SIGTERM or SIGHUP removes the
    partial folder on the way out; a SIGKILL cannot, so the next run removes any partial
    folder whose process is gone (and never reads one). An existing ``dest`` (with
    ``overwrite``) is swapped with the new folder in one step where Linux allows
    (``renameat2`` with ``RENAME_EXCHANGE``), else moved aside just before.
    """
    refuse_read(dest, read, folder=True, hint="Choose another folder")
    parent = dest.resolve().parent
    if not parent.is_dir():
        raise UserError([Problem(SourcePos.of(parent), "parent folder does not exist")])
    if dest.exists() and not dest.is_dir():
        raise UserError([Problem(SourcePos.of(dest), "is a file; expected a folder to write")])
    if dest.exists() and not overwrite:
        raise UserError([Problem(SourcePos.of(dest), "folder exists; use --force to replace it")])
    clean_partial(parent, dest.name)
    prefix = f".{dest.name}.{PARTIAL}.{os.getpid()}."
    try:
        with tempfile.TemporaryDirectory(dir=parent, prefix=prefix) as temp:
            made = Path(temp) / "new"
            made.mkdir()
            build(made)
            if dest.exists():
                if not _exchange(made, dest):
                    os.rename(dest, Path(temp) / "old")
                    os.rename(made, dest)
            else:
                os.rename(made, dest)
            flush_folder(parent)
    except OSError as exc:
        raise _cannot_write(dest, exc) from None


def clean_partial(parent: Path, name: str) -> list[Path]:
    """Remove the partial folders for ``name`` left by runs that were killed; return them.

    A partial folder names the process that made it; one whose process still runs is
    another run's, and is left alone. If a killed run had already moved the old folder
    aside (only where the folders cannot be swapped in one step), it is put back.
    """
    import shutil

    removed = []
    for stale in parent.glob(f".{name}.{PARTIAL}.*"):
        pid = stale.name.removeprefix(f".{name}.{PARTIAL}.").split(".")[0]
        if not pid.isdigit() or _alive(int(pid)) or not stale.is_dir():
            continue
        old = stale / "old"
        if old.is_dir() and not (parent / name).exists():
            os.rename(old, parent / name)
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this run has none yet: any with its number is from a reused pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where that is not possible."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def flush_folder(folder: Path) -> None:
    """Flush a folder's entries to disk (some file systems cannot: then nothing is done)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
