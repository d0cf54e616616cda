"""Writing a file so that it is either whole or not there.

The content goes to a temporary file beside the destination, then takes its name in
one rename. A failure or Ctrl-C leaves the old file as it was and no temporary file
behind. Without ``overwrite``, an existing file is never replaced: the final step is a
hard link, which fails if the name was taken meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from fiscal.errors import Problem, SourcePos, UserError


def refuse_overwrite(path: Path) -> UserError:
    return UserError(
        [
            Problem(
                SourcePos.of(path),
                "file exists; not overwritten. Use --force to replace it, "
                "or -o to choose another name",
            )
        ]
    )


def write_atomic(dest: Path, write: Callable[[Path], None], *, overwrite: bool) -> None:
    """Call ``write(temp_path)`` and move the result to ``dest`` in one step."""
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise UserError([Problem(SourcePos.of(folder), "output folder does not exist")])
    if dest.exists() and not overwrite:
        raise refuse_overwrite(dest)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        if overwrite:
            os.replace(temp, dest)
        else:
            try:
                os.link(temp, dest)
            except FileExistsError:
                raise refuse_overwrite(dest) from None
            except OSError:
                # File systems without hard links: a checked rename is the next best thing.
                if dest.exists():
                    raise refuse_overwrite(dest) from None
                os.replace(temp, dest)
    except PermissionError as exc:
        raise UserError(
            [Problem(SourcePos.of(dest), f"permission denied: {exc.strerror}")]
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
