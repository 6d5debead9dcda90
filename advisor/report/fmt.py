"""Number and label formatting for the memo (also registered as Jinja filters).

Formatting only: no number is computed here.
"""

from __future__ import annotations

import math
from typing import Any

OPS = {"<": "<", "≤": "≤", ">": ">", "≥": "≥", "=": "=", "≠": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠",
       "in": "in", "not_in": "not in", "present": "is given", "is given": "is given"}

# How questionnaire inputs read on the page (by dotted name; settings.* too).
PERCENT_INPUTS = {
    "profile.retry_rate", "profile.quality_pass_rate", "profile.cache_hit_rate", "profile.dedicated_utilization",
    "ownership.outage_cost_share_of_revenue", "operations.multi_source_overhead_share_of_savings",
    "operations.inference_team_ops_time_share", "operations.fallback_share",
}
MONEY_INPUTS = {
    "settings.engineer_hourly_rate", "settings.migration_hourly_rate", "settings.repair_cost_per_failure",
    "engineer_hourly_rate", "migration_hourly_rate", "repair_cost_per_failure",
    "operations.monthly_inference_spend", "operations.observability_monthly_cost",
    "operations.predicted_monthly_cost", "operations.invoiced_monthly_cost",
}


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def money(x: Any, digits: int | None = None) -> str:
    """$18,128 (whole dollars from $100 up), $4.25, $0.002 for small amounts."""
    if not _finite(x):
        return "—"
    if digits is not None:
        return f"${x:,.{digits}f}"
    ax = abs(x)
    if ax >= 100 or ax == 0:
        return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"
    if ax >= 1:
        return f"${x:,.2f}"
    return f"${x:,.4f}".rstrip("0").rstrip(".") if ax >= 0.0001 else f"${x:.2e}"


def per_request(x: Any) -> str:
    """Per-request dollars at four decimals, as the field guide prints LCPR."""
    if not _finite(x):
        return "—"
    return f"${x:.4f}" if abs(x) >= 0.0001 else f"${x:.2e}"


def pct(x: Any, digits: int = 0) -> str:
    if not _finite(x):
        return "—"
    text = f"{x * 100:.{digits}f}%"
    if digits == 0 and x != 0 and abs(x) < 0.01:
        text = f"{x * 100:.1f}%"
    return text


def months(x: Any) -> str:
    if not _finite(x):
        return "never"
    return f"{x:.1f} months"


def count(x: Any) -> str:
    if not _finite(x):
        return "—"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.1f}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}"


def number(x: Any) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if not _finite(x):
        return "—" if x is None else str(x)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def scalar(x: Any) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (list, tuple)):
        return ", ".join(scalar(v) for v in x)
    if isinstance(x, str):
        return x.replace("_", " ")
    return number(x)


def by_unit(x: Any, unit: str | None) -> str:
    """A parameter or compared fact, written in its parameter's unit."""
    if isinstance(x, bool) or not _finite(x):
        return scalar(x)
    u = (unit or "").lower()
    if u.startswith("usd"):
        return money(x) + ("/month" if "month" in u else "")
    if u.startswith("fraction"):
        return pct(x)
    if u == "months":
        return months(x)
    if u.startswith("percentage points"):
        return f"{x:+g} pts"
    if " per " in u:  # a ratio, e.g. input tokens per output token
        return f"{x:g}:1"
    if u == "x":
        return f"{x:g}×"
    if "tokens/" in u or u.startswith("output tokens"):
        per = u.rsplit("/", 1)[-1].split()[0] if "/" in u else ""
        return count(x) + (f"/{per}" if per else "")
    if u in ("hours", "points", "gates", "engineer-weeks", "eval points"):
        return f"{number(x)} {u}"
    return number(x) + (f" {unit}" if unit else "")


def distance(actual: float, threshold: float, unit: str | None) -> str:
    """'$31,872 below' / '8,128 above' / 'at the threshold'."""
    d = threshold - actual
    if d == 0:
        return "at the threshold"
    side = "below" if d > 0 else "above"
    u = (unit or "").lower()
    if u.startswith("fraction"):
        gap = f"{abs(d) * 100:.1f}".rstrip("0").rstrip(".") + " points"
    elif u.startswith("usd"):
        gap = money(abs(d))
    elif u == "months":
        gap = months(abs(d))
    else:
        gap = by_unit(abs(d), unit)
    return f"{gap} {side}"


def input_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if "_points" in name and _finite(value):
        return f"{value:+g} pts"
    if name in PERCENT_INPUTS and _finite(value):
        return pct(value, 1 if value and (value * 100) % 1 else 0)
    if name in MONEY_INPUTS and _finite(value):
        return money(value)
    if isinstance(value, str):
        return value.replace("_", " ")
    return number(value)


def label(labels: dict, section: str, key: Any) -> str:
    table = labels.get(section, {}) or {}
    if key in table:
        return str(table[key])
    if str(key) in table:
        return str(table[str(key)])
    if section == "inputs":
        text = str(key).split(".")[-1].replace("_", " ")
        return text[:1].upper() + text[1:]
    return str(key).replace("_", " ")
