"""Reading YAML rule and input files into plain data that remembers its lines.

One way in for every YAML file `fiscal` reads. PyYAML's C composer gives nodes with
marks; this module turns them into dicts, lists and scalars under YAML 1.2 core rules
(``yes``/``no``/``on`` stay strings, ``1_000`` stays a string, dates stay strings until
a model asks for a date), and records the line of every key and item so a later error
can point at it. Aliases (``*name``) are refused, which also shuts out "billion laughs";
duplicate keys, several documents in one file, tabs, bad UTF-8 and oversized files are
problems, not surprises. So is anything that is not a regular file: a device such as
``/dev/zero`` says it is 0 bytes long and never ends, and a named pipe blocks until a
writer comes, so the file is opened without blocking, checked on the open descriptor
(no race between the check and the read) and read no further than the size limit.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from fiscal.errors import Problem, SourcePos

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64

Path_ = tuple[Any, ...]

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULL = {"~", "null", "Null", "NULL", ""}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
# The tag a plain (unquoted, untagged) scalar gets while composing: its value is
# resolved by YAML 1.2 rules in _scalar, so PyYAML's YAML 1.1 guess is never needed.
_PLAIN = "tag:fiscal.invalid,2026:plain"
# Tags PyYAML's YAML 1.1 resolver gives plain text that YAML 1.2 reads as text.
_YAML11_ONLY = {"tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"}
_UNCLOSED = {
    "while parsing a flow mapping",
    "while parsing a flow sequence",
    "while scanning a quoted scalar",
}
_STR = "tag:yaml.org,2002:str"
# YAML 1.1 (and so PyYAML) counts NEL, U+2028 and U+2029 as line breaks; YAML 1.2 reads
# them as ordinary characters. Each is swapped for a private-use stand-in while parsing,
# so lines are counted as an editor counts them, and swapped back in every value.
_NOT_BREAKS = ("\x85", "\u2028", "\u2029")
_SPECIAL_FLOATS = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """The C composer, without PyYAML's YAML 1.1 guess at every plain scalar's type
    (a regex search per scalar, and a second one to undo it: a third of the parse)."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """The tag of a node: an untagged plain scalar is left for ``plain_scalar`` to read."""
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        tag: str = super().resolve(kind, value, implicit)
        return tag


@dataclass
class YamlDoc:
    """A parsed YAML file: its data and the (line, column) of every key and item."""

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # SHA-256 of the bytes parsed (set by load_yaml), so provenance records what was
    # read, not what the file holds when a workbook is written.
    sha256: str = ""

    def pos(self, loc: Path_ = ()) -> SourcePos:
        """The source position of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        line, col = self.positions.get(loc, (1, 1))
        return SourcePos.of(self.path, line, col)


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def plain_scalar(text: str) -> Any:
    """Resolve an unquoted scalar by YAML 1.2 core rules (no YAML 1.1 booleans or ``1_000``)."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return Decimal(text)
    special = _SPECIAL_FLOATS.get(text.lower())
    if special is not None:
        return Decimal(special)
    return text


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, list[Problem]]:
    """The file's text as UTF-8 (a leading BOM dropped), or the problem that stops reading it."""
    text, _, problems = _read(path, max_bytes)
    return text, problems


def _read(path: Path, max_bytes: int) -> tuple[str | None, bytes, list[Problem]]:
    """The file's text, the bytes it was decoded from, or the problem that stops reading it."""
    where = SourcePos.of(path)
    try:
        raw, refused = read_regular_file(path, max_bytes)
    except FileNotFoundError:
        return None, b"", [Problem(where, "file not found")]
    except PermissionError:
        if path.is_dir():  # Windows cannot open a folder as a file
            return None, b"", [Problem(where, "expected a file, found a folder")]
        return None, b"", [Problem(where, "permission denied: cannot read this file")]
    except OSError as exc:
        return None, b"", [Problem(where, f"cannot read file: {exc.strerror or exc}")]
    if raw is None:
        return None, b"", [Problem(where, refused)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return (
            None,
            raw,
            [
                Problem(
                    SourcePos.of(path, line),
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                )
            ],
        )
    return text.removeprefix("\ufeff"), raw, []


# Opening a named pipe for reading waits for a writer; O_NONBLOCK returns at once instead.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Unread:
    """Why a file's bytes were not read: ``kind`` is "folder", "special" (a device, a
    named pipe, a socket: ``mode`` says which), "too large" (``size`` its claimed
    size) or "grew" (past the limit while it was read)."""

    kind: str
    mode: int = 0
    size: int = 0


def read_capped(path: Path, max_bytes: int) -> bytes | Unread:
    """The bytes of ``path`` (symbolic links followed), or why they were not read.

    The one safe read of a file whose name came from a user, for YAML and workbooks
    alike: opened without blocking (a named pipe with no writer would wait forever), the
    kind of file checked on the opened descriptor (so it cannot be swapped between the
    check and the read), and at most ``max_bytes + 1`` bytes ever read, whatever the
    file's size claims (a device reports 0). Raises :class:`OSError` when the file cannot
    be opened."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return Unread("folder")
        if not stat.S_ISREG(info.st_mode):
            return Unread("special", mode=info.st_mode)
        if info.st_size > max_bytes:
            return Unread("too large", size=info.st_size)
        chunks: list[bytes] = []
        got = 0
        while got <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > max_bytes:  # the file grew while it was read
            return Unread("grew")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_regular_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes | None, str]:
    """The bytes of a YAML file (see :func:`read_capped`), or None and why it was refused:
    a folder, anything that is not a regular file, or more than ``max_bytes`` bytes.
    Raises :class:`OSError` when the file cannot be opened."""
    unread = read_capped(path, max_bytes)
    if isinstance(unread, bytes):
        return unread, ""
    if unread.kind == "folder":
        return None, "expected a file, found a folder"
    if unread.kind == "special":
        return None, f"{_kind(unread.mode)}, not a regular file; expected a YAML file"
    if unread.kind == "too large":
        return None, f"file is {unread.size:,} bytes; the limit is {max_bytes:,} bytes"
    return None, f"file is larger than the limit of {max_bytes:,} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "this is a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "this is a device"
    if stat.S_ISSOCK(mode):
        return "this is a socket"
    return "this is a special file"


def load_yaml(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML file; on any problem return ``None`` and the problems found."""
    text, raw, problems = _read(path, max_bytes)
    if text is None:
        return None, problems
    doc, problems = parse_yaml(text, path)
    if doc is not None:
        doc.sha256 = hashlib.sha256(raw).hexdigest()
    return doc, problems


def _stand_ins(text: str) -> dict[str, str]:
    """A private-use character, absent from ``text``, for each of ``_NOT_BREAKS`` in it."""
    found = [c for c in _NOT_BREAKS if c in text]
    if not found:
        return {}
    spare = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    return {next(spare): c for c in found}


def parse_yaml(text: str, path: Path) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse the text of one YAML file (``path`` only names it in problems).

    One document, read by YAML 1.2 core rules, with the line of every key and item; on
    malformed YAML, a forbidden character, several documents, an empty file or a refused
    construct (a tag, an alias), None and the one problem at its line.
    """
    if not text.strip():
        return None, [Problem(SourcePos.of(path, 1), "file is empty; expected a YAML mapping")]
    stand_ins = _stand_ins(text)
    for spare, char in stand_ins.items():
        text = text.replace(char, spare)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids (NUL, other control characters): the reader gives
        # its offset in the text, not a line.
        # libyaml counts the offset in bytes of the UTF-8 text.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
        offset = len(before)
        line, column = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        name = " (NUL)" if exc.character == 0 else ""
        return None, [
            Problem(
                SourcePos.of(path, line, column),
                f"control character {code}{name} at column {column} is not allowed in a YAML "
                "file; remove it (was the file saved as UTF-16, or is it binary?)",
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = exc.problem or "malformed YAML"
        lines = text.splitlines()  # U+2028 and its kin are stand-ins by now
        opened = exc.context_mark.line + 1 if exc.context_mark is not None else 0
        if exc.context in _UNCLOSED and 0 < opened < line:
            # An unclosed bracket or quote: say where it opened, and point there when
            # the parser only noticed at the end of the file.
            thing = exc.context.removeprefix("while parsing a ").removeprefix("while scanning a ")
            what += f" (in the {thing} that starts on line {opened})"
            if line > len(lines):
                line = opened
        if 0 < line <= len(lines) and "\t" in lines[line - 1]:
            what += " (this line has a tab: YAML indentation must use spaces)"
        return None, [Problem(SourcePos.of(path, line), f"malformed YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(SourcePos.of(path), f"malformed YAML: {exc}")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem(SourcePos.of(path, 1), "file is empty; expected a YAML mapping")]
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        return None, [
            Problem(SourcePos.of(path, line), "several YAML documents in one file; expected one")
        ]
    doc = YamlDoc(path, None)
    if stand_ins:
        for node in _scalars(nodes[0]):
            for spare, char in stand_ins.items():
                node.value = node.value.replace(spare, char)
    try:
        doc.data = _build(nodes[0], (), doc.positions, set(), 0)
    except _Refused as exc:
        return None, [Problem(SourcePos.of(path, exc.node.start_mark.line + 1), exc.message)]
    return doc, []


def _scalars(root: yaml.Node) -> list[yaml.ScalarNode]:
    """Every scalar node under ``root``, each once (an alias is refused later)."""
    found: list[yaml.ScalarNode] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return found


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value: quoted is text; plain follows YAML 1.2 core; an explicit tag wins."""
    if node.style:
        if node.tag not in _STANDARD_TAGS:
            raise _Refused(node, f"YAML tag {node.tag} is not allowed")
        if node.tag != _STR:
            # !!int "5" would be the text "5" to YAML 1.2 readers and 5 to some others:
            # refused, so the file means one thing to every reader.
            name = node.tag.rsplit(":", 1)[-1]
            raise _Refused(
                node,
                f"the YAML tag !!{name} on a quoted value is not allowed; "
                "write the value without quotes and without a tag",
            )
        return node.value
    tag = node.tag
    if tag == _PLAIN or tag in _YAML11_ONLY:
        # No tag was written: YAML 1.2 core rules (not 1.1's yes, 1_000, =, <<).
        return plain_scalar(node.value)
    if tag == _STR:
        return node.value
    if tag not in _STANDARD_TAGS:
        raise _Refused(node, f"YAML tag {tag} is not allowed")
    value = plain_scalar(node.value)
    expected: dict[str, type | tuple[type, ...]] = {
        "tag:yaml.org,2002:int": int,
        "tag:yaml.org,2002:float": (Decimal, int),
    }
    wanted = expected.get(tag)
    if wanted is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
        raise _Refused(node, f"{node.value!r} does not fit its tag {tag.rsplit(':', 1)[-1]}")
    if tag == "tag:yaml.org,2002:float" and isinstance(value, int):
        return Decimal(value)
    return value


def _build(
    node: yaml.Node,
    loc: Path_,
    positions: dict[Path_, tuple[int, int]],
    seen: set[int],
    depth: int,
) -> Any:
    if depth > MAX_DEPTH:
        raise _Refused(node, f"nesting deeper than {MAX_DEPTH} levels")
    if id(node) in seen:
        # The C composer hands an alias back as the very node it names.
        raise _Refused(
            node,
            "this anchored value is reused through a YAML alias (*name); aliases are not allowed",
        )
    seen.add(id(node))
    positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if node.tag not in _STANDARD_TAGS:
        raise _Refused(node, f"YAML tag {node.tag} is not allowed")
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            items.append(_build(child, (*loc, index), positions, seen, depth + 1))
        return items
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node, "mapping keys must be plain values, not lists or mappings")
            if key_node.value == "<<" and not key_node.style:
                raise _Refused(key_node, "YAML merge keys (<<) are not allowed")
            key = _scalar(key_node)
            if isinstance(key, Decimal):
                key = key_node.value
            if key in result:
                raise _Refused(key_node, f"duplicate key {key!r}; each key may appear once")
            child_loc = (*loc, key)
            positions[child_loc] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, child_loc, positions, seen, depth + 1)
        return result
    raise _Refused(node, "unsupported YAML node")  # pragma: no cover
