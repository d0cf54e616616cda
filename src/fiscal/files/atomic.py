"""Writing a file so that it is either whole or not there.

The content is written to a file beside the destination, which takes the destination's
name in one step only when it is complete. A failure, Ctrl-C or a kill leaves the old
file as it was and no temporary file behind:

- On Linux the file is first written without any name (``O_TMPFILE``): if the process
  dies, even by SIGKILL, the kernel drops it. Once written it is linked into the folder
  (a new name) or linked under a temporary name and renamed over the old file (with
  ``overwrite``): the only moment a temporary name exists is between those two calls.
- Elsewhere (or on a file system without ``O_TMPFILE``) it is a named temporary file
  ``.NAME.XXXX.tmp``, removed on any error or Ctrl-C.

Without ``overwrite`` an existing file is never replaced: the final step is a hard
link, which fails if the name was taken meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from fiscal.errors import Problem, SourcePos, UserError

_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_PROC_FD = Path("/proc/self/fd")


def refuse_overwrite(path: Path) -> UserError:
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


def write_atomic(dest: Path, write: Callable[[Path], None], *, overwrite: bool) -> None:
    """Call ``write(path)`` to fill a new file, then give it ``dest``'s name in one step."""
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise UserError([Problem(SourcePos.of(folder), "output folder does not exist")])
    if dest.is_dir():
        raise _is_folder(dest)
    if dest.exists() and not overwrite:
        raise refuse_overwrite(dest)
    try:
        anonymous = _anonymous_file(folder)
        if anonymous is None:
            _write_named(dest, folder, write, overwrite)
        else:
            _write_anonymous(anonymous, dest, folder, write, overwrite)
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


def _write_anonymous(
    fd: int, dest: Path, folder: Path, write: Callable[[Path], None], overwrite: bool
) -> None:
    try:
        # The writer opens the file again by this name, as it would any path.
        write(_PROC_FD / str(fd))
        os.fsync(fd)
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if not overwrite:
                try:
                    _link(fd, dest.name, folder_fd)
                except FileExistsError:
                    raise refuse_overwrite(dest) from None
                return
            name = f".{dest.name}.{os.getpid()}.{fd}.tmp"
            _link(fd, name, folder_fd)
            try:
                os.replace(name, dest.name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=folder_fd)
        finally:
            os.close(folder_fd)
    finally:
        os.close(fd)


def _link(fd: int, name: str, folder_fd: int) -> None:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N names an O_TMPFILE file; os.link
    # calls linkat only when a folder descriptor is given, so give one.
    os.link(_PROC_FD / str(fd), name, dst_dir_fd=folder_fd, follow_symlinks=True)


def _write_named(dest: Path, folder: Path, write: Callable[[Path], None], overwrite: bool) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    temp = Path(name)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as any new file, not mkstemp's owner-only mode
        write(temp)
        if overwrite:
            os.replace(temp, dest)
            return
        try:
            os.link(temp, dest)
        except FileExistsError:
            raise refuse_overwrite(dest) from None
        except OSError:
            # File systems without hard links: a checked rename is the next best thing.
            if dest.exists():
                raise refuse_overwrite(dest) from None
            os.replace(temp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


# For other writers that stage several files before moving them in (fiscal import).
anonymous_file = _anonymous_file
link_anonymous = _link
