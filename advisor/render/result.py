"""An Assessment as plain data: the shape `advisor score --format json` prints,
and what the memo and the TUI render. Deterministic: same input, same bytes.

Confidence is carried through: every conclusion lists the inputs it rests on
and the weakest confidence among them (measured < estimated < assumed).
"""

from __future__ import annotations

import math
from typing import Any

from advisor.assess import CONFIDENCE_ORDER, ECONOMIC_INPUTS, Assessment, VendorResult, WorkloadResult
from advisor.defaults import Input
from advisor.engine.rulebook import Conclusion, Evaluation, TraceEntry
from advisor.facts import VENDOR_GATES


def _num(x: Any, digits: int = 4) -> Any:
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, (int,)):
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        if x.is_integer() and abs(x) < 1e15:
            return int(x)
        return round(x, digits)
    return x


def _inputs_for(compared: list[dict], inputs: dict[str, Input]) -> list[str]:
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


def _names(keys: list[str], inputs: dict[str, Input]) -> list[str]:
    """Input keys as the inputs list names them (settings carry their section)."""
    return [inputs[k].name for k in keys]


def _confidence(names: list[str], inputs: dict[str, Input]) -> str:
    if not names:
        return "measured"
    return max((inputs[n].confidence for n in names), key=lambda c: CONFIDENCE_ORDER[c])


def trace_dict(t: TraceEntry, inputs: dict[str, Input]) -> dict:
    d = t.as_dict()
    d["compared"] = [{k: _num(v) for k, v in c.items()} for c in t.compared]
    rests = _inputs_for(t.compared, inputs)
    d["rests_on"] = _names(rests, inputs)
    d["confidence"] = _confidence(rests, inputs)
    d["assumed_inputs"] = _names([n for n in rests if inputs[n].confidence == "assumed"], inputs)
    return d


def _decided(ev: Evaluation, name: str, inputs: dict[str, Input]) -> dict:
    c = ev.get(name)
    t = next((t for t in ev.trace if t.rule == (c.rule if c else None)), None)
    out: dict[str, Any] = {"outcome": _num(c.value) if c else None, "rule": c.rule if c else None}
    if t is not None:
        out["because"] = t.because
        out["source"] = t.source
        out["compared"] = [{k: _num(v) for k, v in x.items()} for x in t.compared]
        rests = _inputs_for(t.compared, inputs)
        out["confidence"] = _confidence(rests, inputs)
        out["assumed_inputs"] = _names([n for n in rests if inputs[n].confidence == "assumed"], inputs)
    return out


def _signal(c: Conclusion, ev: Evaluation) -> dict:
    t = next((t for t in ev.trace if t.rule == c.rule), None)
    return {
        "id": c.value,
        "severity": c.severity,
        "title": c.title or str(c.value).replace("_", " "),
        "because": t.because if t else "",
        "actions": c.actions,
        "rule": c.rule,
        "source": t.source if t else "",
        "compared": [{k: _num(v) for k, v in x.items()} for x in (t.compared if t else [])],
    }


def input_dict(i: Input) -> dict:
    return {"name": i.name, "value": _num(i.value), "confidence": i.confidence, "origin": i.origin, "note": i.note}


def vendor_dict(v: VendorResult) -> dict:
    ev = v.evaluation
    gates = {}
    for g in VENDOR_GATES:
        c = ev.get(f"vendor.gate.{g}")
        t = next((t for t in ev.trace if c and t.rule == c.rule), None)
        gates[g] = {
            "verdict": c.value if c else None,
            "prefilled": bool(c and c.prefilled),
            "because": t.because if t else "",
            "rule": c.rule if c else None,
        }
    verdict = ev.get("vendor.verdict")
    vt = next((t for t in ev.trace if verdict and t.rule == verdict.rule), None)
    return {
        "option": v.option,
        "verdict": v.verdict,
        "because": vt.because if vt else "",
        "lcpr_rank": v.lcpr_rank,
        "lcpr": _num(v.cost.result.lcpr, 6) if v.cost else None,
        "monthly_cost": _num(v.cost.result.monthly_cost, 2) if v.cost else None,
        "gates": gates,
        "eliminated_by": v.eliminated_by,
        "mitigated": v.mitigated,
        "compliance_issues": [_signal(c, ev) for c in ev.many("vendor.compliance_issue")],
    }


def workload_dict(r: WorkloadResult, settings: dict[str, Input]) -> dict:
    ev = r.evaluation
    inputs = dict(r.priced.inputs)
    inputs.update(settings)
    w = r.workload
    factors = {k: int(inputs[f"complexity.{k}"].value) for k in (
        "workload_count", "prompt_portability", "quality_infrastructure", "latency_sensitivity", "team_inference_maturity", "integration_depth")}
    current = r.priced.current
    best = r.best
    decision = _decided(ev, "decision", inputs)
    gates = {g: _decided(ev, f"gate.{g}", inputs) for g in ("specialization", "ownership", "volume")}
    blocker = _decided(ev, "stay.blocker", inputs)
    # The decision compares conclusions, not inputs: it is as sure as the least sure of them.
    basis = [*gates.values(), blocker]
    decision["confidence"] = max((b.get("confidence") or "measured" for b in basis), key=lambda c: CONFIDENCE_ORDER[c])
    decision["assumed_inputs"] = list(dict.fromkeys(n for b in basis for n in b.get("assumed_inputs", [])))
    return {
        "name": w.name,
        "kind": w.kind,
        "decision": ev.one("decision"),
        "decision_basis": ev.one("decision.basis"),
        "because": decision.get("because", ""),
        "confidence": decision["confidence"],
        "assumed_inputs": decision["assumed_inputs"],
        "gates": gates,
        "stay_blocker": blocker,
        "deployment": _decided(ev, "deployment.mode", inputs),
        "complexity": {
            "score": ev.facts["complexity.score"],
            "tier": ev.one("complexity.tier"),
            "factors": factors,
            "engineer_weeks": _num(ev.one("complexity.engineer_weeks")),
            "lead_time_months": _num(ev.one("complexity.lead_time_months")),
            "timeline": ev.one("complexity.timeline"),
            "approach": ev.one("complexity.approach"),
        },
        "current": {"option": current.id, "monthly_cost": _num(current.result.monthly_cost, 2), "lcpr": _num(current.result.lcpr, 6)},
        "recommended_option": (
            {"option": best.id, "deployment": best.option.deployment, "monthly_cost": _num(best.result.monthly_cost, 2), "lcpr": _num(best.result.lcpr, 6)}
            if best is not None and ev.one("decision") == "migrate" else None
        ),
        "best_candidate": (
            {"option": best.id, "deployment": best.option.deployment, "monthly_cost": _num(best.result.monthly_cost, 2), "lcpr": _num(best.result.lcpr, 6)}
            if best is not None else None
        ),
        "vendors": [vendor_dict(v) for v in r.vendors],
        "lcpr": [{k: _num(v, 6) for k, v in c.as_dict().items()} | {"current": c.id == current.id} for c in r.priced.costs],
        "savings_per_month": _num(r.savings_per_month, 2),
        "migration_engineer_weeks": _num(r.migration_engineer_weeks),
        "migration_cost": _num(r.migration_cost, 2),
        "payback_months": _num(r.payback_months, 2),
        "lead_time_months": _num(r.lead_time_months),
        "payback_from_decision_months": _num(r.payback_from_decision_months, 2),
        "output_tokens_per_day": _num(ev.facts["economics.output_tokens_per_day"], 0),
        "breakeven_tokens_per_day": _num(ev.facts["economics.breakeven_tokens_per_day"], 0),
        "warnings": [_signal(c, ev) for c in ev.many("warning")],
        "insights": [_signal(c, ev) for c in ev.many("insight")],
        "inputs": [input_dict(i) for i in r.priced.inputs.values()],
    }


def assessment_dict(a: Assessment, include_trace: bool = True) -> dict:
    q = a.questionnaire
    org = a.organization
    workloads = [workload_dict(r, a.settings) for r in a.workloads]
    for wd, rec in zip(workloads, a.records):
        wd["record"] = rec.to_dict()
    requests = sum(r.priced.numbers.requests * r.priced.numbers.quality_pass_rate for r in a.workloads)
    today = sum(r.priced.current.result.monthly_cost for r in a.workloads)
    after = sum((r.best.result.monthly_cost if (r.best is not None and r.decision == "migrate") else r.priced.current.result.monthly_cost) for r in a.workloads)
    org_inputs = dict(a.org_inputs)
    trace = []
    for r in a.workloads if include_trace else []:
        inputs = dict(r.priced.inputs)
        inputs.update(a.settings)
        for v in r.vendors:
            trace.extend(trace_dict(t, inputs) for t in v.evaluation.trace)
        trace.extend(trace_dict(t, inputs) for t in r.evaluation.trace)
    if include_trace:
        trace.extend(trace_dict(t, org_inputs) for t in org.trace)
    stage = org.get("stage.recommended")
    return {
        "file": a.source,
        "organization": q.organization,
        "prepared_for": q.prepared_for,
        "assessed_on": q.assessed_on.isoformat() if q.assessed_on else None,
        "pricing_as_of": a.catalog.as_of.isoformat(),
        "workloads": workloads,
        "stage": {
            "current": q.operations.current_stage,
            "recommended": org.one("stage.recommended"),
            "title": org.one("stage.title"),
            "architecture": org.one("stage.architecture"),
            "exit": org.one("stage.exit"),
            "actions": stage.actions if stage else [],
            "because": next((t.because for t in org.trace if stage and t.rule == stage.rule), ""),
            "rule": stage.rule if stage else None,
        },
        "negotiation": _decided(org, "negotiation.tier", org_inputs),
        "routing": _decided(org, "routing.level", org_inputs),
        "revert_signals": [_signal(c, org) for c in org.many("revert_signal")],
        "red_flags": [_signal(c, org) for c in org.many("red_flag")],
        "warnings": [_signal(c, org) for c in org.many("org.warning")],
        "summary": {
            "total_monthly_spend": _num(org.facts["org.total_monthly_spend"], 2),
            "monthly_cost_today": _num(today, 2),
            "monthly_cost_recommended": _num(after, 2),
            "savings_per_month": _num(today - after, 2),
            "blended_lcpr_today": _num(today / requests, 6) if requests else None,
            "blended_lcpr_recommended": _num(after / requests, 6) if requests else None,
            "workloads": len(workloads),
            "migrating": sum(1 for w in workloads if w["decision"] == "migrate"),
        },
        "parameters": {k: {"value": _num(v), "overridden": k in a.overridden} for k, v in sorted(a.params.items())},
        "inputs": [input_dict(i) for i in list(a.settings.values()) + list(org_inputs.values())],
        "trace": trace,
    }
