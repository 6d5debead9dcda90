"""Fill a DecisionRecord from one assessed workload (read once, stored on the Assessment)."""

from __future__ import annotations

from advisor.decision.record import DecisionRecord, OptionLine, Signal


def _line(c, rank, vendor, catalog_product: str, why_not: str | None) -> OptionLine:
    return OptionLine(
        id=c.id,
        product=catalog_product,
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
        gates = ", ".join(vendor.eliminated_by) or "a vendor gate"
        return f"eliminated at {gates}"
    if mode and c.option.deployment != mode:
        return f"wrong deployment mode ({c.option.deployment}, decided {mode})"
    if c.result.monthly_cost >= today_cost:
        return "not cheaper than today"
    if best is not None and c.result.lcpr >= best.result.lcpr:
        return "costs more per successful request than the recommended option"
    return "not scored against the vendor gates"


def build_record(r, settings, org) -> DecisionRecord:
    from advisor.render.result import _decided, workload_dict  # after assess is loaded

    ev = r.evaluation
    w = r.workload
    inputs = dict(r.priced.inputs)
    inputs.update(settings)
    wd = workload_dict(r, settings)
    dec = _decided(ev, "decision", inputs)
    mode = ev.one("deployment.mode")
    current = r.priced.current
    best = r.best
    vendors = {v.option: v for v in r.vendors}
    today_cost = current.result.monthly_cost
    candidates = [c for c in r.priced.costs if c.id != current.id]
    rank = {c.id: i + 1 for i, c in enumerate(candidates)}

    def product(c) -> str:
        return f"{c.option.provider} {c.option.model}"

    options = [
        _line(c, rank.get(c.id), vendors.get(c.id), product(c),
              None if c.id == current.id else _why_not(c, vendors.get(c.id), best, mode, today_cost))
        for c in r.priced.costs
    ]
    today = next(o for o in options if o.id == current.id)
    recommended = next((o for o in options if best is not None and o.id == best.id), None)
    decision = ev.one("decision")
    savings = r.savings_per_month
    stay = decision != "migrate"
    unlock = []
    if stay and savings and savings > 0:
        blocker = ev.get("stay.blocker")
        if blocker is not None:
            t = next((t for t in ev.trace if t.rule == blocker.rule), None)
            if t is not None and t.because:
                unlock.append(t.because)
    dedicated = next((c for c in candidates if not c.option.per_token), None)
    serverless = next((c for c in candidates if c.option.per_token), None)
    signals = [Signal(id=str(c.value), title=c.title or str(c.value).replace("_", " "), state="firing", rule=c.rule,
                      because=next((t.because for t in ev.trace if t.rule == c.rule), ""))
               for c in ev.many("warning")]
    signals += [Signal(id=str(c.value), title=c.title or str(c.value).replace("_", " "), state="firing", rule=c.rule,
                       because=next((t.because for t in org.trace if t.rule == c.rule), ""))
                for c in org.many("revert_signal")]
    stage = org.one("stage.recommended")
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
        savings_per_month=savings,
        forgone_savings_per_month=savings if stay and savings and savings > 0 else None,
        unlock=unlock,
        migration_cost=r.migration_cost,
        engineer_weeks=r.migration_engineer_weeks,
        engineers=None,
        lead_time_months=r.lead_time_months,
        payback_months=r.payback_months,
        payback_from_decision_months=r.payback_from_decision_months,
        breakeven_tokens_per_day=ev.facts.get("economics.breakeven_tokens_per_day"),
        breakeven_comparator={"dedicated": dedicated.id if dedicated else None, "serverless": serverless.id if serverless else None},
        output_tokens_per_day=ev.facts.get("economics.output_tokens_per_day"),
        requests_per_month=r.priced.numbers.requests,
        confidence=wd["confidence"],
        weakest_inputs=wd["assumed_inputs"],
        options=options,
        signals=signals,
    )


def build_records(a) -> list[DecisionRecord]:
    return [build_record(r, a.settings, a.organization) for r in a.workloads]
