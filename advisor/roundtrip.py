"""Rewrite a hand-written YAML file with new answers, keeping everything else as written.

The interview edits questionnaires that people wrote by hand: comments, ``>-``
blocks, flow-style answers and key order carry meaning for their readers. This
module merges the interview's answers (plain data) into ruamel.yaml's
round-trip tree of the file as it was opened, so that an edit to one field
changes that field's line and nothing else. A value equal to what the file
already holds keeps its node (and so its style, quotes and comments).

``rewrite`` returns None when the original cannot be round-tripped or the
result would not read back as exactly the given data; the caller then falls
back to writing the file afresh. Reading and validation stay in
:mod:`advisor.yamlio`; this is only the write side.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

Loc = tuple[str | int, ...]
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Comments this module adds (and removes again once the answer is valid).
MARK = "invalid, kept as typed:"


def _yaml(text: str) -> YAML:
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except Exception:  # noqa: BLE001 - any parse trouble: caller falls back
        indent, block_seq_indent = 2, 0
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a long line someone wrote
    y.indent(mapping=2, sequence=indent or 2, offset=block_seq_indent or 0)
    return y


def _equal(a: Any, b: Any) -> bool:
    """Equal as answers (0 == 0.0, but True is not 1), containers compared deeply."""
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    return a == b and type(a) is type(b)


def _is_answer(v: Any) -> bool:
    return isinstance(v, dict) and "value" in v and set(v) <= {"value", "confidence", "note"}


def _fresh(value: Any) -> Any:
    """A new value as ruamel nodes: answers in flow style ({value: …}), like the interview writes them."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _fresh(v)
        if _is_answer(value) and not isinstance(value.get("value"), (dict, list)):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_fresh(v) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value) and len(value) > 0 and all(isinstance(v, (int, float)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _fold_width(old: FoldedScalarString) -> int:
    """The longest line the author folded ``old`` at (72 when it was one line)."""
    cuts = [0, *getattr(old, "fold_pos", []), len(old)]
    return max(72 if len(cuts) == 2 else 20, *(b - a for a, b in zip(cuts, cuts[1:])))


def _folded(text: str, width: int) -> FoldedScalarString:
    """A ``>-`` string folded at spaces so that no line is longer than width (as the author wrote it)."""
    out = FoldedScalarString(text)
    folds: list[int] = []
    start = 0
    last_space = None
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] != " ":
            if i - start > width and last_space is not None:
                folds.append(last_space)
                start = last_space + 1
            last_space = i
    if len(text) - start > width and last_space is not None and last_space > start:
        folds.append(last_space)
    out.fold_pos = folds  # type: ignore[attr-defined]
    return out


def _scalar(old: Any, new: Any) -> Any:
    """A changed text keeps the block style it had (``>-`` stays folded)."""
    if isinstance(new, str) and not isinstance(new, (FoldedScalarString, LiteralScalarString)):
        if isinstance(old, FoldedScalarString) and "\n" not in new:
            return _folded(new, _fold_width(old))
        if isinstance(old, LiteralScalarString):
            return LiteralScalarString(new)
    return new


def _merge_map(node: CommentedMap, new: dict) -> None:
    for k in [k for k in node if k not in new]:
        del node[k]
    keys = list(new)
    for k in new:
        if k in node:
            old = node[k]
            v = new[k]
            if isinstance(old, CommentedMap) and isinstance(v, dict) and not (_is_answer(v) != _is_answer(old)):
                _merge_map(old, v)
            elif isinstance(old, CommentedSeq) and isinstance(v, list):
                _merge_seq(old, v)
            elif not _equal(old, v):
                node[k] = _scalar(old, v) if not isinstance(v, (dict, list)) else _fresh(v)
            continue
        # a new key: after the nearest key before it (in the model's order) that the file has
        pos = 0
        for prev in reversed(keys[: keys.index(k)]):
            if prev in node:
                pos = list(node).index(prev) + 1
                break
        node.insert(pos, k, _fresh(new[k]))


def _ident(v: Any) -> tuple | None:
    """What names a list item (a workload's name, a vendor's option), if anything does."""
    if isinstance(v, dict):
        for k in ("name", "option"):
            if isinstance(v.get(k), str):
                return (k, str(v[k]))
    return None


def _drop_removed(node: CommentedSeq, new: list) -> None:
    """Items removed from a list of named items (a workload, a vendor) take their own comments with
    them, rather than the items after them shifting into their place (and under their comments)."""
    old_ids = [_ident(v) for v in node]
    new_ids = [_ident(v) for v in new]
    if None in old_ids or None in new_ids or len(set(old_ids)) != len(old_ids) or len(set(new_ids)) != len(new_ids):
        return
    keep = set(new_ids)
    for i in reversed(range(len(node))):
        if old_ids[i] not in keep:
            del node[i]


def _merge_seq(node: CommentedSeq, new: list) -> None:
    _drop_removed(node, new)
    while len(node) > len(new):
        del node[len(node) - 1]
    for i, v in enumerate(new):
        if i >= len(node):
            node.append(_fresh(v))
            continue
        old = node[i]
        if isinstance(old, CommentedMap) and isinstance(v, dict):
            _merge_map(old, v)
        elif isinstance(old, CommentedSeq) and isinstance(v, list):
            _merge_seq(old, v)
        elif not _equal(old, v):
            node[i] = _scalar(old, v) if not isinstance(v, (dict, list)) else _fresh(v)


def _drop_marks(node: Any) -> None:
    """Remove the comments this module added on an earlier write."""
    if isinstance(node, CommentedMap):
        for k, item in list(node.ca.items.items()):
            tok = item[2] if len(item) > 2 else None
            if tok is not None and MARK in getattr(tok, "value", ""):
                item[2] = None
        for v in node.values():
            _drop_marks(v)
    elif isinstance(node, CommentedSeq):
        for v in node:
            _drop_marks(v)


def _comment(root: Any, loc: Loc, text: str) -> None:
    parent: Any = root
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return
    key = loc[-1]
    if isinstance(parent, CommentedMap) and key in parent:
        existing = parent.ca.items.get(key)
        if existing and len(existing) > 2 and existing[2] is not None:
            return  # the author's own comment stays
        parent.yaml_add_eol_comment(f"# {MARK} {text}", key, column=0)


@functools.lru_cache(maxsize=4)
def _parse(original: str) -> tuple[YAML, CommentedMap] | None:
    """The round-trip tree of a file's text, parsed once per text (every save reuses it)."""
    y = _yaml(original)
    try:
        root = y.load(original)
    except Exception:  # noqa: BLE001 - not round-trippable: caller writes afresh
        return None
    return (y, root) if isinstance(root, CommentedMap) else None


def rewrite(original: str, data: dict, *, comments: dict[Loc, str] | None = None) -> str | None:
    """The original text with data's answers in it, or None if that cannot be done faithfully.

    ``comments`` maps a location to a message for an invalid answer (written as an end-of-line
    comment unless the author already has one there). Keys the file does not have yet go after
    the key that precedes them in data (give data in the model's order).
    """
    parsed = _parse(original)
    if parsed is None or not isinstance(data, dict):
        return None
    y, tree = parsed
    root = copy.deepcopy(tree)  # the parse is cached: a copy costs a fraction of parsing again
    out = io.StringIO()
    try:
        _drop_marks(root)
        _merge_map(root, data)
        for loc, text in (comments or {}).items():
            _comment(root, tuple(loc), text)
        y.dump(root, out)
    except Exception:  # noqa: BLE001 - anything ruamel cannot do: the caller writes the file afresh
        return None
    # two spaces before the added comments, as the interview writes them elsewhere
    text = re.sub(r"(?<=\S) +# " + re.escape(MARK), "  # " + MARK, out.getvalue())
    try:
        back = yaml.load(text, Loader=_SAFE)
    except yaml.YAMLError:
        return None
    return text if _equal_data(back, data) else None


def _equal_data(a: Any, b: Any) -> bool:
    """Same data, ignoring key order (the file's order is kept on purpose)."""
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_equal_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal_data(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b)
