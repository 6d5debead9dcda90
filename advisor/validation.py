"""Turn pydantic's errors into ``file:line:column: field.path: message`` problems.

Pydantic reports a location as a tuple path; the YAML document knows where each
path sits in the file. Union branches (bare number vs. ``{value, confidence}``)
are collapsed to the branch the user actually wrote, and unknown keys get a
did-you-mean from the model's own field names.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.errors import Problem
from advisor.model.answers import _pct
from advisor.yamlio import Document

_BRANCH_TAGS = {"float", "Answer", "int", "str", "function-after[<lambda>(), union[float,Answer]]"}


def _clean_loc(loc: tuple) -> tuple:
    return tuple(p for p in loc if not (isinstance(p, str) and (p in _BRANCH_TAGS or p.startswith("function-") or p.startswith("union["))))


def _value_at(data: Any, loc: tuple) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _field_names(model: type[BaseModel] | None, loc: tuple) -> list[str]:
    """Field names valid at the parent of ``loc``, walking the model by name."""
    if model is None:
        return []
    cur: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(cur, "model_fields", None)
        if not fields or part not in fields:
            return []
        ann = fields[part].annotation
        cur = _inner_model(ann)
        if cur is None:
            return []
    fields = getattr(cur, "model_fields", None) or {}
    return [f.alias or name for name, f in fields.items()]


def _inner_model(ann: Any) -> Any:
    import typing

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in typing.get_args(ann):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def problems_from_validation(
    exc: ValidationError, doc: Document | None = None, model: type[BaseModel] | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple] = set()
    errors = exc.errors(include_url=False)
    for err in errors:
        raw_loc = tuple(err["loc"])
        loc = _clean_loc(raw_loc)
        written = _value_at(doc.data, loc) if doc is not None else None
        # A bare number and the {value, confidence} form are alternatives; report
        # only the one that matches what was written. Look at the value where the
        # branch starts: an error inside the {value, confidence} form is located
        # at a sub-key (…retry_rate.confidence), whose value is not a dict.
        branch_tag = next((t for t in ("Answer", "float") if t in raw_loc), None)
        if branch_tag is not None:
            branch_loc = _clean_loc(raw_loc[: raw_loc.index(branch_tag)])
            branch = _value_at(doc.data, branch_loc) if doc is not None else None
            if (branch_tag == "Answer") != isinstance(branch, dict):
                continue
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif message.startswith("Assertion failed, "):
            message = message[len("Assertion failed, ") :]
        kind = err["type"]
        key = False
        if kind == "extra_forbidden":
            key = True
            name = loc[-1] if loc else "?"
            message = f"unknown key '{name}'"
            choices = _field_names(model, loc)
            close = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean '{close[0]}'?"
            elif choices:
                message += f" (expected one of: {', '.join(choices)})"
        elif kind == "missing":
            message = "is required but missing"
        elif kind == "literal_error" and loc == ("advisor",):
            message = f"format version {written!r} is not supported; this release reads `advisor: 1`"
        elif kind in ("float_type", "float_parsing") and isinstance(written, str):
            if written.strip().endswith("%"):
                message = f"expected a number; write fractions, not percents ({written.strip()} is {_pct(written.strip())})"
            else:
                message = f"expected a number, got text '{written}'"
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        line = col = None
        if doc is not None:
            line, col = doc.locate(loc, key=key)
        problems.append(
            Problem(message, file=doc.source if doc else None, line=line, column=col, field=_dotted(loc) or None)
        )
    return problems
