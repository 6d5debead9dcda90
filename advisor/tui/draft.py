"""The questionnaire being edited, as plain data that may be incomplete or wrong.

The interview never discards what a user typed: an answer that does not parse
is kept in the data as the text typed, the model reports it as a problem, and
the saved file keeps it with a comment. Results are computed from a copy with
the invalid answers (and incomplete workloads) set aside.
"""

from __future__ import annotations

import copy
import datetime as dt
import typing
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from advisor.errors import AdvisorError, Problem
from advisor.model.questionnaire import Questionnaire
from advisor.yamlio import Document, dotted

Loc = tuple[str | int, ...]
MISSING = "is required but missing"
HEADER = "# advisor questionnaire, written by `advisor interview`. Edit freely; `advisor validate` checks it."


def new_data() -> dict:
    return {"advisor": 1, "workloads": [{"name": "workload-1", "kind": "chat", "profile": {}}]}


def get(data: Any, loc: Loc, default: Any = None) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return default
    return cur


def put(data: dict, loc: Loc, value: Any) -> None:
    cur: Any = data
    for i, part in enumerate(loc[:-1]):
        nxt = loc[i + 1]
        if isinstance(cur, list):
            while len(cur) <= part:  # type: ignore[operator]
                cur.append([] if isinstance(nxt, int) else {})
            cur = cur[part]  # type: ignore[index]
            continue
        if not isinstance(cur.get(part), (dict, list)):
            cur[part] = [] if isinstance(nxt, int) else {}
        cur = cur[part]
    cur[loc[-1]] = value


# Containers that stay even when empty (the model requires them or the file reads better).
_KEEP_EMPTY = {("profile",)}


def remove(data: dict, loc: Loc) -> None:
    """Delete the value at loc, then any mapping left empty above it."""
    parent = get(data, loc[:-1])
    if isinstance(parent, dict):
        parent.pop(loc[-1], None)
    elif isinstance(parent, list) and isinstance(loc[-1], int) and loc[-1] < len(parent):
        parent.pop(loc[-1])
    for depth in range(len(loc) - 1, 0, -1):
        sub = loc[:depth]
        if isinstance(sub[-1], int) or (sub[-1],) in _KEEP_EMPTY:
            break
        node = get(data, sub)
        if isinstance(node, (dict, list)) and not node:
            up = get(data, sub[:-1])
            if isinstance(up, dict):
                up.pop(sub[-1], None)
        else:
            break


def set_answer(data: dict, loc: Loc, value: Any, *, confidence: str | None = None, note: str | None = None) -> None:
    """Write a numeric answer: bare when assumed without a note, else {value, confidence, note}."""
    old = get(data, loc)
    if isinstance(old, dict):
        confidence = confidence if confidence is not None else old.get("confidence")
        note = note if note is not None else old.get("note")
    if value is None and not note and confidence in (None, "assumed"):
        remove(data, loc)
        return
    if confidence in (None, "assumed") and not note:
        put(data, loc, value)
        return
    out: dict[str, Any] = {"value": value}
    if confidence and confidence != "assumed":
        out["confidence"] = confidence
    elif confidence == "assumed" and note:
        out["confidence"] = "assumed"
    if note:
        out["note"] = note
    put(data, loc, out)


def same(a: Any, b: Any) -> bool:
    """Equal as answers: 0 and 0.0 are the same number; True and 1 are not the same answer."""
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b)


def answer_parts(v: Any) -> tuple[Any, str, str]:
    """(value, confidence, note) of a stored answer in either form."""
    if isinstance(v, dict) and "value" in v:
        return v.get("value"), str(v.get("confidence") or "assumed"), str(v.get("note") or "")
    return v, "assumed", ""


# ---------------------------------------------------------------- validation


@dataclass
class Checked:
    """What the model says about the data: problems by field, and a valid copy if one could be made."""

    problems: list[Problem] = field(default_factory=list)
    loaded: Any = None  # advisor.loader.Loaded of the sanitized copy
    set_aside: list[str] = field(default_factory=list)  # invalid answers left out of the results
    incomplete: list[str] = field(default_factory=list)  # workloads left out, and why

    def for_field(self, loc: Loc) -> list[Problem]:
        name = dotted(loc) or ""
        return [p for p in self.problems if p.field and (p.field == name or p.field.startswith(name + ".") or p.field.startswith(name + "["))]


def _validate(data: dict, source: str):
    from advisor.loader import validate_document

    return validate_document(Document(data=data, source=source))


def _parse_field(name: str) -> Loc:
    out: list[str | int] = []
    for part in name.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]"):
            try:
                out.append(int(part[1:-1]))
                continue
            except ValueError:
                pass
        out.append(part)
    return tuple(out)


def check(data: dict, source: str = "<interview>") -> Checked:
    """Validate the data; on problems, set aside what is wrong and try again for the results."""
    out = Checked()
    try:
        out.loaded = _validate(copy.deepcopy(data), source)
        return out
    except AdvisorError as exc:
        out.problems = list(exc.problems)
    work = copy.deepcopy(data)
    problems = out.problems
    kept = list(range(len(work.get("workloads") or []))) if isinstance(work.get("workloads"), list) else []
    seen = {(p.field, p.message) for p in out.problems}
    for _ in range(6):
        dropped_workloads: set[int] = set()
        for p in list(problems):
            loc = _parse_field(p.field or "")
            if not loc:
                continue
            # required workload fields: the workload cannot be priced; set it aside
            if loc[0] == "workloads" and len(loc) >= 2 and isinstance(loc[1], int):
                sub = loc[2:]
                if p.message == MISSING and sub[:1] in (("profile",), ("name",)) or sub in (("profile", "current"), ("profile", "requests_per_month"), ("profile",)):
                    dropped_workloads.add(loc[1])
                    continue
            if loc == ("organization",):
                work["organization"] = "(organization not named yet)"
                continue
            if loc[:1] == ("workloads",) and len(loc) == 1:
                if "two workloads are named" in p.message and isinstance(work.get("workloads"), list):
                    _dedupe_names(work, out, kept, p)
                continue
            # an optional answer: leave it out (its default applies)
            target = loc
            while len(target) > 1 and get(work, target) is None:
                target = target[:-1]
            if target[-1] in ("value", "confidence", "note") and len(target) > 1:
                target = target[:-1]
            if get(work, target) is not None and not isinstance(target[-1], int) or (len(target) > 2 and target[-2] in ("candidates", "dedicated_utilization_recent_months", "vendors")):
                remove(work, target)
                out.set_aside.append(dotted(_remap(target, kept)) or "")
        if dropped_workloads:
            names = []
            for wl in sorted(dropped_workloads, reverse=True):
                w = get(work, ("workloads", wl), {})
                name = w.get("name") if isinstance(w, dict) else None
                names.append(str(name) if isinstance(name, str) and name else f"workload {kept[wl] + 1}")
                work["workloads"].pop(wl)
                kept.pop(wl)
            out.incomplete.extend(reversed(names))
        if not work.get("workloads"):
            return out
        try:
            out.loaded = _validate(work, source)
            return out
        except AdvisorError as exc:
            problems = exc.problems
            # problems found only now (e.g. an unknown option, checked once the model is valid):
            # report them at their place in the answers as typed
            for p in problems:
                if p.message == MISSING and p.field == "organization":
                    continue
                field_ = dotted(_remap(_parse_field(p.field or ""), kept)) if p.field else p.field
                if (field_, p.message) not in seen:
                    seen.add((field_, p.message))
                    out.problems.append(Problem(p.message, file=p.file, line=p.line, column=p.column, field=field_))
    return out


def _dedupe_names(work: dict, out: "Checked", kept: list[int], problem: Problem) -> None:
    """Two workloads with one name: report it at the second one's name, and number it for the results."""
    seen: set = set()
    for i, w in enumerate(work["workloads"]):
        if not isinstance(w, dict):
            continue
        name = w.get("name")
        if name in seen:
            field_ = dotted(_remap(("workloads", i, "name"), kept))
            out.problems.append(Problem(problem.message, file=problem.file, field=field_))
            n = 2
            while f"{name} ({n})" in seen:
                n += 1
            w["name"] = f"{name} ({n})"
            name = w["name"]
        seen.add(name)


def _remap(loc: Loc, kept: list[int]) -> Loc:
    """A location in the sanitized copy → the same place in the answers as typed."""
    if len(loc) >= 2 and loc[0] == "workloads" and isinstance(loc[1], int) and loc[1] < len(kept):
        return ("workloads", kept[loc[1]]) + loc[2:]
    return loc


# ---------------------------------------------------------------- YAML with comments


def _model_order(model: Any, data: Any) -> Any:
    """Keys in the order the model declares them (unknown keys last)."""
    if isinstance(data, list):
        inner = _inner(model, list)
        return [_model_order(inner, x) for x in data]
    if not isinstance(data, dict):
        return data
    if isinstance(model, type) and issubclass(model, BaseModel):
        fields = model.model_fields
        keys = [k for k in fields if k in data] + [k for k in data if k not in fields]
        return {k: _model_order(_field_model(fields[k].annotation) if k in fields else None, data[k]) for k in keys}
    return {k: _model_order(None, v) for k, v in data.items()}


def _field_model(ann: Any) -> Any:
    from advisor.tui.spec import _unwrap

    for a in _unwrap(ann):
        if isinstance(a, type) and issubclass(a, BaseModel) and a.__name__ != "Answer":
            return a
        if typing.get_origin(a) is list:
            return a
    return None


def _inner(model: Any, _kind: Any) -> Any:
    if typing.get_origin(model) is list:
        arg = typing.get_args(model)[0]
        return arg if isinstance(arg, type) and issubclass(arg, BaseModel) else None
    return None


def _scalar(v: Any) -> str:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.isoformat()
    text = yaml.safe_dump([v], default_flow_style=True, allow_unicode=True, width=1_000_000).strip()
    return text[1:-1]


def _flow_answer(v: dict) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(x)}" for k, x in v.items()) + "}"


def _is_answer(v: Any) -> bool:
    return isinstance(v, dict) and "value" in v and set(v) <= {"value", "confidence", "note"} and not isinstance(v.get("value"), (dict, list))


def _key(k: Any) -> str:
    return _scalar(k)


def emit(data: Any, comments: dict[Loc, str] | None = None, header: str = HEADER) -> str:
    """Block YAML in model order, with ``# comment`` after the values listed in comments."""
    comments = comments or {}
    lines: list[str] = [header] if header else []

    def note(loc: Loc) -> str:
        c = comments.get(loc)
        return f"  # {c}" if c else ""

    def walk(node: Any, loc: Loc, indent: int) -> None:
        pad = " " * indent
        if isinstance(node, dict):
            for k, v in node.items():
                here = loc + (k,)
                if _is_answer(v):
                    lines.append(f"{pad}{_key(k)}: {_flow_answer(v)}{note(here)}")
                elif isinstance(v, dict) and v:
                    lines.append(f"{pad}{_key(k)}:{note(here)}")
                    walk(v, here, indent + 2)
                elif isinstance(v, list) and v:
                    lines.append(f"{pad}{_key(k)}:{note(here)}")
                    walk(v, here, indent + 2)
                else:
                    lines.append(f"{pad}{_key(k)}: {_scalar(v)}{note(here)}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                here = loc + (i,)
                if isinstance(v, dict) and v and not _is_answer(v):
                    first = True
                    for k, x in v.items():
                        sub = here + (k,)
                        prefix = f"{pad}- " if first else f"{pad}  "
                        first = False
                        if _is_answer(x):
                            lines.append(f"{prefix}{_key(k)}: {_flow_answer(x)}{note(sub)}")
                        elif isinstance(x, (dict, list)) and x:
                            lines.append(f"{prefix}{_key(k)}:{note(sub)}")
                            walk(x, sub, indent + 4)
                        else:
                            lines.append(f"{prefix}{_key(k)}: {_scalar(x)}{note(sub)}")
                elif _is_answer(v):
                    lines.append(f"{pad}- {_flow_answer(v)}{note(here)}")
                else:
                    lines.append(f"{pad}- {_scalar(v)}{note(here)}")

    walk(data, (), 0)
    return "\n".join(lines) + "\n"


def invalid_comments(data: dict, checked: Checked | None = None, messages: dict[Loc, str] | None = None) -> tuple[dict[Loc, str], list[str]]:
    """What to say beside each invalid answer, and the header lines that sum it up.

    ``messages`` are the interview's own words for an invalid answer (in the units it asked in),
    used instead of the model's where given. Comment texts are without the "invalid, kept as
    typed:" prefix.
    """
    comments: dict[Loc, str] = {}
    for loc, msg in (messages or {}).items():
        if get(data, loc) is not None:
            comments[tuple(loc)] = msg
    own = set(comments)
    extra: list[str] = []
    if checked is not None:
        for p in checked.problems:
            loc = _parse_field(p.field or "")
            while loc and get(data, loc) is None:
                loc = loc[:-1]
            if loc and loc[-1] in ("value", "confidence", "note"):
                loc = loc[:-1]
            if not loc or isinstance(loc[-1], int) and get(data, loc) is not None and isinstance(get(data, loc), dict):
                continue
            if p.message == MISSING or loc in own:
                continue
            msg = " ".join(p.message.split())
            comments[loc] = msg if loc not in comments else comments[loc] + f"; {msg}"
        if checked.problems:
            n = len(comments)
            missing = [p.field for p in checked.problems if p.message == MISSING]
            if n:
                extra.append(f"# {n} answer(s) below are not valid yet and are kept as typed (see the comments).")
            if missing:
                extra.append("# Still to answer: " + ", ".join(str(m) for m in missing))
    return comments, extra


def to_yaml(data: dict, checked: Checked | None = None, header: str = HEADER, messages: dict[Loc, str] | None = None) -> str:
    """The file text: model order, and every invalid answer kept with a comment saying what is wrong."""
    comments, extra = invalid_comments(data, checked, messages)
    if extra:
        header = "\n".join([header, *extra]) if header else "\n".join(extra)
    return emit(_model_order(Questionnaire, data), {k: f"invalid, kept as typed: {v}" for k, v in comments.items()}, header)


def model_ordered(data: dict) -> dict:
    """The data with keys in the order the questionnaire model declares them."""
    return _model_order(Questionnaire, data)
