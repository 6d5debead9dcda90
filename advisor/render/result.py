"""An Assessment as plain data: the shape `advisor score --format json` prints,
and what the memo and the TUI render. Deterministic: same input, same bytes.

Confidence is carried through: every conclusion lists the inputs it rests on
and the weakest confidence among them (measured < estimated < assumed).
"""

from __future__ import annotations

from typing import Any

from advisor.assess import Assessment, VendorResult, WorkloadResult
from advisor.decision.confidence import decided, decision_confidence, inputs_for, least_sure, names_of, plain_number
from advisor.defaults import Input
from advisor.engine.rulebook import Conclusion, Evaluation, TraceEntry
from advisor.facts import VENDOR_GATES


_num = plain_number
_inputs_for = inputs_for
_names = names_of
_confidence = least_sure
_decided = decided


def trace_dict(t: TraceEntry, inputs: dict[str, Input]) -> dict:
    d = t.as_dict()
    d["compared"] = [{k: _num(v) for k, v in c.items()} for c in t.compared]
    rests = _inputs_for(t.compared, inputs)
    d["rests_on"] = _names(rests, inputs)
    d["confidence"] = _confidence(rests, inputs)
    d["assumed_inputs"] = _names([n for n in rests if inputs[n].confidence == "assumed"], inputs)
    return d


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


def workload_dict(r: WorkloadResult, settings: dict[str, Input], record=None) -> dict:
    """The workload's JSON shape. Figures the decision record holds are read from it, never recomputed."""
    ev = r.evaluation
    inputs = dict(r.priced.inputs)
    inputs.update(settings)
    w = r.workload
    factors = {k: int(inputs[f"complexity.{k}"].value) for k in (
        "workload_count", "prompt_portability", "quality_infrastructure", "latency_sensitivity", "team_inference_maturity", "integration_depth")}
    current = r.priced.current
    best = r.best
    # The decision compares conclusions, not inputs: it is as sure as the least sure of them.
    decision, gates, blocker = decision_confidence(ev, inputs)
    out = {
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
    if record is not None:
        # One figure, one source: the record's values replace anything derived above.
        out.update({
            "confidence": record.confidence,
            "assumed_inputs": list(record.weakest_inputs),
            # the record's precision: a renderer rounding 44.65 to one decimal must
            # print what the record's 44.6526 prints (44.7), not 44.6
            "savings_per_month": _num(record.savings_per_month, 6),
            "migration_engineer_weeks": _num(record.engineer_weeks),
            "migration_cost": _num(record.migration_cost, 6),
            "payback_months": _num(record.payback_months, 6),
            "lead_time_months": _num(record.lead_time_months),
            "payback_from_decision_months": _num(record.payback_from_decision_months, 6),
            "breakeven_tokens_per_day": _num(record.breakeven_tokens_per_day, 6),
            "output_tokens_per_day": _num(record.output_tokens_per_day, 6),
            "current": {"option": record.today.id, "monthly_cost": _num(record.loaded_cost_today, 6), "lcpr": _num(record.today.lcpr, 6)},
            "record": record.to_dict(),
        })
    return out


def assessment_dict(a: Assessment, include_trace: bool = True) -> dict:
    q = a.questionnaire
    org = a.organization
    records = a.records or [None] * len(a.workloads)
    workloads = [workload_dict(r, a.settings, rec) for r, rec in zip(a.workloads, records)]
    requests = sum(r.priced.numbers.requests * r.priced.numbers.quality_pass_rate for r in a.workloads)
    if a.records:
        today = sum(rec.loaded_cost_today for rec in a.records)
        after = sum(rec.loaded_cost_after for rec in a.records)
    else:
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
        "prepared_by": q.prepared_by,
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


# ---------------------------------------------------------------- compact form (issue 10)
#
# `advisor score --format json|yaml` prints this by default (`--trace full`
# prints the dict above unchanged). Same facts, said once: the trace keeps each
# fired rule's id, conclusion, value and comparisons but no sentence; sentences
# stay where a reader looks for them (the decision, the gates, signals, the
# stage, flipping boundaries); what the decision record holds is not repeated
# beside it. docs/rules.md ("The JSON shapes") documents both forms.

def _without(d: dict | None, *keys: str) -> dict | None:
    return None if d is None else {k: v for k, v in d.items() if k not in keys}


def _compact_trace(trace: list[dict]) -> dict:
    """The trace said once.

    ``rules`` maps each fired rule id to its conclusion and its comparisons,
    each ``[fact, op, threshold]``, ``[fact, op, threshold, parameter]`` where
    the threshold is a parameter, or ``[fact, op]`` for "is given" / "is not
    given". ``entities`` lists each evaluated entity (a workload, a vendor of a
    workload, the organization) with the value of every fact its rules compared
    (``facts``) and the rules that fired, in firing order (``fired``: rule id
    and concluded value; plus ``compared`` where that firing compared other
    facts than ``rules`` lists, e.g. another alternative of the rule, and
    ``facts`` where a fact had another value when this rule compared it). A
    vendor rule that fires for ten vendors is described once.
    """
    rules: dict[str, dict] = {}
    groups: dict[tuple[str, str], dict] = {}
    for t in trace:
        g = groups.setdefault((t["scope"], t["entity"]), {"entity": t["entity"], "scope": t["scope"], "facts": {}, "fired": []})
        fired: dict[str, Any] = {"rule": t["rule"], "value": t["value"]}
        compared = []
        for c in t["compared"]:
            seen = g["facts"].setdefault(c["fact"], c["actual"])
            if seen != c["actual"] or type(seen) is not type(c["actual"]):
                fired.setdefault("facts", {})[c["fact"]] = c["actual"]
            compared.append([c["fact"], c["op"]] + [c[k] for k in ("threshold", "param") if k in c])
        rule = rules.setdefault(t["rule"], {"conclusion": t["conclusion"], "compared": compared})
        if rule["compared"] != compared:
            fired["compared"] = compared
        g["fired"].append(fired)
    return {"rules": rules, "entities": list(groups.values())}


def _compact_vendor(v: dict) -> dict:
    # rank, LCPR and cost are the record's options (with why_not); a gate's and
    # the verdict's rule is in the trace; their sentences, the same for many
    # vendors, are in the full form only
    return {
        "option": v["option"],
        "verdict": v["verdict"],
        "gates": {g: x["verdict"] for g, x in v["gates"].items()},
        "prefilled": [g for g, x in v["gates"].items() if x["prefilled"]],
        "eliminated_by": v["eliminated_by"],
        "mitigated": v["mitigated"],
        "compliance_issues": [_without(s, "compared") for s in v["compliance_issues"]],
    }


# a flipping boundary's input label and confidence are in its sentence and in ``inputs``
_BOUNDARY_DROP = ("workload", "label", "confidence")


_BOUNDARY_HOLDS = ("outcome", "input", "option", "today", "flips")


def _compact_boundaries(bs: list[dict]) -> list[dict]:
    """Flipping boundaries as they are, less what ``inputs`` holds; a search that
    found no flip as ``{outcome, input, option (a price), today, flips: false}``
    (its sentence only restates these)."""
    return [
        {k: v for k, v in b.items() if k not in _BOUNDARY_DROP and v is not None} if b.get("flips")
        else {k: b[k] for k in _BOUNDARY_HOLDS if b.get(k) is not None}
        for b in bs
    ]


# Lists and option summaries the decision record holds (record.weakest_inputs,
# .today, .recommended): the compact workload leaves them to the record. The
# scalar figures (savings, payback, ...) stay: a few bytes, and what scripts read.
_IN_RECORD = ("assumed_inputs", "current", "recommended_option", "best_candidate")


def _compact_workload(w: dict) -> dict:
    out = {k: v for k, v in w.items() if not ("record" in w and k in _IN_RECORD)}
    out["gates"] = {g: _without(x, "compared") for g, x in w["gates"].items()}
    for key in ("stay_blocker", "deployment"):
        out[key] = _without(w[key], "compared")
    for key in ("warnings", "insights"):
        out[key] = [_without(s, "compared") for s in w[key]]
    out["vendors"] = [_compact_vendor(v) for v in w["vendors"]]
    # the record's options carry id, product, deployment, loaded cost (= monthly_cost), LCPR and rank
    out["lcpr"] = [{k: c[k] for k in ("id", "raw_cost_per_request", "overhead_ratio", "gpus", "utilization") if c[k] is not None} for c in w["lcpr"]]
    out["inputs"] = [i if i.get("note") else _without(i, "note") for i in w["inputs"]]
    if "boundaries" in w:
        out["boundaries"] = _compact_boundaries(w["boundaries"])
    return out


def compact_result(full: dict) -> dict:
    """One file's result (``assessment_dict``, plus the analysis) in the compact form."""
    out = dict(full)
    out["workloads"] = [_compact_workload(w) for w in full["workloads"]]
    for key in ("negotiation", "routing"):
        out[key] = _without(full[key], "compared")
    for key in ("revert_signals", "red_flags", "warnings"):
        out[key] = [_without(s, "compared") for s in full[key]]
    # defaults are the rule files' (`advisor rules list --json`); a threshold a rule
    # compared is in the trace beside it
    out["parameters"] = {k: p for k, p in full["parameters"].items() if p["overridden"]}
    out["inputs"] = [i if i.get("note") else _without(i, "note") for i in full["inputs"]]
    out["trace"] = _compact_trace(full["trace"])
    return out
