"""What the memo template renders: the assessment's plain-data result plus the
few things a page needs that the result does not carry (chart SVGs, the
thresholds nearest today's values, the watch list with every signal's
threshold, the catalog entries used, the monitoring table).

No rule is re-decided and no threshold is restated here: thresholds come from
the rule parameters of the assessment (``assessment_dict(a)["parameters"]``,
with the rule files' units and descriptions), numbers from the pipeline or the
pure LCPR core. Formatting lives in :mod:`advisor.report.fmt`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import advisor.economics as core
from advisor.assess import Assessment, WorkloadResult
from advisor.comparison import price_of
from advisor.decision.build import SENSITIVITY_INPUTS
from advisor.defaults import defaults, economics_constant
from advisor.engine.language import ParamRef
from advisor.engine.rulebook import load_rulebook
from advisor.render.result import assessment_dict
from advisor.report import charts, fmt
from advisor.resources import data_path
from advisor.yamlio import read_yaml

# Sensitivity ranges in rules/defaults.yaml name questionnaire inputs; the core
# names Workload fields (one mapping, the decision record's: the savings range
# and the tornado chart move the same inputs).
_SENSITIVITY_FIELD = {key: fld for key, (_name, fld) in SENSITIVITY_INPUTS.items()}
_SENSITIVITY_LABEL = {
    "retry_rate": "Retry rate",
    "quality_pass_rate": "Quality-gate pass rate",
    "cache_hit_rate": "Cache hit rate",
    "engineering_hours": "Engineering hours/month",
    "output_tokens": "Output tokens/request",
}
NEAREST_ROWS = 4
# Tier boundaries of the complexity score are not values that drift month to month.
NOT_NEAREST = ("complexity.",)
MAX_VOLUME_OPTIONS = 5


def load_yaml(path: Path) -> dict:
    return read_yaml(path).data or {}


def load_labels(template_dir: Path) -> dict:
    """labels.yaml of the bundled template, overlaid by the template folder's own."""
    bundled = load_yaml(data_path("reports", "memo", "labels.yaml"))
    own = template_dir / "labels.yaml"
    if own.is_file() and own.resolve() != data_path("reports", "memo", "labels.yaml").resolve():
        for key, value in load_yaml(own).items():
            if isinstance(value, dict) and isinstance(bundled.get(key), dict):
                bundled[key] = {**bundled[key], **value}
            else:
                bundled[key] = value
    return bundled


def load_monitoring() -> dict:
    return load_yaml(data_path("reports", "monitoring.yaml"))


# ---------------------------------------------------------------- thresholds


@dataclass
class Threshold:
    entity: str
    fact: str
    label: str
    actual: float
    param: str
    threshold: float
    unit: str | None
    description: str
    op: str

    @property
    def distance(self) -> float:
        return self.threshold - self.actual

    @property
    def relative(self) -> float:
        return abs(self.distance) / abs(self.threshold) if self.threshold else float("inf")


def _numeric(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def nearest_thresholds(result: dict, a: Assessment, labels: dict) -> list[Threshold]:
    """Numeric comparisons the rules made against a parameter, nearest (relative) first.

    Always keeps, per workload (up to three workloads), the closest spend band of
    the Volume Gate and, where a dedicated GPU is among its options, the distance
    of its utilization from the revert threshold.
    """
    rb = load_rulebook()
    params = {k: v["value"] for k, v in result["parameters"].items()}
    seen: dict[tuple, Threshold] = {}
    for t in result["trace"]:
        if t["scope"] == "vendor":
            continue
        for c in t["compared"]:
            p = c.get("param")
            if p and p.startswith(NOT_NEAREST):
                continue
            if not p or not _numeric(c.get("actual")) or not _numeric(c.get("threshold")):
                continue
            key = (t["entity"], c["fact"], p)
            spec = rb.parameters.get(p)
            seen.setdefault(key, Threshold(t["entity"], c["fact"], fmt.label(labels, "inputs", c["fact"]), float(c["actual"]), p, float(c["threshold"]), spec.unit if spec else None, spec.description if spec else p, c["op"]))
    # A zero measure (no closed-API spend, say) is not "near" anything.
    rows = [r for r in seen.values() if r.actual != 0]
    forced: list[Threshold] = []
    util_param = "revert.dedicated_utilization_below"
    for w in a.workloads[:3]:
        bands = [r for r in rows if r.entity == w.workload.name and r.param.startswith("volume.") and r.fact == "economics.closed_api_spend"]
        if bands:
            forced.append(min(bands, key=lambda r: r.relative))
        # Only where the company runs a GPU today or is told to: the default input
        # equals the threshold, so for everyone else the row says nothing.
        decided = w.best if (w.best is not None and w.decision == "migrate") else None
        uses_gpu = any(c is not None and not c.option.per_token for c in (w.priced.current, decided))
        if uses_gpu and util_param in params:
            spec = rb.parameters[util_param]
            forced.append(Threshold(w.workload.name, "profile.dedicated_utilization", fmt.label(labels, "inputs", "profile.dedicated_utilization"), float(w.priced.utilization), util_param, float(params[util_param]), spec.unit, spec.description, "<"))
    # One measure compared with the same value under two names is one row.
    merged: dict[tuple, Threshold] = {}
    for r in rows:
        key = (r.entity, r.fact, r.threshold)
        if key in merged:
            if r.description not in merged[key].description:
                merged[key].description += " " + r.description
        else:
            merged[key] = r
    rows = list(merged.values())
    out: list[Threshold] = []
    for f in forced:  # the same input at the same value is one row, whichever workload
        if all((f.fact, f.param, f.actual) != (o.fact, o.param, o.actual) for o in out):
            out.append(f)
    for r in sorted(rows, key=lambda r: (r.relative, r.entity, r.param)):
        if len(out) >= max(NEAREST_ROWS, len(forced)):
            break
        if all((r.entity, r.fact, r.threshold) != (o.entity, o.fact, o.threshold) for o in out):
            out.append(r)
    return sorted(out, key=lambda r: r.relative)


# ---------------------------------------------------------------- watch list


def watch_rows(a: Assessment, result: dict, labels: dict) -> dict[str, list[dict]]:
    """Every revert signal and red-flag rule with its thresholds; firing ones flagged."""
    rb = load_rulebook()
    params = {k: v["value"] for k, v in result["parameters"].items()}
    fired = {s["rule"]: s for s in result["revert_signals"] + result["red_flags"]}
    facts = a.organization.facts
    out: dict[str, list[dict]] = {"revert_signals": [], "red_flags": []}
    for lr in rb.rules.get("organization", []):
        if lr.ruleset not in out:
            continue
        conditions, today = [], []
        for atom in lr.alternatives[0]:
            if isinstance(atom.value, ParamRef):
                spec = rb.parameters[atom.value.name]
                value = params.get(atom.value.name, spec.value)
                conditions.append(f"{fmt.label(labels, 'inputs', atom.fact)} {fmt.OPS.get(atom.op, atom.op)} {fmt.by_unit(value, spec.unit)}")
                if atom.fact in facts:
                    today.append(fmt.by_unit(facts[atom.fact], spec.unit))
            else:
                shown = fmt.scalar(atom.value)
                conditions.append(f"{fmt.label(labels, 'inputs', atom.fact)} {fmt.OPS.get(atom.op, atom.op)} {shown}")
                if atom.fact in facts and not atom.fact.startswith("org.current_stage"):
                    today.append(fmt.scalar(facts[atom.fact]))
        hit = fired.get(lr.rule.id)
        out[lr.ruleset].append({
            "rule": lr.rule.id,
            "title": lr.rule.then.title or lr.rule.id,
            "severity": lr.rule.then.severity,
            "conditions": conditions,
            "today": ", ".join(today) if today else None,
            "firing": hit is not None,
            "because": hit["because"] if hit else "",
            "actions": lr.rule.then.actions,
            "source": lr.rule.source,
        })
    return out


def monitoring_applies(result: dict, monitoring: dict) -> bool:
    when = monitoring.get("applies_when", {})
    stage = result["stage"]["recommended"]
    if stage is not None and "min_recommended_stage" in when and stage >= when["min_recommended_stage"]:
        return True
    modes = set(when.get("deployment_modes", []))
    return any(w["decision"] == "migrate" and w["deployment"]["outcome"] in modes for w in result["workloads"])


# ---------------------------------------------------------------- per workload


def _sensitivity_ranges(numbers: core.Workload) -> dict[str, tuple[float, float]]:
    ranges = {}
    for key, (lo, hi) in defaults()["economics"]["sensitivity"].items():
        field = _SENSITIVITY_FIELD.get(key)
        if field is None:
            continue
        if key == "output_tokens_factor":
            lo, hi = numbers.output_tokens * lo, numbers.output_tokens * hi
        ranges[field] = (float(lo), float(hi))
    return ranges


def _sensitivity_value(field: str, v: float) -> str:
    if field in ("retry_rate", "quality_pass_rate", "cache_hit_rate"):
        return fmt.pct(v)
    if field == "engineering_hours":
        return f"{v:g} h"
    return f"{v:,.0f}"


MAX_LCPR_ROWS = 8


def shown_options(r: WorkloadResult, rec_id: str | None) -> list[str]:
    """Options in the LCPR table and bar chart: today's, the recommended one, every
    scored vendor, then the cheapest others up to MAX_LCPR_ROWS (cheapest first)."""
    must = {r.priced.current.id, *(v.option for v in r.vendors)} | ({rec_id} if rec_id else set())
    out = [c.id for c in r.priced.costs if c.id in must]
    for c in r.priced.costs:
        if len(out) >= MAX_LCPR_ROWS:
            break
        if c.id not in out:
            out.append(c.id)
    return [c.id for c in r.priced.costs if c.id in out]


def product_name(a: Assessment, option) -> str:
    """'Together AI DeepSeek V3': the same name the decision record gives the option."""
    from advisor.decision.build import product_name as record_product_name

    return record_product_name(option, a.catalog)


def workload_view(r: WorkloadResult, d: dict, a: Assessment, labels: dict, with_charts: bool) -> dict:
    """Charts, crossovers and the sensitivity table for one workload."""
    priced = r.priced
    numbers = priced.numbers
    hours = economics_constant("hours_per_month")
    current = priced.current
    rec = r.best if (r.best is not None and r.decision == "migrate") else None
    focus = rec or current
    others = [c for c in priced.costs if c.id not in (current.id, focus.id)]
    plotted = [current] + ([rec] if rec else []) + others
    plotted = plotted[:MAX_VOLUME_OPTIONS]
    lo, hi = defaults()["economics"]["volume_chart_range"]
    # Crossings that matter to the decision only: the option the memo is about
    # (recommended, or today's on a stay) against each other plotted option.
    pairs = [(focus, o) for o in plotted if o.id != focus.id]
    if rec:
        pairs.insert(0, (current, rec))
    marks = charts.crossovers(pairs, numbers, a.catalog, priced.utilization, hours, lo, hi) if numbers.requests > 0 else []
    price = price_of(focus.option, a.catalog, priced.utilization, hours)
    swings = charts.swings(numbers, price, _sensitivity_ranges(numbers), _SENSITIVITY_LABEL) if numbers.requests > 0 else []
    shown = shown_options(r, rec.id if rec else None)
    view: dict[str, Any] = {
        "shown": shown,
        "hidden_count": len(priced.costs) - len(shown),
        "crossovers": marks,
        "focus": focus.id,
        "focus_lcpr": focus.result.lcpr,
        "swings": list(reversed(swings)),
        "sensitivity_value": _sensitivity_value,
        "volume_range": tuple(defaults()["economics"]["volume_chart_range"]),
        "plotted": [o.id for o in plotted],
    }
    if with_charts and numbers.requests > 0:
        names = {c.id: product_name(a, c.option) for c in priced.costs}
        view["bar_svg"] = charts.lcpr_bars([c for c in priced.costs if c.id in shown], current.id, rec.id if rec else None, names=names)
        # Several workloads: each workload's charts two to a row (issue 11 page budget).
        width = charts.FULL_WIDTH if len(a.workloads) == 1 else charts.HALF_WIDTH
        view["volume_svg"] = charts.volume_chart(plotted, current.id, rec.id if rec else None, numbers, a.catalog, priced.utilization, hours, lo, hi, marks, names=names, width=width)
        view["tornado_svg"] = charts.tornado_chart(swings, focus.result.lcpr, focus.id, _sensitivity_value) if swings else None
    answers = {v.option: v for v in r.workload.vendors}
    view["vendor_notes"] = [
        {"option": v.option, "gate": g, "note": note} for v in r.workload.vendors for g, note in v.notes.items()
    ]
    view["controls"] = {o: list(v.compensating_controls) for o, v in answers.items() if v.compensating_controls}
    view["notes"] = r.workload.notes
    view["notes_by"] = {v.option: dict(v.notes) for v in r.workload.vendors}
    verdicts = {x["option"]: x for x in d["vendors"]}
    view["passed_over"] = [
        {"option": c.id, "verdict": verdicts[c.id]["verdict"], "eliminated_by": verdicts[c.id]["eliminated_by"]}
        for c in priced.costs
        if rec is not None and c.id in verdicts and c.id != rec.id and c.result.lcpr < rec.result.lcpr
    ]
    rec_entry = next((x for x in d["vendors"] if rec is not None and x["option"] == rec.id), None)
    view["conditions"] = [
        {"gate": g, **cell} for g, cell in (rec_entry["gates"].items() if rec_entry else []) if cell["verdict"] not in (None, "pass")
    ]
    view["assumed_conclusions"] = [
        {"what": what, "outcome": c.get("outcome"), "inputs": c.get("assumed_inputs", [])}
        for what, c in (("Specialization Gate", d["gates"]["specialization"]), ("Ownership Gate", d["gates"]["ownership"]), ("Volume Gate", d["gates"]["volume"]),
                        ("When-not-to-migrate check", d["stay_blocker"]), ("Deployment mode", d["deployment"]))
        if c.get("assumed_inputs")
    ]
    return view


# ---------------------------------------------------------------- trace


ANSWERED_SUFFIX = ".answered"


def condense_vendor_groups(groups: list[tuple[str, list[dict]]], trace: list[dict]) -> list[tuple[str, list[dict]]]:
    """One row per vendor (rule → value lines, the verdict's reason) for long memos."""
    vendor_entities = {t["entity"] for t in trace if t["scope"] == "vendor"}
    out = []
    for entity, rows in groups:
        if entity not in vendor_entities:
            out.append((entity, rows))
            continue
        lines = []
        for r in rows:
            for rule in r.get("rules") or [r["rule"]]:
                value = next((t["value"] for t in trace if t["entity"] == entity and t["rule"] == rule), r.get("value"))
                lines.append(f"{rule} → {value}")
        verdict = next((r for r in rows if r.get("conclusion") == "vendor.verdict"), None)
        out.append((entity, [{"rule": None, "lines": lines, "value": None, "compared": [], "because": verdict["because"] if verdict else ""}]))
    return out


def trace_groups(trace: list[dict]) -> list[tuple[str, list[dict]]]:
    """The rule trace by entity, in order. An entity's gate verdicts answered in
    the questionnaire (rules ``*.answered``) share one row: same reason, one
    compared fact each."""
    groups: list[tuple[str, list[dict]]] = []
    for t in trace:
        if not groups or groups[-1][0] != t["entity"]:
            groups.append((t["entity"], []))
        rows = groups[-1][1]
        if t["rule"].endswith(ANSWERED_SUFFIX):
            merged = next((r for r in rows if r.get("merged")), None)
            if merged is None:
                merged = {"rule": t["rule"], "rules": [], "value": None, "compared": [], "because": "", "merged": True}
                rows.append(merged)
            merged["rules"].append(t["rule"])
            merged["compared"].extend(t["compared"])
            merged["because"] = t["because"] if len(merged["rules"]) == 1 else "Answered in the questionnaire (the team's own verdicts)."
            continue
        rows.append(t)
    for _, rows in groups:
        for r in rows:
            if r.get("merged") and len(r["rules"]) > 1:
                prefix = r["rules"][0].split(".")[0]
                r["rule"] = f"{prefix}.*{ANSWERED_SUFFIX} ({len(r['rules'])} rules)"
    return groups


# ---------------------------------------------------------------- assumptions


MATRIX_COLUMNS = 5
CONDENSE_TRACE_ABOVE = 2  # workloads; above this, vendor-scope trace rows are condensed


def assumption_matrix(workloads: list[dict]) -> list[dict]:
    """Inputs × workloads (at most MATRIX_COLUMNS workloads per table), for multi-workload memos."""
    chunks = []
    for i in range(0, len(workloads), MATRIX_COLUMNS):
        group = workloads[i : i + MATRIX_COLUMNS]
        names: list[str] = []
        for d in group:
            names.extend(x["name"] for x in d["inputs"] if not x["name"].startswith("settings.") and x["name"] not in names)
        by = [{x["name"]: x for x in d["inputs"]} for d in group]
        rows = [{"name": n, "cells": [b.get(n) for b in by]} for n in names]
        notes = [(d["name"], x["name"], x["note"]) for d in group for x in d["inputs"] if x.get("note") and not x["name"].startswith("settings.")]
        chunks.append({"workloads": [d["name"] for d in group], "rows": rows, "notes": notes})
    return chunks


def assumed_summary(workloads: list[dict]) -> list[dict]:
    """Conclusions resting on assumed inputs, grouped: one line per (conclusion, inputs)."""
    groups: dict[tuple, dict] = {}
    for w in workloads:
        for c in w["v"]["assumed_conclusions"]:
            key = (c["what"], tuple(c["inputs"]))
            g = groups.setdefault(key, {"what": c["what"], "inputs": c["inputs"], "workloads": [], "outcomes": []})
            g["workloads"].append(w["d"]["name"])
            if c["outcome"] not in g["outcomes"]:
                g["outcomes"].append(c["outcome"])
    return list(groups.values())


# ---------------------------------------------------------------- catalog


def catalog_used(a: Assessment) -> list[dict]:
    seen: dict[str, dict] = {}
    for r in a.workloads:
        for c in r.priced.costs:
            o = c.option
            if o.id in seen:
                continue
            seen[o.id] = {
                "id": o.id,
                "provider": a.catalog.providers[o.provider].name,
                "model": o.model,
                "deployment": o.deployment,
                "price": o.price_label(),
                "as_of": o.as_of.isoformat(),
                "source": o.source,
            }
    return sorted(seen.values(), key=lambda x: x["id"])


# ---------------------------------------------------------------- the memo


def memo_date(a: Assessment, result: dict, deterministic: bool) -> str:
    if result.get("assessed_on"):
        return result["assessed_on"]
    if deterministic:
        return result["pricing_as_of"]
    return dt.date.today().isoformat()


PAGE_ONE_BOUNDARIES = 3  # page 1 holds the decision; the rest of the boundaries are in the JSON
PAGE_ONE_SENTENCES = 3  # workloads decided in a sentence each; beyond this, one table row each
PAGE_ONE_MEASURE_FIRST = 3
AVERAGE_MONTH_DAYS = 365.25 / 12


def month_after(start: dt.date, months: float | None) -> str | None:
    """'March 2027': the calendar month ``months`` after ``start`` (a date)."""
    if months is None or not isinstance(months, (int, float)) or months != months or months in (float("inf"), float("-inf")):
        return None
    return (start + dt.timedelta(days=round(months * AVERAGE_MONTH_DAYS))).strftime("%B %Y")


def option_names(a: Assessment) -> dict[str, str]:
    """Every option id the memo can print, by the name a reader knows (catalog provider + model)."""
    return {o.id: product_name(a, o) for o in a.catalog.options} | {
        c.id: product_name(a, c.option) for r in a.workloads for c in r.priced.costs
    }


def signal_split(watch: dict[str, list[dict]], records=()) -> dict[str, list[dict]]:
    """Revert signals and red flags as the reader needs them: firing, quiet (measured
    and below the threshold) and not measured (no value to compare today).

    The state is the decision record's (DecisionRecord.signals: one definition of
    "measured" for the memo, the JSON and the interview); the watch list adds
    each signal's thresholds and today's values for display.
    """
    rows = watch["red_flags"] + watch["revert_signals"]  # red flags first: they apply at every stage
    state = {s.rule: s.state for s in (records[0].signals if records else []) if s.rule}

    def of(s: dict) -> str:
        if s["rule"] in state:
            return state[s["rule"]]
        return "firing" if s["firing"] else ("quiet" if s["today"] else "not_measured")

    return {k: [s for s in rows if of(s) == k] for k in ("firing", "quiet", "not_measured")}


def page_one(a: Assessment, result: dict, start: dt.date, flips: list[dict]) -> dict[str, Any]:
    """Page 1's figures, every one read from the decision records (Assessment.records).

    Two portfolio figures are computed here because no record carries them (the
    Assessment should gain a portfolio summary): the combined payback of several
    migrations (their budgets over their savings) and its calendar month.
    """
    rows = []
    for rec, d in zip(a.records, result["workloads"]):
        migrate = rec.decision == "migrate"
        rows.append({
            "rec": rec,
            "d": d,
            "migrate": migrate,
            "staffing": d["complexity"]["timeline"],
            "full_savings_month": month_after(start, rec.lead_time_months) if migrate else None,
            "paid_back_month": month_after(start, rec.payback_from_decision_months) if migrate else None,
            "forgone": rec.forgone_savings_per_month if (not migrate and rec.forgone_savings_per_month and rec.forgone_savings_per_month > 0) else None,
        })
    moving = [x["rec"] for x in rows if x["migrate"]]
    savings = sum(r.savings_per_month or 0 for r in moving)
    budget = sum(r.migration_cost or 0 for r in moving)
    lead = max((r.lead_time_months or 0 for r in moving), default=None)
    if len(moving) == 1:
        payback, payback_from_decision = moving[0].payback_months, moving[0].payback_from_decision_months
    elif moving and savings > 0:  # portfolio figure: no record has it (see the docstring)
        payback = core.payback_months(budget, savings)
        payback_from_decision = core.payback_from_decision_months(payback, lead or 0)
    else:
        payback = payback_from_decision = None
    measure_first: list[str] = []
    for b in flips:
        if b.get("measure_first") and b.get("input") and b["input"] not in measure_first:
            measure_first.append(b["input"])
    for r in a.records:
        for name in r.weakest_inputs:
            if name.startswith("profile.") and name not in measure_first:
                measure_first.append(name)
    return {
        "rows": rows,
        "sentences": len(rows) <= PAGE_ONE_SENTENCES,
        "cost_today": sum(r.loaded_cost_today for r in a.records),
        "invoice_today": sum(r.invoice_today for r in a.records),
        "savings": savings if moving else None,
        "forgone": sum(x["forgone"] or 0 for x in rows),
        "forgone_count": sum(1 for x in rows if x["forgone"]),
        "unlock_budget": sum(x["rec"].migration_cost or 0 for x in rows if x["forgone"]),
        "unlock_weeks": sum(x["rec"].engineer_weeks or 0 for x in rows if x["forgone"]),
        "budget": budget,
        "engineer_weeks": sum(r.engineer_weeks or 0 for r in moving),
        "moving": len(moving),
        "lead_time_months": lead,
        "payback_months": payback,
        "payback_from_decision_months": payback_from_decision,
        "full_savings_month": month_after(start, lead) if moving else None,
        "paid_back_month": month_after(start, payback_from_decision),
        "start": start,
        "measure_first": measure_first[:PAGE_ONE_MEASURE_FIRST],
    }


# ---------------------------------------------------------------- risks and next steps


def _level(spec: Any, key: str) -> str:
    """A level from labels.yaml: a word, or a mapping of cases to words."""
    return spec if isinstance(spec, str) else spec[key]


def risk_register(a: Assessment, result: dict, flips: list[dict], labels: dict, watch: dict | None = None, limit: int = 3) -> list[dict]:
    """The biggest risks, from the decision records and the rule parameters in
    force; wording, likelihood and impact levels are labels.yaml's ``risks``."""
    spec, score = labels.get("risks") or {}, labels.get("risk_levels") or {}
    params = {k: v["value"] for k, v in result["parameters"].items()}
    names = option_names(a)
    out: list[dict] = []

    def add(rec, kind: str, likelihood: str, impact: str, stake: float, boundary: dict | None = None, **values: Any) -> None:
        s = spec.get(kind)
        if not s:
            return
        out.append({"workload": rec.workload, "kind": kind, "likelihood": likelihood, "impact": impact, "boundary": boundary,
                    "risk": s["risk"].format(**values), "mitigation": s["mitigation"].format(**values),
                    "score": score.get(likelihood, 1) * score.get(impact, 1), "stake": stake})

    for rec, d in zip(a.records, result["workloads"]):
        migrate = rec.decision == "migrate"
        stake = abs(rec.savings_per_month or 0)
        inputs = {x["name"]: x for x in d["inputs"]}
        b = next((b for b in flips if b["workload"] == rec.workload and b.get("outcome") == "decision"
                  and b.get("confidence") != "measured"), None)
        if b is not None and "boundary" in spec:
            lk = spec["boundary"]["likelihood"]
            near = abs(b.get("distance_pct") or 1e9) <= lk["within_pct"]
            likelihood = lk["measure_first"] if b.get("measure_first") else (lk["near"] if near else lk["far"])
            add(rec, "boundary", likelihood, spec["boundary"]["impact"], stake, boundary=b, sentence=b["sentence"],
                input=fmt.label(labels, "inputs", b["input"]), input_lower=fmt.label(labels, "inputs", b["input"]).lower())
        sr = rec.savings_range
        if sr is not None and sr.drivers and migrate and sr.base > 0:  # a move the savings do not justify (Ownership) has no "low end"
            driver = fmt.label(labels, "inputs", sr.drivers[0]["input"]).lower()
            add(rec, "savings_low", _level(spec.get("savings_low", {}).get("likelihood", "medium"), ""),
                _level(spec.get("savings_low", {}).get("impact", "medium"), "below_zero" if sr.low <= 0 else "otherwise"),
                stake, low=fmt.money(sr.low), base=fmt.money(sr.base), driver=driver)
        if migrate and rec.payback_if_overrun_months is not None and rec.engineer_weeks:
            limit_months = params.get("volume.max_payback_months")
            beyond = limit_months is not None and rec.payback_if_overrun_months > float(limit_months)
            execution = d["gates"]["volume"]["outcome"] == "pass_with_execution_risk"
            o = spec.get("overrun", {})
            add(rec, "overrun", _level(o.get("likelihood", "medium"), "execution_risk" if execution else "otherwise"),
                _level(o.get("impact", "medium"), "beyond_payback_limit" if beyond else "otherwise"), stake,
                weeks=fmt.number(rec.engineer_weeks), weeks_over=fmt.number(rec.engineer_weeks * rec.migration_overrun_factor),
                budget_over=fmt.money((rec.migration_cost or 0) * rec.migration_overrun_factor),
                payback=fmt.months(rec.payback_months), payback_over=fmt.months(rec.payback_if_overrun_months))
        gap = inputs.get("specialization.open_weights_eval_gap_points")
        if (migrate and rec.recommended is not None and gap is not None and gap.get("confidence") != "measured"
                and rec.recommended.id in {c.id for r in a.workloads for c in r.priced.costs
                                            if a.catalog.providers[c.option.provider].open_weights}):
            suite = inputs.get("specialization.production_eval_suite", {}).get("value")
            e = spec.get("eval_gap", {})
            add(rec, "eval_gap", _level(e.get("likelihood", "medium"), "eval_suite" if suite else "no_eval_suite"),
                _level(e.get("impact", "high"), ""), stake, product=names.get(rec.recommended.id, rec.recommended.id),
                threshold=fmt.number(params.get("stay.eval_gap_points")))
        if migrate and rec.recommended is not None and rec.recommended.verdict == "conditional":
            entry = next((v for v in d["vendors"] if v["option"] == rec.recommended.id), None)
            for g, cell in (entry["gates"].items() if entry else []):
                if cell["verdict"] not in (None, "pass"):
                    c = spec.get("vendor_condition", {})
                    add(rec, "vendor_condition", _level(c.get("likelihood", "medium"), ""), _level(c.get("impact", "high"), ""), stake,
                        product=names.get(rec.recommended.id, rec.recommended.id), gate=fmt.label(labels, "vendor_gates", g).lower(),
                        state=fmt.label(labels, "vendor_gate_state", cell["verdict"]))
        if not migrate and rec.forgone_savings_per_month and rec.unlock:
            f = spec.get("forgone", {})
            high = rec.forgone_savings_per_month * 12 > (rec.migration_cost or 0)
            blocker = d["stay_blocker"].get("outcome")
            blocked = blocker not in (None, "none")
            add(rec, "forgone", _level(f.get("likelihood", "high"), ""), _level(f.get("impact", "medium"), "above_budget_month" if high else "otherwise"),
                rec.forgone_savings_per_month, forgone=fmt.money(rec.forgone_savings_per_month),
                blocker=fmt.label(labels, "stay_blocker", blocker) if blocked else fmt.label(labels, "decision_basis", d["decision_basis"]),
                unlock=rec.unlock[-1] if blocked else rec.unlock[0])  # the blocker's own action comes last
    # A red flag or revert signal firing today (the records' signal states; the watch list's actions).
    firing = {sig.rule for rec in a.records for sig in rec.signals if sig.state == "firing"}
    f = spec.get("firing")
    for row in (watch or {}).get("red_flags", []) + (watch or {}).get("revert_signals", []):
        if f and row["rule"] in firing and row["actions"] and a.records:
            add(a.records[0], "firing", _level(f.get("likelihood", "high"), ""),
                _level(f.get("impact", "medium"), "critical" if row["severity"] == "critical" else "otherwise"),
                0.0, title=row["title"], because=row["because"] or "", action=" ".join(row["actions"]))
            out[-1]["workload"] = None
    order = list(spec)
    out.sort(key=lambda r: (-r["score"], -r["stake"], order.index(r["kind"])))
    merged: list[dict] = []  # the same risk in the same words for several workloads is one row
    for r in out:
        same = next((m for m in merged if (m["risk"], m["mitigation"]) == (r["risk"], r["mitigation"])), None)
        if same is None:
            merged.append({**r, "workloads": [r["workload"]] if r["workload"] else []})
        elif r["workload"]:
            same["workloads"].append(r["workload"])
    # Firing signals are also listed under "What would reverse this": they take at most
    # risks.firing.max_rows places unless the decision has fewer risks of its own.
    cap = int((spec.get("firing") or {}).get("max_rows", limit))
    fire = [m for m in merged if m["kind"] == "firing"]
    own = [m for m in merged if m["kind"] != "firing"]
    chosen = fire[:cap] + own
    chosen += fire[cap:][: max(0, limit - len(chosen))]
    return sorted(chosen, key=merged.index)[:limit]


def _phase_end(phase: str, lead_months: float | None) -> float:
    """Months from the decision to the end of a lead-time phase (rules/defaults.yaml timeline.phases)."""
    phases = defaults()["timeline"]["phases"]
    share = 0.0
    for name, part in phases.items():
        share += float(part)
        if name == phase:
            break
    return share * float(lead_months or 0)


def due_date(start: dt.date, step: dict, lead_months: float | None) -> dt.date:
    if "due_days" in step:
        return start + dt.timedelta(days=int(step["due_days"]))
    return start + dt.timedelta(days=max(7, round(_phase_end(step["due_phase"], lead_months) * AVERAGE_MONTH_DAYS)))


def build(a: Assessment, labels: dict, *, deterministic: bool, with_charts: bool = True) -> dict[str, Any]:
    result = assessment_dict(a)
    monitoring = load_monitoring()
    workloads = []
    for r, d in zip(a.workloads, result["workloads"]):
        workloads.append({"d": d, "v": workload_view(r, d, a, labels, with_charts)})
    # Issue 6: what would change the answer, and when the money arrives.
    from advisor.analysis import boundaries as find_boundaries
    from advisor.analysis import timeline as savings_timeline

    flips = [b for b in find_boundaries(a) if b.get("flips")]
    flips.sort(key=lambda b: (not b.get("measure_first"), b.get("outcome") != "decision", abs(b.get("distance_pct") or 1e9)))
    seen: set = set()
    unique = []
    for b in flips:  # a gate flipping at the same point as the decision says nothing new
        k = (b["workload"], b["input"], round(float(b.get("flip_value") or 0), -1))
        if k not in seen:
            seen.add(k)
            unique.append(b)
    flips = unique
    timelines = {}
    for t in savings_timeline(a):
        if t.get("hypothetical") or not t.get("available", True):
            continue
        rec = next((r for r in a.records if r.workload == t["workload"]), None)
        timelines[t["workload"]] = {"t": t, "svg": charts.timeline_chart(t) if with_charts and len(a.workloads) == 1 else None,
                                    # page 1's one payback figure, which the caption reconciles with the curve
                                    "payback_from_decision": rec.payback_from_decision_months if rec else None,
                                    "payback": rec.payback_months if rec else None,
                                    "lead_time": rec.lead_time_months if rec else None}
    for w in workloads:
        w["timeline"] = timelines.get(w["d"]["name"])
    date = memo_date(a, result, deterministic)
    p1 = page_one(a, result, a.questionnaire.assessed_on or dt.date.fromisoformat(date), flips)
    watch = watch_rows(a, result, labels)
    p1["risks"] = risk_register(a, result, flips, labels, watch)
    steps = labels.get("next_steps") or {}
    lead = p1["lead_time_months"] if p1["moving"] else max((r.lead_time_months or 0 for r in a.records), default=0)
    p1["steps"] = {k: {"owner": v["owner"], "due": due_date(p1["start"], v, lead).isoformat()} for k, v in steps.items()}
    rb = load_rulebook()
    params = [
        {"name": k, "value": v["value"], "overridden": v["overridden"], "unit": rb.parameters[k].unit if k in rb.parameters else None,
         "description": rb.parameters[k].description if k in rb.parameters else ""}
        for k, v in result["parameters"].items()
    ]
    return {
        "r": result,
        "workloads": workloads,
        "p1": p1,
        "names": option_names(a),
        "signals": signal_split(watch, a.records),
        # Page 1: a boundary the risk register already names is not listed twice.
        "boundaries": [b for b in flips if all(b is not k["boundary"] for k in p1["risks"])][
            : PAGE_ONE_BOUNDARIES - 1 if len(a.workloads) == 1 else 2 if len(a.workloads) <= PAGE_ONE_SENTENCES else PAGE_ONE_BOUNDARIES],
        "nearest": nearest_thresholds(result, a, labels)[:NEAREST_ROWS],
        "watch": watch,
        "monitoring": monitoring if monitoring_applies(result, monitoring) else None,
        "catalog_used": catalog_used(a),
        "trace_groups": condense_vendor_groups(trace_groups(result["trace"]), result["trace"]) if len(result["workloads"]) > CONDENSE_TRACE_ABOVE else trace_groups(result["trace"]),
        "trace_condensed": len(result["workloads"]) > CONDENSE_TRACE_ABOVE,
        "assumption_matrix": assumption_matrix(result["workloads"]) if len(result["workloads"]) > 1 else [],
        "assumed_summary": assumed_summary(workloads),
        "catalog_as_of": a.catalog.as_of.isoformat(),
        "params": params,
        "units": {p["name"]: p["unit"] for p in params},
        "operations": a.questionnaire.operations,
        "memo_date": date,
        "L": labels,
    }
