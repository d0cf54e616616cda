"""Every command in the README and the guides runs as written, so the docs cannot rot.

Each guide gets its own copy of a small rule repository laid out like a checkout of
`fiscal` (``fiscal/src/``, ``fiscal/rules/korea``, ``fiscal/examples/korea-2025``, with
git history: tags ``v2025.1`` and ``v2025.2``, a VAT-share change between them), and
beside the checkout the folders the guides name (``../my-rules/``, ``../old-rules/``,
...). Beside, not inside: with no ``--rules`` a command uses the one ruleset in the
current folder, so a user who copied rules into the checkout would see every plain
command refuse ("2 rulesets in the current folder"), and the docs must show a layout in
which the commands they print work. Its ```bash blocks run in one bash script in the
checkout, line by line, each line's exit code checked; its ```python blocks run as one
Python script; a block after ``<!-- file: NAME -->`` is written to NAME first.

`fiscal` is a real process per command, started through :mod:`tests.zygote` so that
the ~70 commands do not each pay a second of imports. The national-scale commands
(``fiscal synth``, ``national/``) take a minute and run only with ``pytest -m slow``.
"""

from __future__ import annotations

import compileall
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import fiscal.cli.app as cli
from fiscal.cli import options
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO
from tests.history_repo import VAT, edit, git
from tests.zygote import shim

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
FILE_MARK = re.compile(r"^<!-- file: (\S+) -->$")
# Lines of a bash block that are run; anything else must be one of NOT_RUN.
RUN = re.compile(r"^(?:[A-Z_]+=\S*\s+)*fiscal(?:\s|$)|^[A-Za-z_]+=\S*$|^test\s")
NOT_RUN = ("python3 -m venv", "pip install", "pytest", "python -m benchmarks", "git ", "gh ")
SLOW = re.compile(r"fiscal synth|national/")
CHECKOUT = "fiscal"  # the checkout the guides' commands run in; the user's folders beside it
ROLE_GUIDES = ("quickstart", "budget-officers", "template-staff", "auditors", "glossary")


@dataclass
class Doc:
    path: Path
    bash: list[tuple[int, str]] = field(default_factory=list)  # (line in the doc, command)
    python: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def parse(path: Path) -> Doc:
    doc = Doc(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i, mark = 0, None
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            found = FILE_MARK.match(lines[i])
            mark = found.group(1) if found else (mark if not lines[i].strip() else None)
            i += 1
            continue
        lang, start = fence.group(1), i + 1
        end = next(j for j in range(start, len(lines)) if lines[j].startswith("```"))
        body = lines[start:end]
        if mark:
            doc.files[mark] = "\n".join(body) + "\n"
        elif lang == "bash":
            doc.bash += _commands(body, start + 1, doc)
        elif lang == "python":
            doc.python.append("\n".join(body))
        i, mark = end + 1, None
    return doc


def _commands(body: list[str], first_line: int, doc: Doc) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pending, at = "", 0
    for n, raw in enumerate(body, first_line):
        text = raw.strip()
        if not pending:
            at = n
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        command = re.sub(r"\s+#\s.*$", "", pending + text).strip()
        pending = ""
        if not command or command.startswith("#"):
            continue
        if RUN.match(command):
            out.append((at, command))
        else:
            doc.skipped.append(command)
    return out


def expected_codes(command: str) -> set[int]:
    if re.search(r"(^|\s)fiscal diff\s", command + " ") and "||" not in command:
        return {0, 3}  # 3: the rules changed
    return {0}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``fiscal/``, a rule repository laid out like a checkout of fiscal
    with two tagged versions, and beside it the user's own folders the guides name."""
    beside = tmp_path_factory.mktemp("docs") / "template"
    root = beside / CHECKOUT
    shutil.copytree(
        REPO / "src" / "fiscal",
        root / "src" / "fiscal",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    compileall.compile_dir(root / "src", quiet=1)
    rules, inputs = root / "rules" / "korea", root / "examples" / "korea-2025"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text("src/\n", encoding="utf-8")
    git(root, "add", "-A", day="2024-06-01")
    git(root, "commit", "-q", "-m", "The bundled Korean rules", day="2024-06-01")
    shutil.copytree(rules, beside / "old-rules")
    edit(
        rules / VAT,
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n',
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n'
        '  2026-01-01: {value: 0.3, reference: "VAT Act art. 72 as amended (example)"}\n',
    )
    git(root, "commit", "-q", "-am", "The VAT share at 30% from 2026", day="2025-02-01")
    for tag, commit in (
        ("v2025.1", "HEAD~1"),
        ("v2025.2", "HEAD"),
        ("v1", "HEAD~1"),
        ("v2", "HEAD"),
    ):
        git(root, "tag", tag, commit)
    shutil.copytree(rules, beside / "new-rules")
    shutil.copytree(rules, beside / "my-rules")
    shutil.copytree(inputs, beside / "my-inputs")
    for own in ("my-rules", "my-inputs"):  # each in a repository of its own, as advised
        git(beside / own, "init", "-q")
        git(beside / own, "add", "-A", day="2025-03-01")
        git(beside / own, "commit", "-q", "-m", "Our copy", day="2025-03-01")
    return beside


@contextmanager
def zygote(src: Path) -> Iterator[str]:
    """A fiscal server importing ``src``; yields its socket path."""
    folder = tempfile.mkdtemp(prefix="fz", dir="/tmp")
    path = os.path.join(folder, "s")
    env = {**os.environ, "PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "zygote.py"), path],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        yield path
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Outcome:
    doc: Doc
    codes: dict[int, int]  # line in the doc -> exit code
    output: str
    python: subprocess.CompletedProcess[str] | None


def run_doc(doc: Doc, template: Path, where: Path, slow: bool = False) -> Outcome:
    shutil.copytree(template, where / doc.path.stem, symlinks=True)
    folder = where / doc.path.stem / CHECKOUT
    for name, text in doc.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    has_verify = "verify" in {c.name for c in cli.app.registered_commands}
    commands = [
        (at, c)
        for at, c in doc.bash
        if bool(SLOW.search(c)) == slow and (has_verify or not c.startswith("fiscal verify"))
    ]
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PYTHONPATH")},
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "PYTHONPATH": str(folder / "src"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    python = None
    if not commands and not (doc.python and not slow):
        return Outcome(doc, {}, "", None)
    with zygote(folder / "src") as socket_path:
        bin_dir = folder / ".bin"
        bin_dir.mkdir()
        shim(bin_dir, socket_path)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        script = "set -o pipefail\n" + "".join(
            f'{command}\necho "@@ {at} $?" >&2\n' for at, command in commands
        )
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", script],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if doc.python and not slow:
            blocks = folder / ".doc-python.py"
            blocks.write_text("\n\n".join(doc.python) + "\n", encoding="utf-8")
            runner = shim(bin_dir, socket_path, "doc-python", blocks)
            python = subprocess.run(
                [str(runner)],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
    codes = {int(a): int(c) for a, c in re.findall(r"^@@ (\d+) (\d+)$", done.stderr, re.M)}
    return Outcome(doc, codes, done.stdout + done.stderr, python)


@pytest.fixture(scope="module")
def outcomes(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    where = tmp_path_factory.mktemp("ran")
    docs = [parse(p) for p in DOCS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {d.path.name: pool.submit(run_doc, d, template, where) for d in docs}
        return {name: f.result() for name, f in futures.items()}


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_every_command_of_the_doc_runs_as_written(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    for at, command in outcome.doc.bash:
        if at not in outcome.codes:
            continue  # slow, or a command not built yet (fiscal verify)
        code = outcome.codes[at]
        assert code in expected_codes(command), (
            f"{name}:{at}: `{command}` exited {code}\n{outcome.output[-3000:]}"
        )
    for command in outcome.doc.skipped:
        assert command.startswith(NOT_RUN), f"{name}: not run, and not known: {command}"
    if outcome.python is not None:
        assert outcome.python.returncode == 0, f"{name}: python blocks\n{outcome.python.stderr}"


def test_the_guides_exist_and_the_readme_links_every_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for guide in (REPO / "docs").glob("*.md"):
        assert f"(docs/{guide.name})" in readme, guide.name
    for role in ROLE_GUIDES:
        assert (REPO / "docs" / f"{role}.md").is_file()
    commands = {p.stem: parse(p) for p in DOCS}
    assert all(commands[g].bash for g in ROLE_GUIDES if g != "glossary")


def _exit_code_table(path: Path) -> dict[int, str]:
    text = path.read_text(encoding="utf-8")
    table = text[text.index("| exit code | meaning |") :]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", table.split("\n\n")[0], re.M)
    return {int(code): meaning for code, meaning in rows}


def test_exit_codes_are_one_table_in_the_readme_and_the_docs_and_the_code() -> None:
    readme = _exit_code_table(REPO / "README.md")
    docs = _exit_code_table(REPO / "docs" / "cli.md")
    assert readme == docs
    assert set(readme) == set(options.EXIT_CODES)


@pytest.mark.slow
def test_the_national_scale_commands_run(
    template: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """About a minute: run only when slow tests are asked for (``pytest -m slow``); the
    generator and the two tiers are tested at a small size in test_national_scale.py."""
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("the national-scale commands take a minute: run with -m slow")
    readme = parse(REPO / "README.md")
    outcome = run_doc(readme, template, tmp_path, slow=True)
    assert outcome.codes, "no national-scale command found in the README"
    for at, command in readme.bash:
        if at in outcome.codes:
            assert outcome.codes[at] == 0, f"README.md:{at}: `{command}`\n{outcome.output[-3000:]}"
