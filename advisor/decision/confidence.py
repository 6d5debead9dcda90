"""Confidence, defined once: a conclusion is as sure as the least sure input it rests on.

Inputs carry measured < estimated < assumed (field guide, Part 0: "An LCPR
model built on six assumptions is a hypothesis; one built on six measurements
is a budget"). The decision record, the JSON and the interview all read these
functions, so a conclusion shows one confidence everywhere.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.defaults import Input
from advisor.engine.rulebook import Evaluation

CONFIDENCE_ORDER = {"measured": 0, "estimated": 1, "assumed": 2}
# Derived economics facts rest on these inputs.
ECONOMIC_INPUTS = (
    "profile.requests_per_month",
    "profile.input_tokens",
    "profile.output_tokens",
    "profile.retry_rate",
    "profile.quality_pass_rate",
    "profile.engineering_hours_per_month",
    "profile.cache_hit_rate",
    "engineer_hourly_rate",
    "repair_cost_per_failure",
)


def plain_number(x: Any, digits: int = 4) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, int):
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        if x.is_integer() and abs(x) < 1e15:
            return int(x)
        return round(x, digits)
    return x


def inputs_for(compared: list[dict], inputs: dict[str, Input]) -> list[str]:
    """The input keys a rule's comparisons rest on (economics facts rest on the economic inputs)."""
    names: list[str] = []
    for c in compared:
        fact = c["fact"]
        if fact in inputs:
            names.append(fact)
        elif fact.startswith("economics.") or fact.startswith("vendor.cheaper") or fact == "vendor.lcpr_rank":
            names.extend(n for n in ECONOMIC_INPUTS if n in inputs)
        elif fact.startswith("complexity."):
            names.extend(n for n in inputs if n.startswith("complexity."))
    return list(dict.fromkeys(names))


def names_of(keys: list[str], inputs: dict[str, Input]) -> list[str]:
    """Input keys as the inputs list names them (settings carry their section)."""
    return [inputs[k].name for k in keys]


def least_sure(keys: list[str], inputs: dict[str, Input]) -> str:
    """The weakest confidence among the inputs; a conclusion resting on no input is measured."""
    if not keys:
        return "measured"
    return max((inputs[n].confidence for n in keys), key=lambda c: CONFIDENCE_ORDER[c])


def decided(ev: Evaluation, name: str, inputs: dict[str, Input]) -> dict:
    """One conclusion with its rule, sentence, comparisons and confidence."""
    c = ev.get(name)
    t = next((t for t in ev.trace if t.rule == (c.rule if c else None)), None)
    out: dict[str, Any] = {"outcome": plain_number(c.value) if c else None, "rule": c.rule if c else None}
    if t is not None:
        out["because"] = t.because
        out["source"] = t.source
        out["compared"] = [{k: plain_number(v) for k, v in x.items()} for x in t.compared]
        rests = inputs_for(t.compared, inputs)
        out["confidence"] = least_sure(rests, inputs)
        out["assumed_inputs"] = names_of([n for n in rests if inputs[n].confidence == "assumed"], inputs)
    return out


def decision_confidence(ev: Evaluation, inputs: dict[str, Input]) -> tuple[dict, dict, dict]:
    """(decision, gates, blocker) with the decision's confidence: the least sure of the conclusions it compares."""
    decision = decided(ev, "decision", inputs)
    gates = {g: decided(ev, f"gate.{g}", inputs) for g in ("specialization", "ownership", "volume")}
    blocker = decided(ev, "stay.blocker", inputs)
    basis = [*gates.values(), blocker]
    decision["confidence"] = max((b.get("confidence") or "measured" for b in basis), key=lambda c: CONFIDENCE_ORDER[c])
    decision["assumed_inputs"] = list(dict.fromkeys(n for b in basis for n in b.get("assumed_inputs", [])))
    return decision, gates, blocker
