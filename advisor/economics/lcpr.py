"""Loaded Cost Per Request (LCPR): the pure economics core.

Everything here is a pure function of the numbers it is given. There is no I/O,
no module-level price or default, and no import from elsewhere in ``advisor``:
callers read defaults (retry rate, hourly rate, utilization, ...) from the YAML
data files and pass every number in explicitly.

Source: the inference field guide, Part 0 "The number that actually matters"
and Part 1 "The Volume Gate", "The break-even math for dedicated GPU" and
"The lead time reality". ``docs/lcpr.md`` explains each formula and term.

    attempts            = requests x (1 + retry_rate)
    token cost/request  = (input_tokens x input_rate x (1 - cache_hit_rate x cache_discount)
                           + output_tokens x output_rate) / 1e6
                          x (1 - batch_eligible_fraction x batch_discount)
    GPUs (dedicated)    = ceil(attempts x (output_tokens / tps + input_tokens / prefill_tps)
                               / (utilization x hours_per_month x 3600))
                          (prefill term only when a prefill rate is given: prefill-bound work)
    token cost          = attempts x token cost/request
                          (dedicated GPU: gpus x hourly_rate x hours_per_month instead)
    repair cost         = requests x (1 - quality_pass_rate) x repair_cost_per_failure
    engineering cost    = engineering_hours x engineer_hourly_rate
    successful requests = requests x quality_pass_rate
    LCPR                = (token cost + repair cost + engineering cost) / successful requests

Edge cases (never ``ZeroDivisionError``, never NaN):

* ``successful_requests == 0`` (only possible when ``requests == 0``): ``lcpr`` is
  ``math.inf``: no request succeeds, so there is no finite cost per success.
* Dedicated GPU with ``requests == 0``: ``raw_cost_per_request`` is ``math.inf``
  (the GPU is paid for and serves nothing); at least one GPU is always counted.
* ``overhead_ratio`` is ``None`` whenever it is not a finite, meaningful ratio:
  ``lcpr`` or ``raw_cost_per_request`` is infinite, or ``raw_cost_per_request``
  is zero (free tokens).
* ``payback_months`` is ``None`` ("never pays back") when monthly savings <= 0.

Invalid numbers (negative, NaN, infinite, non-numeric, a pass rate or
utilization outside (0, 1], a cache rate outside [0, 1]) raise ``ValueError``
with a message naming the argument, as do finite inputs so large that a cost
overflows to infinity.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "GpuPrice",
    "Lcpr",
    "TokenPrice",
    "Workload",
    "SENSITIVITY_FIELDS",
    "attempts",
    "breakeven_output_tokens_per_day",
    "gpu_monthly_cost",
    "gpu_output_tokens_per_month",
    "gpus_needed",
    "lcpr",
    "migration_cost",
    "payback_from_decision_months",
    "payback_months",
    "sensitivity",
    "token_cost_per_request",
]

# Unit conversions only: these are facts about units, not prices or defaults.
_TOKENS_PER_MTOK = 1_000_000.0
_SECONDS_PER_HOUR = 3600.0
_HOURS_PER_DAY = 24.0
# gpus_needed divides by a float capacity; an exact fit such as 2.0000000000000004
# GPUs must not round up to 3. This relative slack is far below any real difference.
_CEIL_SLACK = 1e-12


# --------------------------------------------------------------------------- validation


def _real(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise ValueError if it is not a finite real."""
    t = type(value)
    if t is not float and t is not int:  # the common case skips the ABC check, called ~20 times an option priced
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{name} must not be NaN")
    if math.isinf(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def _non_negative(name: str, value: object) -> float:
    result = _real(name, value)
    if result < 0:
        raise ValueError(f"{name} must be >= 0, got {result}")
    return result


def _positive(name: str, value: object) -> float:
    result = _real(name, value)
    if result <= 0:
        raise ValueError(f"{name} must be > 0, got {result}")
    return result


def _unit_interval(name: str, value: object) -> float:
    """A fraction in [0, 1]."""
    result = _real(name, value)
    if not 0.0 <= result <= 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1], got {result}")
    return result


def _open_unit_interval(name: str, value: object) -> float:
    """A fraction in (0, 1]."""
    result = _real(name, value)
    if not 0.0 < result <= 1.0:
        raise ValueError(f"{name} must be a fraction in (0, 1], got {result}")
    return result


def _set(obj: object, name: str, value: float) -> None:
    # Frozen dataclasses: normalise validated fields to plain floats.
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Workload:
    """One workload profile, per month. Every field is a plain float.

    ``retry_rate`` is the average number of retries per original request
    (0.03 = 3%); it may exceed 1 when requests are retried more than once.
    ``quality_pass_rate`` is the fraction of requests that pass the quality
    gate, in (0, 1]. ``cache_hit_rate`` is the fraction of input tokens served
    from the provider's prompt cache, in [0, 1].
    """

    requests: float
    input_tokens: float
    output_tokens: float
    retry_rate: float
    quality_pass_rate: float
    engineering_hours: float
    engineer_hourly_rate: float
    repair_cost_per_failure: float
    cache_hit_rate: float = 0.0
    batch_eligible_fraction: float = 0.0  # share of tokens sent through a batch API (reference cards, Batch)

    def __post_init__(self) -> None:
        for name in (
            "requests",
            "input_tokens",
            "output_tokens",
            "retry_rate",
            "engineering_hours",
            "engineer_hourly_rate",
            "repair_cost_per_failure",
        ):
            _set(self, name, _non_negative(name, getattr(self, name)))
        _set(
            self,
            "quality_pass_rate",
            _open_unit_interval("quality_pass_rate", self.quality_pass_rate),
        )
        _set(self, "cache_hit_rate", _unit_interval("cache_hit_rate", self.cache_hit_rate))
        _set(self, "batch_eligible_fraction", _unit_interval("batch_eligible_fraction", self.batch_eligible_fraction))


@dataclass(frozen=True, slots=True)
class TokenPrice:
    """A per-token option (closed API or serverless open weights), $ per million tokens.

    ``cache_discount`` is the fraction of the input price removed on a cache hit
    (0.90 means cached input tokens cost 10% of the list input rate).
    ``batch_discount`` is the fraction removed from tokens sent through the
    provider's batch API (0.50 = half price).
    """

    input_per_mtok: float
    output_per_mtok: float
    cache_discount: float = 0.0
    batch_discount: float = 0.0

    def __post_init__(self) -> None:
        _set(self, "input_per_mtok", _non_negative("input_per_mtok", self.input_per_mtok))
        _set(self, "output_per_mtok", _non_negative("output_per_mtok", self.output_per_mtok))
        _set(self, "cache_discount", _unit_interval("cache_discount", self.cache_discount))
        _set(self, "batch_discount", _unit_interval("batch_discount", self.batch_discount))


@dataclass(frozen=True, slots=True)
class GpuPrice:
    """A dedicated (self-managed or managed dedicated) option, billed per GPU-hour.

    ``tokens_per_second`` is the sustained output tokens/s of one GPU at full
    batch utilization; ``utilization`` (in (0, 1]) is the fraction of that
    actually achieved in production; ``hours_per_month`` is the billed hours
    per GPU per month (the guide uses 720). ``prefill_tokens_per_second``, when
    given, is the input tokens/s one GPU processes: the time a prefill-bound
    request spends on its input is then counted too (Part 1, "Prefill vs
    decode bottleneck"); ``None`` sizes on decode alone, as the guide's
    break-even math does.
    """

    hourly_rate: float
    tokens_per_second: float
    utilization: float
    hours_per_month: float
    prefill_tokens_per_second: float | None = None

    def __post_init__(self) -> None:
        _set(self, "hourly_rate", _non_negative("hourly_rate", self.hourly_rate))
        _set(self, "tokens_per_second", _positive("tokens_per_second", self.tokens_per_second))
        _set(self, "utilization", _open_unit_interval("utilization", self.utilization))
        _set(self, "hours_per_month", _positive("hours_per_month", self.hours_per_month))
        if self.prefill_tokens_per_second is not None:
            _set(self, "prefill_tokens_per_second", _positive("prefill_tokens_per_second", self.prefill_tokens_per_second))


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class Lcpr:
    """The LCPR breakdown for one workload on one option, per month.

    ``token_cost`` is the GPU cost (gpus x hourly x hours_per_month) for a
    dedicated option. ``raw_cost_per_request`` is the pricing-page cost of one
    request without retries (dedicated: GPU monthly cost / requests).
    ``overhead_ratio`` = lcpr / raw_cost_per_request, or ``None`` when that is
    not a finite ratio. ``gpus`` is ``None`` for per-token options.
    """

    attempts: float
    token_cost: float
    repair_cost: float
    engineering_cost: float
    monthly_cost: float
    successful_requests: float
    lcpr: float
    raw_cost_per_request: float
    overhead_ratio: float | None
    gpus: int | None


# --------------------------------------------------------------------------- formulas


def attempts(w: Workload) -> float:
    """Total attempts per month: requests x (1 + retry_rate). Every retry re-pays tokens."""
    return w.requests * (1.0 + w.retry_rate)


def token_cost_per_request(w: Workload, price: TokenPrice) -> float:
    """Token cost of one attempt in dollars, with the cache discount on input tokens.

    (input_tokens x input_rate x (1 - cache_hit_rate x cache_discount)
     + output_tokens x output_rate) / 1e6
    """
    input_factor = 1.0 - w.cache_hit_rate * price.cache_discount
    batch_factor = 1.0 - w.batch_eligible_fraction * price.batch_discount
    return (
        w.input_tokens * price.input_per_mtok * input_factor
        + w.output_tokens * price.output_per_mtok
    ) / _TOKENS_PER_MTOK * batch_factor


def gpu_output_tokens_per_month(gpu: GpuPrice) -> float:
    """Output tokens one GPU delivers per month at its real utilization.

    tokens_per_second x utilization x hours_per_month x 3600
    (at 720 h this is the guide's tps x util x 86400 x 30).
    """
    return gpu.tokens_per_second * gpu.utilization * gpu.hours_per_month * _SECONDS_PER_HOUR


def gpus_needed(w: Workload, gpu: GpuPrice) -> int:
    """GPUs needed to serve every attempt's output tokens; at least 1.

    ceil(attempts x output_tokens / (tps x utilization x hours_per_month x 3600)).
    Decode-bound sizing, as in the guide, unless the price carries a prefill
    rate: then each attempt's input tokens also take input/prefill_tps seconds.
    """
    demand = attempts(w) * w.output_tokens
    if gpu.prefill_tokens_per_second is not None:
        # express prefill time in decode-token equivalents of GPU time
        demand += attempts(w) * w.input_tokens * gpu.tokens_per_second / gpu.prefill_tokens_per_second
    ratio = _finite_result("GPU demand", demand / gpu_output_tokens_per_month(gpu))
    return max(1, math.ceil(ratio * (1.0 - _CEIL_SLACK)))


def gpu_monthly_cost(gpu: GpuPrice, gpus: int) -> float:
    """gpus x hourly_rate x hours_per_month: paid whether or not the GPUs are busy."""
    if isinstance(gpus, bool) or not isinstance(gpus, numbers.Integral) or gpus < 0:
        raise ValueError(f"gpus must be a non-negative integer, got {gpus!r}")
    return gpus * gpu.hourly_rate * gpu.hours_per_month


def _ratio_or_none(numerator: float, denominator: float) -> float | None:
    if not (math.isfinite(numerator) and math.isfinite(denominator)) or denominator <= 0:
        return None
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else None


def _finite_result(name: str, value: float) -> float:
    # Finite inputs can still overflow (e.g. 1e300 requests x 1e300 tokens).
    if not math.isfinite(value):
        raise ValueError(f"{name} overflows: the inputs are too large to compute with")
    return value


def lcpr(w: Workload, price: TokenPrice | GpuPrice) -> Lcpr:
    """Loaded Cost Per Request of ``w`` on a per-token or dedicated-GPU option."""
    if not isinstance(w, Workload):
        raise TypeError(f"w must be a Workload, got {type(w).__name__}")
    total_attempts = _finite_result("attempts", attempts(w))
    gpus: int | None
    if isinstance(price, TokenPrice):
        per_request = token_cost_per_request(w, price)
        token_cost = total_attempts * per_request
        raw = per_request
        gpus = None
    elif isinstance(price, GpuPrice):
        gpus = gpus_needed(w, price)
        token_cost = gpu_monthly_cost(price, gpus)
        raw = token_cost / w.requests if w.requests > 0 else math.inf
    else:
        raise TypeError(f"price must be a TokenPrice or GpuPrice, got {type(price).__name__}")

    repair_cost = w.requests * (1.0 - w.quality_pass_rate) * w.repair_cost_per_failure
    engineering_cost = w.engineering_hours * w.engineer_hourly_rate
    monthly_cost = _finite_result("monthly_cost", token_cost + repair_cost + engineering_cost)
    successful = w.requests * w.quality_pass_rate
    value = monthly_cost / successful if successful > 0 else math.inf
    return Lcpr(
        attempts=total_attempts,
        token_cost=token_cost,
        repair_cost=repair_cost,
        engineering_cost=engineering_cost,
        monthly_cost=monthly_cost,
        successful_requests=successful,
        lcpr=value,
        raw_cost_per_request=raw,
        overhead_ratio=_ratio_or_none(value, raw),
        gpus=gpus,
    )


def breakeven_output_tokens_per_day(
    gpu_hourly_rate: float, serverless_output_per_mtok: float, utilization: float
) -> float:
    """Output tokens/day at which one dedicated GPU costs the same as serverless output.

    (gpu_hourly_rate x 24) / (serverless_output_per_mtok / 1e6) / utilization.
    Returned in tokens (not millions). Lower utilization raises the break-even
    as 1/utilization.
    """
    hourly = _non_negative("gpu_hourly_rate", gpu_hourly_rate)
    rate = _real("serverless_output_per_mtok", serverless_output_per_mtok)
    if rate <= 0:
        raise ValueError(
            "serverless_output_per_mtok must be > 0 (with free serverless output a "
            f"dedicated GPU never breaks even), got {rate}"
        )
    util = _open_unit_interval("utilization", utilization)
    # Multiply before dividing so a tiny rate cannot underflow to a zero divisor.
    return hourly * _HOURS_PER_DAY * _TOKENS_PER_MTOK / rate / util


def migration_cost(engineer_weeks: float, hourly_rate: float, hours_per_week: float) -> float:
    """One-time migration cost: engineer_weeks x hours_per_week x hourly_rate."""
    weeks = _non_negative("engineer_weeks", engineer_weeks)
    rate = _non_negative("hourly_rate", hourly_rate)
    hours = _non_negative("hours_per_week", hours_per_week)
    return weeks * hours * rate


def payback_months(migration_cost: float, monthly_savings: float) -> float | None:
    """Months after the migration completes until savings repay it.

    migration_cost / monthly_savings, or ``None`` (never) when monthly_savings <= 0.
    """
    cost = _non_negative("migration_cost", migration_cost)
    savings = _real("monthly_savings", monthly_savings)
    if savings <= 0:
        return None
    return cost / savings


def payback_from_decision_months(payback: float | None, lead_time_months: float) -> float | None:
    """Payback counted from the decision date: payback + lead_time_months.

    The guide's payback is "after migration completes"; add the 3-4 months
    (standard) or 6-12 months (complex) of migration lead time. ``None`` stays
    ``None``.
    """
    lead = _non_negative("lead_time_months", lead_time_months)
    if payback is None:
        return None
    return _non_negative("payback", payback) + lead


SENSITIVITY_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Workload))


def sensitivity(
    w: Workload, price: TokenPrice | GpuPrice, field: str, values: Sequence[float]
) -> list[tuple[float, float]]:
    """LCPR as one Workload field varies: [(value, lcpr), ...] in the order given.

    ``field`` is any Workload field (retry_rate, quality_pass_rate, cache_hit_rate,
    engineering_hours, output_tokens, requests, ...). Each value is validated like
    a Workload field, so an out-of-range value raises ValueError.
    """
    if field not in SENSITIVITY_FIELDS:
        raise ValueError(
            f"unknown Workload field {field!r}; expected one of {', '.join(SENSITIVITY_FIELDS)}"
        )
    points: list[tuple[float, float]] = []
    for v in values:
        varied = dataclasses.replace(w, **{field: v})  # validates v
        points.append((float(getattr(varied, field)), lcpr(varied, price).lcpr))
    return points
