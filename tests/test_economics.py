"""Tests for advisor.economics: every figure the field guide prints, properties, errors.

Acceptance figures come from the field guide (Part 0 "The number that actually
matters" / "Worked example: the numbers change", Part 1 "The Volume Gate",
"The Gemini question", "The break-even math for dedicated GPU", "The lead time
reality"). Each is checked to within rounding of the figure as printed.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.economics import (
    SENSITIVITY_FIELDS,
    GpuPrice,
    Lcpr,
    TokenPrice,
    Workload,
    attempts,
    breakeven_output_tokens_per_day,
    gpu_monthly_cost,
    gpu_output_tokens_per_month,
    gpus_needed,
    lcpr,
    migration_cost,
    payback_from_decision_months,
    payback_months,
    sensitivity,
    token_cost_per_request,
)


def printed(figure: str) -> object:
    """pytest.approx for a figure as printed: '9,090' -> 9090 +/- 0.5, '0.0191' -> +/- 0.00005."""
    text = figure.replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), abs=0.5 * 10**-decimals)


# The guide's defaults, spelled out here (the module itself holds none).
RETRY, PASS, HOURS, RATE, REPAIR = 0.03, 0.95, 8.0, 100.0, 0.002
UTIL, HOURS_PER_MONTH, TPS = 0.40, 720.0, 1500.0

GPT55 = TokenPrice(5.00, 30.00)
SONNET46 = TokenPrice(3.00, 15.00, cache_discount=0.90)
GEMINI25PRO = TokenPrice(1.25, 10.00)
TOGETHER_DSV3 = TokenPrice(0.60, 1.70)
FIREWORKS_L70B = TokenPrice(0.90, 0.90)
DEEPINFRA_OSS120B = TokenPrice(0.039, 0.19)
LAMBDA_H100 = GpuPrice(hourly_rate=3.99, tokens_per_second=TPS, utilization=UTIL,
                       hours_per_month=HOURS_PER_MONTH)


def workload(requests: float = 500_000, input_tokens: float = 800, output_tokens: float = 400,
             **overrides: float) -> Workload:
    fields = dict(retry_rate=RETRY, quality_pass_rate=PASS, engineering_hours=HOURS,
                  engineer_hourly_rate=RATE, repair_cost_per_failure=REPAIR)
    fields.update(overrides)
    return Workload(requests=requests, input_tokens=input_tokens, output_tokens=output_tokens,
                    **fields)


BASE = workload()
VOLUME_GATE = workload(800_000, 1000, 500, retry_rate=0.05, quality_pass_rate=0.92,
                       engineering_hours=12)


# --------------------------------------------------------------------------- Part 0 worked example


@pytest.mark.parametrize(
    ("price", "raw", "value", "monthly", "overhead"),
    [
        (GPT55, "0.0160", "0.0191", "9,090", "1.20"),
        (LAMBDA_H100, "0.0057", "0.0078", "3,723", "1.36"),
        (TOGETHER_DSV3, "0.0012", "0.0030", "1,447", "2.63"),
        (FIREWORKS_L70B, "0.0011", "0.0030", "1,406", "2.74"),
        (DEEPINFRA_OSS120B, "0.0001", "0.0019", "905", "17.8"),
    ],
    ids=["gpt-5.5", "lambda-h100", "together-dsv3", "fireworks-l70b", "deepinfra-oss120b"],
)
def test_part0_worked_example(price, raw, value, monthly, overhead):
    result = lcpr(BASE, price)
    assert result.raw_cost_per_request == printed(raw)
    assert result.lcpr == printed(value)
    assert result.monthly_cost == printed(monthly)
    assert result.overhead_ratio == printed(overhead)


def test_part0_breakdown_gpt55():
    result = lcpr(BASE, GPT55)
    assert result.attempts == pytest.approx(515_000)
    assert result.token_cost == pytest.approx(8_240)
    assert result.repair_cost == pytest.approx(50)
    assert result.engineering_cost == pytest.approx(800)
    assert result.successful_requests == pytest.approx(475_000)
    assert result.gpus is None
    # "GPT-5.5's raw token cost is $0.016 per request and its LCPR is $0.019, 20% higher"
    assert result.lcpr / result.raw_cost_per_request - 1 == printed("0.20")


def test_part0_lambda_gpu_costs_2873_a_month_on_one_gpu():
    result = lcpr(BASE, LAMBDA_H100)
    assert result.gpus == 1
    assert result.token_cost == printed("2,873")
    # "500K requests generating 200M output tokens per month"
    assert BASE.requests * BASE.output_tokens == pytest.approx(200e6)


def test_part0_raw_and_lcpr_ratio_gpt55_vs_together():
    gpt, together = lcpr(BASE, GPT55), lcpr(BASE, TOGETHER_DSV3)
    assert gpt.raw_cost_per_request / together.raw_cost_per_request == printed("13.8")
    assert gpt.lcpr / together.lcpr == printed("6.3")


def test_engineering_cost_dominance_at_low_volume():
    # "At 50K requests/month, 8 engineering hours at $100/hr is $800, which adds $0.016 per request."
    result = lcpr(workload(50_000), TOGETHER_DSV3)
    assert result.engineering_cost == printed("800")
    assert result.engineering_cost / 50_000 == printed("0.016")


# --------------------------------------------------------------------------- reliability shifts


def test_retry_rate_20_percent():
    shifted = dataclasses.replace(BASE, retry_rate=0.20)
    gpt, together = lcpr(shifted, GPT55), lcpr(shifted, TOGETHER_DSV3)
    assert gpt.lcpr == printed("0.0220")
    assert together.lcpr == printed("0.0033")
    assert gpt.lcpr / together.lcpr == printed("6.8")


def test_quality_pass_rate_70_percent():
    shifted = dataclasses.replace(BASE, quality_pass_rate=0.70)
    gpt, together = lcpr(shifted, GPT55), lcpr(shifted, TOGETHER_DSV3)
    assert gpt.lcpr == printed("0.0267")
    assert together.lcpr == printed("0.0048")
    assert gpt.lcpr / together.lcpr == printed("5.5")


def test_pass_rate_drop_95_to_85_raises_expensive_lcpr_13_percent():
    # "A 10-point drop from 95% to 85% increases LCPR by 13% on expensive providers"
    before = lcpr(BASE, GPT55).lcpr
    after = lcpr(dataclasses.replace(BASE, quality_pass_rate=0.85), GPT55).lcpr
    assert after / before - 1 == printed("0.13")


@pytest.mark.parametrize(
    ("output_tokens", "raw_ratio", "lcpr_ratio"),
    [(100, "10.8", "3.8"), (400, "13.8", "6.3"), (1000, "15.6", "9.3"), (1500, "16.2", "10.8")],
)
def test_output_token_table(output_tokens, raw_ratio, lcpr_ratio):
    w = dataclasses.replace(BASE, output_tokens=output_tokens)
    gpt, together = lcpr(w, GPT55), lcpr(w, TOGETHER_DSV3)
    assert gpt.raw_cost_per_request / together.raw_cost_per_request == printed(raw_ratio)
    assert gpt.lcpr / together.lcpr == printed(lcpr_ratio)


# --------------------------------------------------------------------------- Part 1 Volume Gate


@pytest.mark.parametrize(
    ("price", "value", "monthly"),
    [
        (GPT55, "0.0246", "18,128"),
        (LAMBDA_H100, "0.0057", "4,201"),
        (TOGETHER_DSV3, "0.0035", "2,546"),
        (FIREWORKS_L70B, "0.0033", "2,462"),
    ],
    ids=["gpt-5.5", "lambda-h100", "together-dsv3", "fireworks-l70b"],
)
def test_volume_gate_worked_example(price, value, monthly):
    result = lcpr(VOLUME_GATE, price)
    assert result.lcpr == printed(value)
    assert result.monthly_cost == printed(monthly)


def test_volume_gate_savings_and_payback():
    cost = migration_cost(engineer_weeks=8, hourly_rate=150, hours_per_week=40)
    assert cost == pytest.approx(48_000)
    savings = lcpr(VOLUME_GATE, GPT55).monthly_cost - lcpr(VOLUME_GATE, TOGETHER_DSV3).monthly_cost
    assert savings == printed("15,582")
    assert savings * 12 == printed("186,984")
    assert payback_months(cost, savings) == printed("3.1")
    assert lcpr(VOLUME_GATE, LAMBDA_H100).gpus == 1


def test_volume_gate_lower_volume_payback():
    # Part 0 profile: $9,090 vs $1,447 -> $7,643/month -> 6.3-month payback on $48,000.
    savings = lcpr(BASE, GPT55).monthly_cost - lcpr(BASE, TOGETHER_DSV3).monthly_cost
    assert savings == printed("7,643")
    assert payback_months(48_000, savings) == printed("6.3")


def test_payback_from_decision_date_adds_lead_time():
    payback = payback_months(48_000, 15_582)
    assert payback_from_decision_months(payback, 3) == printed("6.1")
    assert payback_from_decision_months(payback, 4) == printed("7.1")
    assert payback_from_decision_months(None, 4) is None
    assert payback_from_decision_months(0.0, 0) == 0.0


def test_payback_never_when_no_savings():
    assert payback_months(48_000, 0) is None
    assert payback_months(48_000, -1_000) is None
    assert payback_months(0, 500) == 0.0


# --------------------------------------------------------------------------- break-even


@pytest.mark.parametrize(
    ("output_rate", "utilization", "millions_per_day"),
    [(1.70, 1.0, "56.3"), (1.70, 0.40, "140.8"), (0.90, 1.0, "106.4"), (0.90, 0.40, "266.0")],
)
def test_breakeven_lambda_h100(output_rate, utilization, millions_per_day):
    tokens = breakeven_output_tokens_per_day(3.99, output_rate, utilization)
    assert tokens / 1e6 == printed(millions_per_day)


def test_gpu_capacity_figures():
    full = GpuPrice(3.99, TPS, 1.0, HOURS_PER_MONTH)
    # "At full utilization, that's 129.6M output tokens per day."
    assert gpu_output_tokens_per_month(full) / 30 == pytest.approx(129.6e6)
    assert gpu_monthly_cost(full, 1) == printed("2,873")
    assert gpu_monthly_cost(full, 2) == pytest.approx(2 * 3.99 * 720)
    assert gpu_monthly_cost(full, 0) == 0.0


# --------------------------------------------------------------------------- 10M requests, 200K


def test_ten_million_requests():
    w = workload(10_000_000)
    assert lcpr(w, GPT55).monthly_cost == printed("166,600")
    assert lcpr(w, TOGETHER_DSV3).monthly_cost == printed("13,748")
    dedicated = lcpr(w, LAMBDA_H100)
    assert dedicated.monthly_cost == printed("10,418")
    assert dedicated.gpus == 3
    assert gpus_needed(w, LAMBDA_H100) == 3


def test_two_hundred_thousand_requests_gpt55():
    assert lcpr(workload(200_000), GPT55).monthly_cost == printed("4,116")


# --------------------------------------------------------------------------- caching, Gemini


def test_sonnet_prompt_cache():
    w = workload(500_000, 4800, 600)
    assert lcpr(w, SONNET46).monthly_cost == printed("12,901")
    cached = dataclasses.replace(w, cache_hit_rate=0.83)
    assert lcpr(cached, SONNET46).monthly_cost == printed("7,361")
    # Cache hit rate without a discount changes nothing.
    assert lcpr(cached, TokenPrice(3.00, 15.00)).monthly_cost == printed("12,901")


@pytest.mark.parametrize(
    ("input_tokens", "output_tokens", "gemini", "together", "ratio"),
    [
        (4000, 600, "0.0131", "0.0049", "2.7"),   # RAG
        (800, 2000, "0.0239", "0.0054", "4.5"),   # code generation
        (2000, 100, None, None, "1.9"),           # input-heavy classification
    ],
)
def test_gemini_question(input_tokens, output_tokens, gemini, together, ratio):
    w = workload(800_000, input_tokens, output_tokens)
    g, t = lcpr(w, GEMINI25PRO), lcpr(w, TOGETHER_DSV3)
    if gemini is not None:
        assert g.lcpr == printed(gemini)
        assert t.lcpr == printed(together)
    assert g.lcpr / t.lcpr == printed(ratio)


# --------------------------------------------------------------------------- helpers


def test_attempts_and_token_cost_per_request():
    assert attempts(BASE) == pytest.approx(515_000)
    assert token_cost_per_request(BASE, GPT55) == pytest.approx(0.016)
    assert token_cost_per_request(BASE, TOGETHER_DSV3) == pytest.approx(0.00116)


def test_sensitivity_retry_rate():
    points = sensitivity(BASE, GPT55, "retry_rate", [0.03, 0.20])
    assert [v for v, _ in points] == [0.03, 0.20]
    assert points[0][1] == printed("0.0191")
    assert points[1][1] == printed("0.0220")


def test_sensitivity_every_listed_field_and_dedicated():
    for field in ("retry_rate", "quality_pass_rate", "cache_hit_rate", "engineering_hours",
                  "output_tokens", "requests"):
        assert field in SENSITIVITY_FIELDS
        points = sensitivity(BASE, LAMBDA_H100, field, [getattr(BASE, field)])
        assert points == [(getattr(BASE, field), lcpr(BASE, LAMBDA_H100).lcpr)]
    assert sensitivity(BASE, GPT55, "requests", []) == []


def test_sensitivity_output_tokens_matches_table():
    points = dict(sensitivity(BASE, GPT55, "output_tokens", [100, 1500]))
    assert points[100] == pytest.approx(lcpr(dataclasses.replace(BASE, output_tokens=100), GPT55).lcpr)
    assert points[1500] > points[100]


def test_sensitivity_rejects_unknown_field_and_bad_value():
    with pytest.raises(ValueError, match="unknown Workload field"):
        sensitivity(BASE, GPT55, "colour", [1.0])
    with pytest.raises(ValueError, match="quality_pass_rate"):
        sensitivity(BASE, GPT55, "quality_pass_rate", [0.9, 0.0])


def test_dataclasses_are_frozen_with_slots():
    for cls in (Workload, TokenPrice, GpuPrice, Lcpr):
        assert dataclasses.is_dataclass(cls)
        assert "__slots__" in cls.__dict__
    with pytest.raises(dataclasses.FrozenInstanceError):
        BASE.requests = 1  # type: ignore[misc]
    assert isinstance(workload(500_000).requests, float)


# --------------------------------------------------------------------------- edge cases


def test_zero_requests_per_token():
    result = lcpr(workload(0), GPT55)
    assert result.attempts == 0
    assert result.monthly_cost == pytest.approx(800)  # engineering is still paid
    assert result.successful_requests == 0
    assert result.lcpr == math.inf
    assert result.raw_cost_per_request == pytest.approx(0.016)
    assert result.overhead_ratio is None


def test_zero_requests_dedicated():
    result = lcpr(workload(0), LAMBDA_H100)
    assert result.gpus == 1
    assert result.token_cost == printed("2,873")
    assert result.lcpr == math.inf
    assert result.raw_cost_per_request == math.inf
    assert result.overhead_ratio is None


def test_zero_everything_is_inf_not_nan():
    w = workload(0, 0, 0, engineering_hours=0)
    result = lcpr(w, TokenPrice(0, 0))
    assert result.monthly_cost == 0
    assert result.lcpr == math.inf
    assert result.overhead_ratio is None


def test_free_tokens_overhead_is_none():
    result = lcpr(BASE, TokenPrice(0, 0))
    assert result.raw_cost_per_request == 0
    assert result.overhead_ratio is None
    assert result.lcpr == pytest.approx(850 / 475_000)


def test_gpus_needed_exact_fit_does_not_round_up():
    gpu = GpuPrice(3.99, 1000, 0.5, 720)
    capacity = gpu_output_tokens_per_month(gpu)  # 1.296e9 output tokens per GPU
    w = workload(requests=capacity * 2 / 1.1 / 100, output_tokens=100, retry_rate=0.1)
    assert gpus_needed(w, gpu) == 2
    assert gpus_needed(dataclasses.replace(w, requests=w.requests * 1.001), gpu) == 3


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requests", -1),
        ("input_tokens", -0.5),
        ("output_tokens", math.nan),
        ("retry_rate", -0.01),
        ("quality_pass_rate", 0.0),
        ("quality_pass_rate", -0.1),
        ("quality_pass_rate", 1.01),
        ("engineering_hours", math.inf),
        ("engineer_hourly_rate", -100),
        ("repair_cost_per_failure", math.nan),
        ("cache_hit_rate", 1.5),
        ("cache_hit_rate", -0.1),
        ("requests", "500000"),
        ("requests", True),
        ("requests", None),
    ],
)
def test_workload_rejects_bad_values(field, value):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(BASE, **{field: value})


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(input_per_mtok=-1, output_per_mtok=1),
        dict(input_per_mtok=1, output_per_mtok=math.nan),
        dict(input_per_mtok=1, output_per_mtok=1, cache_discount=1.2),
    ],
)
def test_token_price_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        TokenPrice(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(hourly_rate=-3.99, tokens_per_second=1500, utilization=0.4, hours_per_month=720),
        dict(hourly_rate=3.99, tokens_per_second=0, utilization=0.4, hours_per_month=720),
        dict(hourly_rate=3.99, tokens_per_second=1500, utilization=0.0, hours_per_month=720),
        dict(hourly_rate=3.99, tokens_per_second=1500, utilization=1.2, hours_per_month=720),
        dict(hourly_rate=3.99, tokens_per_second=1500, utilization=math.nan, hours_per_month=720),
        dict(hourly_rate=3.99, tokens_per_second=1500, utilization=0.4, hours_per_month=0),
    ],
)
def test_gpu_price_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        GpuPrice(**kwargs)


def test_function_arguments_are_validated():
    with pytest.raises(ValueError, match="utilization"):
        breakeven_output_tokens_per_day(3.99, 1.70, 0)
    with pytest.raises(ValueError, match="serverless_output_per_mtok"):
        breakeven_output_tokens_per_day(3.99, 0, 0.4)
    with pytest.raises(ValueError, match="gpu_hourly_rate"):
        breakeven_output_tokens_per_day(-1, 1.70, 0.4)
    with pytest.raises(ValueError, match="engineer_weeks"):
        migration_cost(-8, 150, 40)
    with pytest.raises(ValueError, match="hourly_rate"):
        migration_cost(8, math.nan, 40)
    with pytest.raises(ValueError, match="migration_cost"):
        payback_months(-1, 100)
    with pytest.raises(ValueError, match="monthly_savings"):
        payback_months(48_000, math.nan)
    with pytest.raises(ValueError, match="lead_time_months"):
        payback_from_decision_months(3.1, -1)
    with pytest.raises(ValueError, match="gpus"):
        gpu_monthly_cost(LAMBDA_H100, -1)
    with pytest.raises(TypeError):
        lcpr(BASE, object())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
pass_rates = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
retry_rates = st.floats(min_value=0.0, max_value=3.0, allow_nan=False)
volumes = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)
counts = st.floats(min_value=0.0, max_value=20_000, allow_nan=False)
money = st.floats(min_value=0.0, max_value=500, allow_nan=False)

token_prices = st.builds(TokenPrice, money, money, fractions)
gpu_prices = st.builds(GpuPrice, money, st.floats(min_value=1, max_value=1e5),
                       st.floats(min_value=0.01, max_value=1.0), st.floats(min_value=1, max_value=744))
prices = st.one_of(token_prices, gpu_prices)
workloads = st.builds(Workload, volumes, counts, counts, retry_rates, pass_rates, counts, money,
                      money, fractions)


@given(workloads, prices, retry_rates, retry_rates)
def test_lcpr_never_falls_when_retry_rate_rises(w, price, a, b):
    low, high = sorted((a, b))
    assert (lcpr(dataclasses.replace(w, retry_rate=high), price).lcpr
            >= lcpr(dataclasses.replace(w, retry_rate=low), price).lcpr)


@given(workloads, prices, pass_rates, pass_rates)
def test_lcpr_never_falls_when_pass_rate_falls(w, price, a, b):
    low, high = sorted((a, b))
    assert (lcpr(dataclasses.replace(w, quality_pass_rate=low), price).lcpr
            >= lcpr(dataclasses.replace(w, quality_pass_rate=high), price).lcpr)


@given(workloads, prices, counts, counts)
def test_lcpr_never_falls_when_engineering_hours_rise(w, price, a, b):
    low, high = sorted((a, b))
    assert (lcpr(dataclasses.replace(w, engineering_hours=high), price).lcpr
            >= lcpr(dataclasses.replace(w, engineering_hours=low), price).lcpr)


@given(workloads, token_prices, volumes, volumes)
def test_monthly_cost_monotone_in_requests_per_token(w, price, a, b):
    low, high = sorted((a, b))
    assert (lcpr(dataclasses.replace(w, requests=high), price).monthly_cost
            >= lcpr(dataclasses.replace(w, requests=low), price).monthly_cost)


@given(workloads, gpu_prices, volumes, volumes)
def test_gpus_needed_at_least_one_and_monotone_in_requests(w, gpu, a, b):
    low, high = sorted((a, b))
    n_low = gpus_needed(dataclasses.replace(w, requests=low), gpu)
    n_high = gpus_needed(dataclasses.replace(w, requests=high), gpu)
    assert 1 <= n_low <= n_high


@given(money, st.floats(min_value=0.001, max_value=500), st.floats(min_value=0.01, max_value=1.0))
def test_breakeven_scales_as_one_over_utilization(hourly, rate, utilization):
    full = breakeven_output_tokens_per_day(hourly, rate, 1.0)
    assert breakeven_output_tokens_per_day(hourly, rate, utilization) == pytest.approx(
        full / utilization, rel=1e-12, abs=1e-9)


@given(workloads, prices)
def test_lcpr_result_is_never_nan(w, price):
    result = lcpr(w, price)
    for value in (result.lcpr, result.monthly_cost, result.raw_cost_per_request):
        assert not math.isnan(value)
    assert result.overhead_ratio is None or math.isfinite(result.overhead_ratio)


def test_overflowing_inputs_raise_value_error_not_nan():
    huge = workload(1e300, 1e300, 1e300)
    with pytest.raises(ValueError, match="overflows"):
        lcpr(huge, GPT55)
    with pytest.raises(ValueError, match="overflows"):
        lcpr(huge, LAMBDA_H100)


def test_tiny_values_do_not_divide_by_zero():
    assert breakeven_output_tokens_per_day(3.99, 1e-320, 0.4) == math.inf
    tiny = workload(1e-300, 0, 1, retry_rate=0, quality_pass_rate=1, repair_cost_per_failure=0)
    result = lcpr(tiny, TokenPrice(0, 1e-300))
    assert result.lcpr == pytest.approx(800 / 1e-300)  # huge but finite
    assert result.overhead_ratio is None
