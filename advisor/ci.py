"""`--fail-on`: conditions that turn `advisor score` / `advisor diff` into a failing CI check.

A condition is one of ``red-flag``, ``revert-signal``, ``decision-change`` and
``cost-increase[:N%]``. When any condition is met the command still prints its
output, then exits with status 3 (FAIL_ON_EXIT). Bad input (exit 1) wins over
a met condition. See docs/ci.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAIL_ON_EXIT = 3
KINDS = ("red-flag", "revert-signal", "cost-increase", "decision-change")
NEEDS_TWO_SNAPSHOTS = ("cost-increase", "decision-change")
_COST = re.compile(r"^cost-increase(?::(\d+(?:\.\d+)?)%?)?$")


@dataclass(frozen=True)
class Condition:
    kind: str
    percent: float | None = None  # cost-increase only: fail when cost rises by more than this

    def __str__(self) -> str:
        return f"{self.kind}:{self.percent:g}%" if self.percent is not None else self.kind


def parse_condition(text: str) -> Condition:
    """'red-flag', 'revert-signal', 'decision-change', 'cost-increase' or 'cost-increase:10%'. ValueError otherwise."""
    t = text.strip().lower()
    if t in ("red-flag", "revert-signal", "decision-change"):
        return Condition(t)
    m = _COST.match(t)
    if m:
        return Condition("cost-increase", float(m.group(1)) if m.group(1) is not None else 0.0)
    raise ValueError(f"'{text}' is not a condition (use {', '.join(KINDS[:2])}, cost-increase:N%, decision-change)")


def score_failures(conditions: list[Condition], report: dict) -> list[str]:
    """Conditions met by one `score` report (red flags and revert signals firing in any file)."""
    out = []
    for c in conditions:
        key = {"red-flag": "red_flags", "revert-signal": "revert_signals"}.get(c.kind)
        if key is None:
            continue
        for r in report.get("results", []):
            for s in r.get(key, []):
                out.append(f"{c}: {s.get('title') or s.get('id')} ({r['organization']}, {r['file']})")
    return out


def diff_failures(conditions: list[Condition], d: dict, old_records: list[dict], new_records: list[dict]) -> list[str]:
    """Conditions met between two snapshots. Cost is the monthly loaded cost today, summed over workloads."""
    from advisor.render.markdown import diff_totals, money, pct

    out = []
    for c in conditions:
        if c.kind in ("red-flag", "revert-signal"):
            kind = c.kind.replace("-", "_")
            out += [f"{c}: {t['title']}" for t in d.get("triggers", []) if t.get("kind") == kind]
        elif c.kind == "cost-increase":
            t = diff_totals(old_records, new_records)
            rise = t["new_cost"] - t["old_cost"]
            if rise > 0 and (t["old_cost"] <= 0 or rise / t["old_cost"] * 100 > (c.percent or 0)):
                out.append(f"{c}: monthly cost today {money(t['old_cost'])} → {money(t['new_cost'])} ({pct(rise, t['old_cost'])})")
        elif c.kind == "decision-change":
            old_by = {r["workload"]: r for r in old_records}
            for r in new_records:
                o = old_by.get(r["workload"])
                if o is not None and o.get("decision") != r.get("decision"):
                    out.append(f"{c}: {r['workload']} {o.get('decision')} → {r.get('decision')}")
    return out
