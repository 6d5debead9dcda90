"""Numeric answers that carry their confidence.

The field guide: "An LCPR model built on six assumptions is a hypothesis; one
built on six measurements is a budget." So any number in a questionnaire may be
written bare (it then counts as *assumed*) or as
``{value: 0.03, confidence: measured, note: "from gateway logs"}``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)

Confidence = Literal["measured", "estimated", "assumed"]
CONFIDENCE_LEVELS: tuple[str, ...] = ("measured", "estimated", "assumed")


class Answer(BaseModel):
    """A number with where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float
    confidence: Confidence = "assumed"
    note: str | None = None

    def __float__(self) -> float:
        return float(self.value)


_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _reject_text(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(v, str):
        text = v.strip()
        if _EXPONENT.fullmatch(text):
            # YAML 1.1 reads 1e300 or 5e6 (no dot) as text; it is plainly a number
            return float(text)
        if text.endswith("%"):
            raise ValueError(f"expected a number; write fractions, not percents ({text} is {_pct(text)})")
        raise ValueError(f"expected a number, got text '{v}'")
    if isinstance(v, int) and abs(v) >= MAX_VALUE:  # a 400-digit count does not even fit a float
        raise ValueError(f"must be a finite number below {MAX_VALUE:g} (the economics cannot carry more), got a {len(str(abs(v)))}-digit number")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("expected a finite number (not NaN or infinity)")
    return v


def _pct(text: str) -> str:
    try:
        return f"{float(text.rstrip('%')) / 100:g}"
    except ValueError:
        return "a fraction between 0 and 1"


def _as_answer(v: Any) -> Answer:
    return v if isinstance(v, Answer) else Answer(value=float(v))


def _serialize(a: Answer) -> Any:
    if a.confidence == "assumed" and not a.note:
        value = a.value
        return int(value) if float(value).is_integer() else value
    out: dict[str, Any] = {"value": int(a.value) if float(a.value).is_integer() else a.value}
    out["confidence"] = a.confidence
    if a.note:
        out["note"] = a.note
    return out


MAX_VALUE = 1e15  # the engine's numeric ceiling; stated once here, carried into the JSON Schema


def answer(
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    fraction: bool = False,
    integer: bool = False,
):
    """An Answer-typed field accepting a bare number or the {value, confidence, note} form."""

    if fraction:
        ge = 0.0 if ge is None and gt is None else ge
        le = 1.0

    def check(a: Answer) -> Answer:
        v = a.value
        if not math.isfinite(v) or abs(v) >= MAX_VALUE:
            raise ValueError(f"must be a finite number below {MAX_VALUE:g} (the economics cannot carry more), got {v:g}")
        if integer and not float(v).is_integer():
            raise ValueError(f"must be a whole number, got {v!r}")
        if ge is not None and v < ge:
            raise ValueError(f"must be at least {ge:g}, got {v:g}")
        if gt is not None and v <= gt:
            raise ValueError(f"must be greater than {gt:g}, got {v:g}")
        if le is not None and v > le:
            hint = f" (fractions, not percents: {v:g}% is {v / 100:g})" if fraction and v <= 100 else ""
            raise ValueError(f"must be at most {le:g}, got {v:g}{hint}")
        return a

    schema: dict[str, Any] = {"type": "integer" if integer else "number"}
    if ge is not None:
        schema["minimum"] = ge
    if gt is not None:
        schema["exclusiveMinimum"] = gt
    if le is not None:
        schema["maximum"] = le
    else:
        schema["exclusiveMaximum"] = MAX_VALUE
    # Bounds are checked once, in check(), so a bad bare number gets one clear message;
    # the schema still carries them for editors.
    number = Annotated[float, WithJsonSchema(schema)]
    return Annotated[
        Union[number, Answer],
        BeforeValidator(_reject_text),
        AfterValidator(lambda v: check(_as_answer(v))),
        PlainSerializer(_serialize),
    ]


def bounded(*, ge: float | None = None, gt: float | None = None, description: str | None = None):
    """A plain float (no confidence) that is finite and below MAX_VALUE in size, with an
    optional lower bound: prices, threshold overrides, growth multiples. The bounds are
    checked once, here, and carried into the JSON Schema."""

    def check(v: Any) -> float:
        v = _reject_text(v)
        if isinstance(v, (dict, list)) or v is None:
            raise ValueError(f"expected a number, got {'a mapping' if isinstance(v, dict) else 'a list' if v else 'nothing'}")
        try:
            v = float(v)
        except OverflowError:
            raise ValueError(f"must be a finite number below {MAX_VALUE:g} (the economics cannot carry more)") from None
        except (TypeError, ValueError):
            raise ValueError("expected a number") from None
        if not math.isfinite(v) or abs(v) >= MAX_VALUE:
            raise ValueError(f"must be a finite number below {MAX_VALUE:g} (the economics cannot carry more), got {v:g}")
        if ge is not None and v < ge:
            raise ValueError(f"must be at least {ge:g}, got {v:g}")
        if gt is not None and v <= gt:
            raise ValueError(f"must be greater than {gt:g}, got {v:g}")
        return v

    schema: dict[str, Any] = {"type": "number", "exclusiveMaximum": MAX_VALUE}
    if ge is not None:
        schema["minimum"] = ge
    elif gt is not None:
        schema["exclusiveMinimum"] = gt
    else:
        schema["exclusiveMinimum"] = -MAX_VALUE
    if description:
        schema["description"] = description
    return Annotated[float, BeforeValidator(check), WithJsonSchema(schema)]


Fraction = answer(fraction=True)
Count = answer(ge=0, integer=True)
Money = answer(ge=0)
Hours = answer(ge=0)
