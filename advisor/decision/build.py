"""Fill a DecisionRecord from one assessed workload (read once, stored on the Assessment).

This module reads the pipeline's results (assess) and the shared confidence
definition; it never imports a renderer.
"""

from __future__ import annotations

import dataclasses
import math

import advisor.economics as core
from advisor.comparison import cost_on
from advisor.decision.confidence import decision_confidence
from advisor.decision.record import DecisionRecord, OptionLine, SavingsRange, Signal
from advisor.defaults import defaults, economics_constant
from advisor.engine.rulebook import load_rulebook

# rules/defaults.yaml economics.sensitivity names questionnaire inputs; the core
# names Workload fields (output_tokens_factor multiplies today's output tokens).
SENSITIVITY_INPUTS = {
    "retry_rate": ("profile.retry_rate", "retry_rate"),
    "quality_pass_rate": ("profile.quality_pass_rate", "quality_pass_rate"),
    "cache_hit_rate": ("profile.cache_hit_rate", "cache_hit_rate"),
    "engineering_hours_per_month": ("profile.engineering_hours_per_month", "engineering_hours"),
    "output_tokens_factor": ("profile.output_tokens", "output_tokens"),
}
RANGE_METHOD = ("each unmeasured input moved to both ends of its usual range (rules/defaults.yaml "
                "economics.sensitivity), the others held, both options repriced as the base is; "
                "the swings combined as independent errors (root of the sum of squares)")


def _line(c, rank, vendor, product: str, why_not: str | None) -> OptionLine:
    return OptionLine(
        id=c.id,
        product=product,
        deployment=c.option.deployment,
        invoice=c.result.token_cost,
        loaded_cost=c.result.monthly_cost,
        lcpr=c.result.lcpr,
        rank=rank,
        verdict=vendor.verdict if vendor is not None else None,
        why_not=why_not,
    )


def _why_not(c, vendor, best, mode, today_cost) -> str | None:
    if best is not None and c.id == best.id:
        return None
    if vendor is not None and vendor.verdict == "eliminated":
        gates = ", ".join(g.replace("_", " ") for g in vendor.eliminated_by) or "a vendor gate"
        return f"eliminated at {gates}"
    if mode in ("serverless", "managed_dedicated", "dedicated") and c.option.deployment != mode:
        return f"wrong deployment mode ({c.option.deployment.replace('_', ' ')}; the decision is {mode.replace('_', ' ')})"
    if c.result.monthly_cost >= today_cost:
        return "not cheaper than today"
    if best is not None and c.result.lcpr >= best.result.lcpr:
        return "costs more per successful request than the recommended option"
    if vendor is None:
        return "not scored against the vendor gates"
    if best is not None and vendor.verdict == "conditional":
        return "conditional at the vendor gates; the recommended option is viable now"
    if best is not None and best.option.deployment == "serverless" and c.option.deployment != "serverless":
        return "dedicated hardware comes after serverless (Part 1: start with serverless open weights)"
    return "not chosen: another option ranks first"


def product_name(option, catalog) -> str:
    """Provider's display name and the model, as a reader would say it."""
    prov = catalog.providers.get(option.provider)
    return f"{prov.name if prov else option.provider} {option.model}"


def _signal_rules(conclusion: str):
    return [r for r in load_rulebook().all_rules() if r.rule.then.conclude == conclusion]


def _measured(rule, facts: dict) -> bool:
    """A signal is measured when every operations fact its rule compares was answered."""
    needed = {a.fact for alt in rule.alternatives for a in alt if a.fact.startswith("operations.")}
    return all(facts.get(f) is not None for f in needed)


def _org_signals(org, conclusion: str, note: str = "") -> list[Signal]:
    fired = {c.rule: c for c in org.many(conclusion)}
    out = []
    for lr in _signal_rules(conclusion):
        rule = lr.rule
        title = rule.then.title or str(rule.then.value).replace("_", " ")
        if rule.id in fired:
            because = next((t.because for t in org.trace if t.rule == rule.id), "")
            out.append(Signal(id=str(rule.then.value), title=title, state="firing", because=because + note, rule=rule.id))
        else:
            state = "quiet" if _measured(lr, org.facts) else "not_measured"
            out.append(Signal(id=str(rule.then.value), title=title, state=state, rule=rule.id))
    return out


def savings_range(priced, best, base: float, catalog) -> SavingsRange | None:
    """Low / base / high monthly savings of ``best`` over today's option from the
    spread of the inputs nobody measured (priced like the base: cost_on with the
    workload's option rules)."""
    numbers = priced.numbers
    if best is None or numbers.requests <= 0:
        return None
    hours = economics_constant("hours_per_month")

    def saving(w) -> float:
        today = cost_on(priced.current.option, w, catalog, priced.utilization, hours, priced.rules)
        other = cost_on(best.option, w, catalog, priced.utilization, hours, priced.rules)
        return today.result.monthly_cost - other.result.monthly_cost

    drivers = []
    for key, (lo, hi) in defaults()["economics"]["sensitivity"].items():
        name, fld = SENSITIVITY_INPUTS.get(key, (None, None))
        inp = priced.inputs.get(name) if name else None
        if inp is None or inp.confidence == "measured":
            continue
        if key == "output_tokens_factor":
            lo, hi = numbers.output_tokens * lo, numbers.output_tokens * hi
        ends = [saving(dataclasses.replace(numbers, **{fld: float(v)})) for v in (lo, hi)]
        if max(abs(e - base) for e in ends) < 0.005:
            continue
        drivers.append({"input": name, "from": float(lo), "to": float(hi), "low": ends[0], "high": ends[1]})
    drivers.sort(key=lambda d: -max(abs(d["low"] - base), abs(d["high"] - base)))
    down = math.sqrt(sum(max(0.0, base - min(d["low"], d["high"])) ** 2 for d in drivers))
    up = math.sqrt(sum(max(0.0, max(d["low"], d["high"]) - base) ** 2 for d in drivers))
    return SavingsRange(low=base - down, base=base, high=base + up, method=RANGE_METHOD, drivers=drivers)


def build_record(r, a) -> DecisionRecord:
    settings, org, catalog = a.settings, a.organization, a.catalog
    ev = r.evaluation
    w = r.workload
    inputs = dict(r.priced.inputs)
    inputs.update(settings)
    dec, _gates, _blocker = decision_confidence(ev, inputs)
    mode = ev.one("deployment.mode")
    current = r.priced.current
    best = r.best
    vendors = {v.option: v for v in r.vendors}
    today_cost = current.result.monthly_cost
    candidates = [c for c in r.priced.costs if c.id != current.id]
    rank = {c.id: i + 1 for i, c in enumerate(candidates)}

    options = [
        _line(c, rank.get(c.id), vendors.get(c.id), product_name(c.option, catalog),
              None if c.id == current.id else _why_not(c, vendors.get(c.id), best, mode, today_cost))
        for c in r.priced.costs
    ]
    today = next(o for o in options if o.id == current.id)
    recommended = next((o for o in options if best is not None and o.id == best.id), None)
    decision = ev.one("decision")
    savings = r.savings_per_month
    stay = decision != "migrate"
    unlock: list[str] = []
    if stay and savings and savings > 0:
        # What would unlock the savings: the deciding rule's actions (e.g. "revisit
        # when the Volume Gate passes"), then the blocker's (rules/when_not_to_migrate.yaml).
        decided = ev.get("decision")
        if decided is not None:
            unlock.extend(decided.actions)
        blocker = ev.get("stay.blocker")
        if blocker is not None and blocker.value != "none":
            unlock.extend(blocker.actions)
    signals = [Signal(id=str(c.value), title=c.title or str(c.value).replace("_", " "), state="firing", rule=c.rule,
                      because=next((t.because for t in ev.trace if t.rule == c.rule), ""))
               for c in ev.many("warning")]
    inferred = org.one("stage.current_basis") == "inferred"
    note = f" (Stage {org.one('stage.current')} today is inferred from the operations answers; the team did not state it.)" if inferred else ""
    signals += _org_signals(org, "revert_signal", note)
    signals += _org_signals(org, "red_flag")
    stage = org.one("stage.recommended")
    after = best.result.monthly_cost if (best is not None and not stay) else today_cost
    notes = []
    if best is not None and best.id in r.added_from_catalog:
        notes.append(f"{product_name(best.option, catalog)} was not on the team's list: it is the catalog's cheapest "
                     f"{best.option.deployment.replace('_', ' ')} option, added because the decision needs that deployment mode.")
    if r.mode_without_candidate and best is not None:
        notes.append(f"The rules call for {r.mode_without_candidate.replace('_', ' ')}, but no candidate of that mode survives "
                     f"the vendor gates: the figures are {product_name(best.option, catalog)} "
                     f"({best.option.deployment.replace('_', ' ')}) until one does.")
    overrun = float(defaults()["economics"]["migration_overrun_factor"])
    return DecisionRecord(
        workload=w.name,
        decision=decision,
        basis=dec.get("because"),
        basis_rule=dec.get("rule"),
        basis_source=dec.get("source"),
        deployment_mode=mode,
        stage=int(stage) if isinstance(stage, (int, float)) else None,
        stage_name=org.one("stage.title"),
        recommended=recommended,
        today=today,
        invoice_today=current.result.token_cost,
        closed_api_spend=current.result.token_cost if current.option.deployment == "closed_api" else 0.0,
        loaded_cost_today=today_cost,
        recommended_invoice=best.result.token_cost if best is not None else None,
        recommended_loaded_cost=best.result.monthly_cost if best is not None else None,
        loaded_cost_after=after,
        savings_per_month=savings,
        forgone_savings_per_month=savings if stay and savings and savings > 0 else None,
        unlock=unlock,
        migration_cost=r.migration_cost,
        engineer_weeks=r.migration_engineer_weeks,
        engineers=ev.one("complexity.engineers"),
        lead_time_months=r.lead_time_months,
        payback_months=r.payback_months,
        payback_from_decision_months=r.payback_from_decision_months,
        breakeven_tokens_per_day=ev.facts.get("economics.breakeven_tokens_per_day"),
        breakeven_comparator={"dedicated": r.breakeven_pair[0], "serverless": r.breakeven_pair[1]},
        output_tokens_per_day=ev.facts.get("economics.output_tokens_per_day"),
        requests_per_month=r.priced.numbers.requests,
        confidence=dec["confidence"],
        weakest_inputs=dec["assumed_inputs"],
        options=options,
        signals=signals,
        stage_today=org.one("stage.current"),
        stage_today_inferred=inferred,
        notes=notes,
        savings_range=savings_range(r.priced, best, savings, catalog) if savings is not None else None,
        migration_overrun_factor=overrun,
        payback_if_overrun_months=(core.payback_months(r.migration_cost * overrun, savings)
                                   if r.migration_cost and savings and savings > 0 else None),
    )


def build_records(a) -> list[DecisionRecord]:
    return [build_record(r, a) for r in a.workloads]
