"""A `fiscal` command that starts in milliseconds, for tests that run many commands.

Each `fiscal` run spends about a second importing numpy, pydantic and the rule models
before it does any work. The server below imports them once, then forks a fresh
process per command: the child runs the real entry point (``fiscal.cli.app.main``) with the
command's own argv, working folder, environment and standard streams, and its exit
code goes back to the caller. Only the imports are shared; every command is still a
process of its own, so nothing one command does leaks into the next.

The ``fiscal`` that the tests put on PATH is :func:`client`, a tiny script that passes
its argv, folder, environment and streams (as file descriptors) over a Unix socket.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

PRELOAD = (
    "fiscal.cli.app",
    "fiscal.api",
    "fiscal.report.frames",
    "fiscal.excel.workbook",
    "fiscal.report.workbooks",
    "fiscal.history.report",
    "fiscal.history.diff",
    "xlsxwriter",
)


def serve(path: str) -> None:
    import importlib

    for module in PRELOAD:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    server.settimeout(2)
    parent = os.getppid()
    print("ready", flush=True)
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the test run is gone: do not linger
                return
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            server.close()
            _handle(conn)  # never returns
        conn.close()


def _handle(conn: socket.socket) -> None:
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(message.decode("utf-8"))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = request["argv"]
        code = 0
        try:
            if request.get("script"):  # a Python file instead of the command line
                source = Path(request["script"]).read_text(encoding="utf-8")
                exec(compile(source, request["script"], "exec"), {"__name__": "__main__"})
            else:
                from fiscal.cli.app import main

                main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    conn.sendall(str(code if code >= 0 else 128 - code).encode())
    conn.close()
    os._exit(0)


def client(path: str, script: str | None = None) -> None:
    """Run ``fiscal ARGV`` (or, with ``script``, that Python file) through the server."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        request = {
            "argv": ["fiscal", *sys.argv[1:]],
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "script": script,
        }
        socket.send_fds(conn, [json.dumps(request).encode("utf-8")], [0, 1, 2])
        reply = b""
        while chunk := conn.recv(64):
            reply += chunk
    sys.exit(int(reply or b"1"))


def shim(folder: Path, socket_path: str, name: str = "fiscal", script: Path | None = None) -> Path:
    """Write an executable ``name`` into ``folder`` that runs ``fiscal`` (or ``script``)
    through the server."""
    here = Path(__file__).resolve().parent
    target = folder / name
    run = str(script) if script is not None else None
    target.write_text(
        f"#!{sys.executable} -S\n"
        "import sys\n"
        f"sys.path.insert(0, {str(here)!r})\n"
        "from zygote import client\n"
        f"client({socket_path!r}, {run!r})\n",
        encoding="utf-8",
    )
    target.chmod(0o755)
    return target


if __name__ == "__main__":
    serve(sys.argv[1])
