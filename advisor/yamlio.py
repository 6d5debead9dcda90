"""Safe YAML in, atomic YAML out, with line numbers for every value.

PyYAML's safe composer gives us nodes with positions; we build plain Python
data from them ourselves so that every error can point at ``file:line:col``.
Aliases are refused (they are how "billion laughs" files blow up), as are
duplicate keys (PyYAML silently keeps the last one) and oversized files.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's composer when available (about 10x faster, same node marks); the
# pure-Python safe loader otherwise. Either way only the safe tag set is used.
_BASE_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"


class _Composer(_BASE_COMPOSER):  # type: ignore[misc,valid-type]
    """The safe composer with scalar tag resolution memoized.

    PyYAML resolves every plain scalar with a chain of regular expressions in
    Python (about 25 µs each); a 10,000-workload file repeats the same few
    hundred values (kinds, option ids, counts) 190,000 times. The safe loader
    has no path-dependent resolvers, so (value, implicit) decides the tag.
    """

    _resolved: dict = {}

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML's signature
        if kind is yaml.ScalarNode and len(value) < 64:
            key = (value, implicit)
            tag = self._resolved.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._resolved) < 50_000:
                    self._resolved[key] = tag
            return tag
        return super().resolve(kind, value, implicit)


_COMPOSER = _Composer

# A questionnaire is a few KB; a platform team's 10,000-workload inventory is
# a few MB (issue 13 item 7). Aliases are refused, so these caps bound memory.
MAX_BYTES = 16 * 1024 * 1024
MAX_NODES = 1_000_000

Loc = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed YAML plus where each value (and each mapping key) sits in the file."""

    data: Any
    source: str
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``loc``, or of its nearest ancestor that exists."""
        loc = tuple(loc)
        table = self.keys if key else self.values
        if loc in table:
            return table[loc]
        while loc:
            if loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (None, None))


class YamlError(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.field = field


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def dotted(loc: Loc) -> str | None:
    """``("workloads", 0, "profile")`` → ``workloads[0].profile`` (None for the root)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or None


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.seen: set[int] = set()
        self.count = 0
        self.scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if id(node) in self.seen:
            # The alias itself has no position in PyYAML's node graph: point at
            # the key (or list) where it is used.
            line, col = self.doc.locate(loc)
            raise YamlError(
                "YAML anchors and aliases (&name / *name) are not supported; write the value out",
                line,
                col,
                dotted(loc),
            )
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(f"file has more than {MAX_NODES:,} values; refusing to read it")
        self.doc.values[loc] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError("mapping keys must be plain text", *_mark(key_node))
                if key_node.tag == "tag:yaml.org,2002:merge":  # before constructing: SafeLoader cannot
                    raise YamlError("YAML merge keys (<<) are not supported", *_mark(key_node), dotted(loc))
                key = self._scalar(key_node, loc)
                if not isinstance(key, (str, int, float, bool)):
                    key = str(key)
                if key in out:
                    raise YamlError(f"key '{key}' appears twice in this mapping", *_mark(key_node), dotted(loc + (key,)))
                self.doc.keys[loc + (key,)] = _mark(key_node)
                out[key] = self.build(value_node, loc + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, loc)

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        # Fast paths for the two commonest tags, same results as the constructor.
        if node.tag == _STR_TAG:
            return node.value
        if node.tag == _INT_TAG and node.value.isdigit() and node.value.isascii() and (node.value == "0" or node.value[0] != "0"):
            return int(node.value)
        try:
            return self.scalars.construct_object(node)
        except ValueError as exc:  # e.g. a date like 2026-02-30: point at it
            raise YamlError(f"not valid YAML: '{node.value}': {exc}", *_mark(node), dotted(loc)) from None


def parse_yaml(text: str, source: str = "<string>") -> Document:
    """Parse one YAML document from text. Raises YamlError with a position."""
    doc = Document(data=None, source=source)
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise YamlError(f"not valid YAML: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError("YAML is nested too deeply") from None
    if node is None:
        raise YamlError("file is empty", 1, 1)
    try:
        doc.data = _Builder(doc).build(node, ())
    except RecursionError:
        raise YamlError("YAML is nested too deeply") from None
    except yaml.YAMLError as exc:  # a scalar that does not construct (bad timestamp, …)
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except ValueError as exc:  # e.g. a date like 2026-02-30
        raise YamlError(f"not valid YAML: {exc}") from None
    return doc


def _wide_text(raw: bytes) -> str | None:
    """'UTF-16' / 'UTF-32' when the bytes are text in a wide encoding (by BOM, or by the
    zero bytes of mostly-ASCII text), else None."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = raw[:4096]
    for name, width in (("UTF-32", 4), ("UTF-16", 2)):
        for offset in range(width):
            chars = sample[offset::width]
            zeros = sum(sample[i::width].count(0) for i in range(width) if i != offset)
            if chars and zeros >= (width - 1) * len(chars) * 0.9 and 0 not in chars[:-1]:
                try:
                    raw.decode(f"{name.lower()}-{'le' if offset == 0 else 'be'}")
                except UnicodeDecodeError:
                    continue
                return name
    return None


def read_yaml(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a YAML file with the guards above."""
    import errno
    import stat as st

    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise YamlError("file not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise YamlError("symbolic link loop; the file cannot be reached") from None
        raise YamlError(f"cannot read file: {exc.strerror}") from None
    if st.S_ISDIR(info.st_mode):
        raise YamlError("is a folder, not a YAML file")
    if not st.S_ISREG(info.st_mode):
        # FIFOs, devices and sockets would block or never end: refuse before opening.
        raise YamlError("is not a regular file (a pipe, device or socket); refusing to read it")
    if info.st_size > max_bytes:
        raise YamlError(f"file is {info.st_size:,} bytes; the limit is {max_bytes:,}")
    try:
        # Read at most max_bytes + 1 whatever stat said (the file may grow, or lie).
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not st.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise YamlError("is not a regular file (a pipe, device or socket); refusing to read it")
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise YamlError(f"file is larger than the limit of {max_bytes:,} bytes")
    if b"\x00" in raw:
        encoding = _wide_text(raw)
        if encoding:
            raise YamlError(f"file is {encoding} text; save it as UTF-8 (most editors: Save As, Encoding: UTF-8)")
        raise YamlError("file is binary, not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(f"file is not UTF-8 text (byte {exc.start})", line, column) from None
    if not text.strip():
        raise YamlError("file is empty", 1, 1)
    return parse_yaml(text, str(path))


def dump_yaml(data: Any) -> str:
    """Block-style YAML, keys in the order given, unicode kept readable."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _target_mode(p: Path) -> int:
    """The mode the written file should have: the existing file's, else what the umask gives a new file.

    mkstemp creates its file 0600; without this an edit would turn a 0644 questionnaire private.
    """
    try:
        return p.stat().st_mode & 0o7777
    except OSError:
        pass
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read the umask the only portable way, and put it back
    os.umask(mask)
    return 0o666 & ~mask


def _replace_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write data so that readers see the old file or the new one, never half of either; keep the mode."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(p)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            try:
                os.fchmod(fh.fileno(), mode)
            except (OSError, AttributeError):  # pragma: no cover - no fchmod (Windows)
                pass
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write text atomically (see _replace_atomic), UTF-8."""
    _replace_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    _replace_atomic(path, data)
