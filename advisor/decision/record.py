"""The decision record: plain, frozen data. No I/O, no rule evaluation."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any


def _plain(x: Any) -> Any:
    if dataclasses.is_dataclass(x):
        return {f.name: _plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return int(x) if x.is_integer() and abs(x) < 1e15 else round(x, 6)
    return x


@dataclass(frozen=True)
class OptionLine:
    """One priced option. Money in USD per month; lcpr in USD per successful request."""
    id: str
    product: str             # provider + model, from the catalog
    deployment: str          # closed_api | serverless | dedicated | self_managed ...
    invoice: float           # token (or GPU) cost per month: what the provider bills
    loaded_cost: float       # invoice + repair + engineering, per month (Part 1, LCPR)
    lcpr: float
    rank: int | None         # LCPR rank among candidates (1 = cheapest), None for today's
    verdict: str | None      # viable / conditional / eliminated / None when not scored
    why_not: str | None      # for options not chosen: one short reason


@dataclass(frozen=True)
class Signal:
    id: str
    title: str
    state: str               # firing | quiet | not_measured
    because: str = ""
    rule: str | None = None


@dataclass(frozen=True)
class SavingsRange:
    """Monthly savings if the unmeasured inputs are off by their usual spread.

    Each unmeasured input with a range in rules/defaults.yaml (economics.sensitivity)
    is moved to each end of its range, the others held, and both options repriced
    the way the base is (option-aware pricing); the per-input swings are combined
    as independent errors (root of the sum of squares) below and above the base.
    """
    low: float
    base: float
    high: float
    method: str
    drivers: list[dict]      # largest swing first: {input, from, to, low, high} (savings at each end)


@dataclass(frozen=True)
class DecisionRecord:
    workload: str
    decision: str | None             # migrate | stay | measure_first | ...
    basis: str | None                # the rule's one-sentence reason
    basis_rule: str | None
    basis_source: str | None         # guide citation (Part N, heading)
    deployment_mode: str | None
    stage: int | None
    stage_name: str | None
    recommended: OptionLine | None   # the option the economics assume
    today: OptionLine
    # three named spend figures, USD / month
    invoice_today: float             # today's token cost
    closed_api_spend: float          # today's invoice if today's option is a closed API, else 0
    loaded_cost_today: float
    recommended_invoice: float | None
    recommended_loaded_cost: float | None
    loaded_cost_after: float         # what this workload costs per month after the decision (today's on a stay)
    savings_per_month: float | None  # loaded_cost_today - recommended_loaded_cost
    forgone_savings_per_month: float | None  # on a stay: savings not taken
    unlock: list[str]                # on a stay: what would unlock them
    migration_cost: float | None     # USD, one-off
    engineer_weeks: float | None
    engineers: float | None
    lead_time_months: float | None
    payback_months: float | None     # ONE payback: migration_cost / savings
    payback_from_decision_months: float | None  # payback + lead time
    breakeven_tokens_per_day: float | None      # output tokens/day where dedicated beats serverless
    breakeven_comparator: dict[str, str | None]  # {"dedicated": id, "serverless": id}
    output_tokens_per_day: float | None
    requests_per_month: float | None
    confidence: str                  # measured | estimated | assumed: the least sure input it rests on
    weakest_inputs: list[str]
    options: list[OptionLine]        # ranked, cheapest LCPR first, today's included
    signals: list[Signal]
    stage_today: int | None = None   # stated, or inferred from the operations answers
    stage_today_inferred: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. an option added from the catalog for the decided mode
    boundaries: list[dict] = field(default_factory=list)   # slot: filled by analysis (issue 10)
    timeline: list[dict] = field(default_factory=list)     # slot
    savings_range: SavingsRange | None = None   # low / base / high savings from the unmeasured inputs' spread
    migration_overrun_factor: float | None = None        # rules/defaults.yaml economics (Part 1: "12 weeks instead of 8")
    payback_if_overrun_months: float | None = None       # payback when the migration costs that factor more

    def to_dict(self) -> dict:
        return _plain(self)
