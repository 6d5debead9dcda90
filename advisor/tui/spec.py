"""The interview's questions, read from questionnaires/interview.yaml.

Screens are rendered from this data: a question is an id (a dotted path into
the questionnaire model, relative to its section's scope), a label, help text
quoting the field guide, an input type and its bounds. This module also turns
what a user types into a value for the questionnaire and back (percents shown
for fractions, ``800k`` for 800,000), and finds each question's default in
rules/defaults.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from advisor.model.answers import Answer
from advisor.model.questionnaire import Operations, Questionnaire, Vendor, Workload
from advisor.resources import data_path
from advisor.yamlio import read_yaml

Path_ = tuple[str | int, ...]

TYPES = {
    "text", "date", "number", "percent", "choice", "yesno", "option", "options",
    "verdict", "percent_list", "per_workload_number",
}
SCOPES = {"organization": Questionnaire, "workload": Workload, "vendor": Vendor}
from advisor.model.answers import CONFIDENCE_LEVELS as CONFIDENCE  # noqa: E402 - one definition
VERDICTS = (
    ("pass", "Pass", "p"),
    ("conditional", "Conditional", "c"),
    ("fail", "Fail", "f"),
)


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str
    description: str = ""
    key: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    type: str
    scope: str
    help: str = ""
    unit: str = ""
    integer: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    layout: str = "inline"
    note: str | None = None
    required: bool = False
    answer: bool = False  # the model field takes {value, confidence, note}

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.id.split("."))

    def path(self, workload: int | None = None, vendor: int | None = None) -> Path_:
        return scope_path(self.scope, workload, vendor) + self.parts

    def note_path(self, workload: int | None = None, vendor: int | None = None) -> Path_ | None:
        if not self.note:
            return None
        return scope_path(self.scope, workload, vendor) + tuple(self.note.split("."))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    scope: str = "organization"
    kind: str = "questions"
    intro: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)

    @property
    def per_workload(self) -> bool:
        return self.scope in ("workload", "vendor")


def scope_path(scope: str, workload: int | None, vendor: int | None) -> Path_:
    if scope == "organization":
        return ()
    if workload is None:
        raise ValueError(f"a {scope} question needs a workload")
    if scope == "workload":
        return ("workloads", workload)
    if vendor is None:
        raise ValueError("a vendor question needs a vendor")
    return ("workloads", workload, "vendors", vendor)


# ---------------------------------------------------------------- model lookups


def _unwrap(ann: Any) -> list[Any]:
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(ann)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        out = []
        for a in typing.get_args(ann):
            out.extend(_unwrap(a))
        return out
    return [ann]


def model_field(scope_model: type[BaseModel], dotted: str) -> tuple[Any, bool]:
    """(annotation, takes_answer) of the field at ``dotted`` under ``scope_model``."""
    model: Any = scope_model
    parts = dotted.split(".")
    ann: Any = None
    for i, part in enumerate(parts):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            # a dict-valued field (notes, traffic_growth): the rest is a key
            if typing.get_origin(model) is dict:
                return typing.get_args(model)[1], False
            raise SpecError(f"'{dotted}': '{parts[i - 1]}' has no fields")
        fields = model.model_fields
        if part not in fields:
            raise SpecError(f"'{dotted}': {model.__name__} has no field '{part}'")
        ann = fields[part].annotation
        if i < len(parts) - 1:
            inner = [a for a in _unwrap(ann) if a is not type(None)]
            model = inner[0] if len(inner) == 1 else ann
            if typing.get_origin(model) is dict:
                if i + 1 == len(parts) - 1:
                    return typing.get_args(model)[1], False
    takes_answer = any(a is Answer for a in _unwrap(ann))
    return ann, takes_answer


# ---------------------------------------------------------------- loading


def _question(raw: dict, scope: str, where: str) -> Question:
    for key in ("id", "label", "type"):
        if key not in raw:
            raise SpecError(f"{where}: a question needs '{key}'")
    qtype = raw["type"]
    if qtype not in TYPES:
        raise SpecError(f"{where}: unknown type '{qtype}'")
    if scope not in SCOPES:
        raise SpecError(f"{where}: unknown scope '{scope}'")
    _, takes_answer = model_field(SCOPES[scope], raw["id"])
    if raw.get("note"):
        model_field(SCOPES[scope], raw["note"])
    choices = tuple(
        Choice(c["value"], str(c.get("label", c["value"])), str(c.get("description", "")), str(c.get("key", "")))
        for c in raw.get("choices", ())
    )
    keys = [(c.key or c.label[:1]).lower() for c in choices]
    if len(set(keys)) != len(keys):
        raise SpecError(f"{where}: two choices answer to the same key ({', '.join(keys)}); give each a 'key'")
    if qtype == "verdict" and not choices:
        choices = tuple(Choice(v, label, "", key) for v, label, key in VERDICTS)
    if qtype == "yesno":
        choices = (Choice(True, "Yes", "", "y"), Choice(False, "No", "", "n"))
    return Question(
        id=raw["id"],
        label=str(raw["label"]),
        type=qtype,
        scope=scope,
        help=" ".join(str(raw.get("help", "")).split()),
        unit=str(raw.get("unit", "")),
        integer=bool(raw.get("integer", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        choices=choices,
        layout=str(raw.get("layout", "inline")),
        note=raw.get("note"),
        required=bool(raw.get("required", False)),
        answer=takes_answer and qtype in ("number", "percent"),
    )


def parse_spec(data: dict, source: str = "interview.yaml") -> tuple[Section, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise SpecError(f"{source}: expected a mapping with 'sections'")
    sections = []
    for i, s in enumerate(data["sections"]):
        where = f"{source}: sections[{i}]"
        scope = s.get("scope", "organization")
        qs = tuple(_question(q, scope, f"{where}.questions[{j}]") for j, q in enumerate(s.get("questions", ())))
        sections.append(
            Section(
                id=s["id"],
                title=s["title"],
                scope=scope,
                kind=s.get("kind", "questions"),
                intro=" ".join(str(s.get("intro", "")).split()),
                questions=qs,
            )
        )
    return tuple(sections)


@cache
def load_spec(path: str | None = None) -> tuple[Section, ...]:
    p = Path(path) if path else data_path("questionnaires", "interview.yaml")
    return parse_spec(read_yaml(p).data, str(p))


# ---------------------------------------------------------------- defaults


def default_for(q: Question, kind: str | None = None) -> tuple[Any, str] | None:
    """(value, where it comes from) for an unanswered question, or None."""
    from advisor.defaults import defaults

    d = defaults()
    parts = q.parts
    if q.scope == "workload" and parts[0] == "profile" and len(parts) == 2:
        card = d.get("reference_cards", {}).get(kind or "chat", {})
        if parts[1] in card.get("profile", {}):
            return card["profile"][parts[1]], f"reference card: {card.get('title', kind)}"
        if parts[1] in d.get("profile", {}):
            return d["profile"][parts[1]], "field guide default"
    if q.scope == "workload" and parts[0] in ("specialization", "ownership", "complexity") and len(parts) == 2:
        if parts[1] in d.get(parts[0], {}):
            return d[parts[0]][parts[1]], "field guide default" if parts[0] != "complexity" else "default: Medium"
    if q.scope == "organization" and parts[0] == "settings" and len(parts) == 2 and parts[1] in d.get("settings", {}):
        return d["settings"][parts[1]], "field guide default"
    # the model's own default (False for yes/no questions, 'none' residency, ...)
    try:
        model: Any = SCOPES[q.scope]
        for part in parts[:-1]:
            ann = model.model_fields[part].annotation
            inner = [a for a in _unwrap(ann) if a is not type(None)]
            model = inner[0]
        f = model.model_fields[parts[-1]]
    except (KeyError, AttributeError, IndexError):
        return None
    if f.default is not None and not callable(f.default_factory) and f.default.__class__ in (bool, str, int, float):
        return f.default, "default"
    return None


# ---------------------------------------------------------------- text ⇄ value

_NUMBER = re.compile(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+))([kKmM]?)$")


def _decimal(text: str) -> Decimal | None:
    t = text.strip().replace(",", "").replace("_", "").replace("$", "").replace(" ", "")
    m = _NUMBER.match(t)
    if not m:
        return None
    try:
        d = Decimal(m.group(1))
    except InvalidOperation:
        return None
    suffix = m.group(2).lower()
    if suffix == "k":
        d *= 1000
    elif suffix == "m":
        d *= 1_000_000
    return d


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def fmt_number(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return ""
    if isinstance(v, (int, float)):
        if float(v).is_integer():
            return str(int(v))
        return format(Decimal(repr(float(v))).normalize(), "f")
    return str(v)


def fmt_percent(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return ""
    if isinstance(v, (int, float)):
        d = (Decimal(repr(float(v))) * 100).normalize()
        return format(d, "f") if d != d.to_integral_value() else str(int(d))
    return str(v)


def _bounds(q: Question, x: Decimal, shown: str) -> str | None:
    if q.min is not None and x < Decimal(str(q.min)):
        return f"must be at least {fmt_number(q.min)}{shown}"
    if q.max is not None and x > Decimal(str(q.max)):
        return f"must be at most {fmt_number(q.max)}{shown}"
    return None


def parse_text(q: Question, text: str) -> tuple[Any, str | None]:
    """(value, error). On error the value is the text itself, kept as typed."""
    raw = text
    text = text.strip()
    if q.type == "text":
        return (text if text else None), None
    if not text:
        return None, None
    if q.type == "date":
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return raw, "expected a date as YYYY-MM-DD, e.g. 2026-11-22"
    if q.type in ("number", "per_workload_number"):
        d = _decimal(text)
        if d is None:
            return raw, f"expected a number, got '{text}'"
        if q.integer and d != d.to_integral_value():
            return raw, "must be a whole number"
        err = _bounds(q, d, "")
        return (raw, err) if err else (_plain(d), None)
    if q.type == "percent":
        d = _decimal(text.rstrip("%").strip())
        if d is None:
            return raw, f"expected a percent, e.g. 5 for 5%, got '{text}'"
        err = _bounds(q, d, "%")
        if err:
            return raw, err
        return _plain(d / 100), None
    if q.type == "percent_list":
        out = []
        for part in re.split(r"[,;\s]+", text):
            if not part:
                continue
            d = _decimal(part.rstrip("%"))
            if d is None or d < 0 or d > 100:
                return raw, f"expected percents between 0 and 100 separated by commas, got '{part}'"
            out.append(_plain(d / 100))
        return out, None
    raise ValueError(f"{q.type} questions are not typed as text")


def format_value(q: Question, v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict) and "value" in v:
        v = v["value"]
    if isinstance(v, str):
        return v  # text, or an invalid answer kept as typed
    if q.type == "percent":
        return fmt_percent(v)
    if q.type == "percent_list" and isinstance(v, list):
        return ", ".join(fmt_percent(x) for x in v)
    if q.type == "date" and isinstance(v, (dt.date,)):
        return v.isoformat()
    if q.type in ("number", "per_workload_number"):
        return fmt_number(v)
    return str(v)


def format_default(q: Question, value: Any) -> str:
    if q.type == "percent":
        return f"{fmt_percent(value)}%"
    if q.type in ("choice", "yesno"):
        for c in q.choices:
            if c.value == value:
                return c.label
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value)
    return str(value)
