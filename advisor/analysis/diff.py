"""Assessments over time: what changed between two snapshots of one organization.

``diff(old, new)`` reports changed inputs, changed conclusions, and the
field guide's change-defined triggers (Part 5, "Red-flag triggers" and "The
revert signals") *computed from the two snapshots* instead of typed-in deltas:
the retry, cache-hit and quality-pass changes per workload, each workload's
traffic multiple, the new invoice against the old prediction, and dedicated
utilization in both snapshots. Those values become the ``operations:`` block
of the new questionnaire, which is then assessed with the organization rules,
so the thresholds stay in ``rules/red_flags.yaml`` and
``rules/revert_signals.yaml``.
"""

from __future__ import annotations

import html
import math
from typing import Any

from advisor.analysis._pipeline import load_data, questionnaire_data
from advisor.assess import Assessment, WorkloadResult, assess
from advisor.decision.confidence import CONFIDENCE_ORDER
from advisor.defaults import Input
from advisor.engine.rulebook import Conclusion, Evaluation
from advisor.report.fmt import PERCENT_INPUTS

# Inputs that are fractions (the memo prints them as percentages): their change is
# reported in percentage points, 0.02 -> 0.03 is +1 point, not +50%.
FRACTIONS = PERCENT_INPUTS

WORKLOAD_CONCLUSIONS = (
    "decision",
    "decision.basis",
    "gate.specialization",
    "gate.ownership",
    "gate.volume",
    "stay.blocker",
    "deployment.mode",
    "complexity.tier",
)
ORG_CONCLUSIONS = ("stage.recommended", "negotiation.tier", "routing.level")
ORG_SIGNALS = ("red_flag", "revert_signal", "org.warning")

# Which operations fields each organization fact is derived from (advisor.assess._org_facts),
# to tell a trigger computed from the snapshots from one typed into the new file.
_FACT_SOURCES = {
    "operations.retry_rate_change_points_2w": ("retry_rate_change_points_2w",),
    "operations.cache_hit_rate_change_points": ("cache_hit_rate_change_points",),
    "operations.quality_pass_rate_change_points": ("quality_pass_rate_change_points",),
    "operations.invoice_variance": ("predicted_monthly_cost", "invoiced_monthly_cost"),
    "operations.max_traffic_growth": ("traffic_growth",),
    "operations.others_max_traffic_growth": ("traffic_growth",),
    "operations.dedicated_utilization_last": ("dedicated_utilization_recent_months",),
    "operations.dedicated_utilization_previous": ("dedicated_utilization_recent_months",),
}


def _label(a: Assessment) -> str:
    q = a.questionnaire
    return q.assessed_on.isoformat() if q.assessed_on else a.source


def _num(x: Any) -> Any:
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return int(x) if x.is_integer() and abs(x) < 1e15 else round(x, 6)
    return x


def _weakest(*confidences: str) -> str:
    return max(confidences, key=lambda c: CONFIDENCE_ORDER.get(c, 0))


# ---------------------------------------------------------------- inputs


def _input_changes(workload: str | None, old: dict[str, Input], new: dict[str, Input]) -> list[dict]:
    out = []
    for name in sorted(set(old) | set(new)):
        o, n = old.get(name), new.get(name)
        ov, nv = (o.value if o else None), (n.value if n else None)
        if ov == nv:
            continue
        row: dict[str, Any] = {
            "workload": workload,
            "input": name,
            "old": _num(ov),
            "new": _num(nv),
            "old_confidence": o.confidence if o else None,
            "new_confidence": n.confidence if n else None,
            "old_origin": o.origin if o else None,
            "new_origin": n.origin if n else None,
        }
        if isinstance(ov, (int, float)) and isinstance(nv, (int, float)) and not isinstance(ov, bool) and not isinstance(nv, bool):
            row["change"] = _num(float(nv) - float(ov))
            if name in FRACTIONS:
                row["change_points"] = round((float(nv) - float(ov)) * 100, 2)
            elif ov:
                row["change_pct"] = round((float(nv) - float(ov)) / float(ov) * 100, 2)
        out.append(row)
    return out


def _workload_facts(w: WorkloadResult) -> dict[str, Input]:
    inputs = dict(w.priced.inputs)
    p = w.workload.profile
    inputs["profile.current"] = Input("profile.current", p.current, "measured", "questionnaire")
    inputs["profile.candidates"] = Input("profile.candidates", ", ".join(p.candidates), "measured", "questionnaire")
    return inputs


def _org_inputs(a: Assessment) -> dict[str, Input]:
    inputs = {f"settings.{k}": v for k, v in a.settings.items()}
    ops = a.questionnaire.operations.model_dump(mode="json", exclude_none=True)
    for k, v in ops.items():
        if isinstance(v, dict) and "value" in v:
            inputs[f"operations.{k}"] = Input(f"operations.{k}", v["value"], v.get("confidence", "assumed"), "questionnaire", v.get("note"))
        elif isinstance(v, dict):
            shown = ", ".join(f"{name} {x:g}x" if isinstance(x, (int, float)) else f"{name} {x}" for name, x in v.items())
            inputs[f"operations.{k}"] = Input(f"operations.{k}", shown or None, "measured", "questionnaire")
        elif isinstance(v, list):
            inputs[f"operations.{k}"] = Input(f"operations.{k}", ", ".join(f"{x:g}" for x in v) or None, "measured", "questionnaire")
        else:
            inputs[f"operations.{k}"] = Input(f"operations.{k}", v, "assumed", "questionnaire")
    for k, v in a.questionnaire.settings.thresholds.items():
        inputs[f"settings.thresholds.{k}"] = Input(k, v, "measured", "questionnaire")
    return inputs


# ---------------------------------------------------------------- conclusions


def _conclusion_changes(old: WorkloadResult, new: WorkloadResult) -> list[dict]:
    name = new.workload.name
    out = []
    for c in WORKLOAD_CONCLUSIONS:
        ov, nv = old.evaluation.one(c), new.evaluation.one(c)
        if ov != nv:
            out.append({"workload": name, "conclusion": c, "old": ov, "new": nv})
    ob, nb = (old.best.id if old.best else None), (new.best.id if new.best else None)
    if ob != nb:
        out.append({"workload": name, "conclusion": "recommended_option", "old": ob, "new": nb})
    ov = {v.option: v.verdict for v in old.vendors}
    nv = {v.option: v.verdict for v in new.vendors}
    for opt in sorted(set(ov) | set(nv)):
        if ov.get(opt) != nv.get(opt):
            out.append({"workload": name, "conclusion": f"vendor.verdict[{opt}]", "old": ov.get(opt), "new": nv.get(opt)})
    return out


def _figures(old, new) -> list[dict]:
    """Changed figures of one workload, read from the two decision records (never recomputed)."""
    name = new.workload
    pairs = {
        "invoice_today": (old.invoice_today, new.invoice_today),
        "current_monthly_cost": (old.loaded_cost_today, new.loaded_cost_today),
        "current_lcpr": (old.today.lcpr, new.today.lcpr),
        "savings_per_month": (old.savings_per_month, new.savings_per_month),
        "payback_months": (old.payback_months, new.payback_months),
        "payback_from_decision_months": (old.payback_from_decision_months, new.payback_from_decision_months),
    }
    out = []
    for k, (o, n) in pairs.items():
        if o is None and n is None:
            continue
        if o is not None and n is not None and math.isclose(o, n, rel_tol=1e-9, abs_tol=1e-9):
            continue
        row = {"workload": name, "figure": k, "old": _num(o), "new": _num(n)}
        if o and n is not None and math.isfinite(o) and math.isfinite(n):
            row["change_pct"] = round((n - o) / abs(o) * 100, 2)
        out.append(row)
    return out


def _org_conclusion_changes(old: Evaluation, new: Evaluation) -> list[dict]:
    out = []
    for c in ORG_CONCLUSIONS:
        ov, nv = old.one(c), new.one(c)
        if ov != nv:
            out.append({"workload": None, "conclusion": c, "old": ov, "new": nv})
    for s in ORG_SIGNALS:
        ov = sorted(str(c.value) for c in old.many(s))
        nv = sorted(str(c.value) for c in new.many(s))
        if ov != nv:
            out.append({"workload": None, "conclusion": s, "old": ov, "new": nv,
                        "added": [x for x in nv if x not in ov], "removed": [x for x in ov if x not in nv]})
    return out


# ---------------------------------------------------------------- triggers from two snapshots


def _answered(w: WorkloadResult, name: str) -> Input | None:
    i = w.priced.inputs.get(name)
    return i if i is not None and not i.defaulted else None


def snapshot_operations(old: Assessment, new: Assessment) -> tuple[dict[str, Any], dict[str, dict]]:
    """The change-defined ``operations:`` fields computed from two snapshots.

    Returns (fields to put in the new questionnaire's ``operations:``, and for
    each field how it was computed). A workload counts only if it is in both
    snapshots; a rate counts only if both snapshots answered it (a default on
    either side is not a measured change).
    """
    pairs = [(o, n) for n in new.workloads for o in old.workloads if o.workload.name == n.workload.name]
    fields: dict[str, Any] = {}
    how: dict[str, dict] = {}

    def change(input_name: str, field: str, pick) -> None:
        deltas = []
        for o, n in pairs:
            oi, ni = _answered(o, input_name), _answered(n, input_name)
            if oi is None or ni is None:
                continue
            deltas.append(((float(ni.value) - float(oi.value)) * 100, n.workload.name, oi, ni))
        if not deltas:
            return
        d, name, oi, ni = pick(deltas, key=lambda x: x[0])
        note = f"advisor diff: {name} {float(oi.value):.1%} → {float(ni.value):.1%} between snapshots"
        fields[field] = {"value": round(d, 4), "confidence": _weakest(oi.confidence, ni.confidence), "note": note}
        how[field] = {"value": round(d, 4), "workload": name, "old": _num(float(oi.value)), "new": _num(float(ni.value)),
                      "per_workload": {x[1]: round(x[0], 4) for x in deltas}}

    change("profile.retry_rate", "retry_rate_change_points_2w", max)
    change("profile.cache_hit_rate", "cache_hit_rate_change_points", min)
    change("profile.quality_pass_rate", "quality_pass_rate_change_points", min)

    growth = {}
    for o, n in pairs:
        before, after = o.priced.numbers.requests, n.priced.numbers.requests
        if before > 0:
            growth[n.workload.name] = round(after / before, 4)
    if growth:
        fields["traffic_growth"] = growth
        how["traffic_growth"] = {"value": growth}

    oo, no = old.questionnaire.operations, new.questionnaire.operations
    invoice = no.invoiced_monthly_cost or no.monthly_inference_spend
    # Issue 11 item 5: the invoice is compared with the same snapshot's prediction (its own
    # typed prediction, else its LCPR model's invoices from the decision records), not with the
    # previous quarter's: the red flag asks whether the model of that month was wrong.
    if no.predicted_monthly_cost is not None:
        predicted, p_conf, p_from = float(no.predicted_monthly_cost.value), no.predicted_monthly_cost.confidence, "operations.predicted_monthly_cost"
    else:
        predicted = sum(r.invoice_today for r in new.records)
        p_conf, p_from = "estimated", "the new snapshot's LCPR model (today's invoice of every workload)"
    if invoice is not None and predicted > 0:
        fields["predicted_monthly_cost"] = {"value": round(predicted, 2), "confidence": p_conf, "note": f"advisor diff: the new snapshot's prediction ({p_from})"}
        fields["invoiced_monthly_cost"] = {"value": float(invoice.value), "confidence": invoice.confidence, "note": "advisor diff: the new snapshot's invoice"}
        how["invoice_variance"] = {"predicted": _num(predicted), "predicted_from": p_from, "invoiced": _num(float(invoice.value)),
                                   "value": round(abs(float(invoice.value) - predicted) / predicted, 4)}

    if oo.dedicated_utilization_recent_months and no.dedicated_utilization_recent_months:
        months = [oo.dedicated_utilization_recent_months[-1], no.dedicated_utilization_recent_months[-1]]
        fields["dedicated_utilization_recent_months"] = months
        how["dedicated_utilization_recent_months"] = {"value": months}
    return fields, how


def _signal_dict(c: Conclusion, ev: Evaluation, computed: set[str]) -> dict:
    t = next((t for t in ev.trace if t.rule == c.rule and t.value == c.value), None)
    facts = [x["fact"] for x in (t.compared if t else [])]
    derived = sorted({f for fact in facts for f in _FACT_SOURCES.get(fact, ())})
    from_snapshots = bool(derived) and all(f in computed for f in derived)
    return {
        "id": c.value,
        "kind": c.name,
        "severity": c.severity,
        "title": c.title or str(c.value).replace("_", " "),
        "because": t.because if t else "",
        "actions": list(c.actions),
        "rule": c.rule,
        "source": "snapshots" if from_snapshots else "new snapshot",
        "operations_fields": derived,
    }


def _triggers(old: Assessment, new: Assessment) -> dict:
    fields, how = snapshot_operations(old, new)
    data = questionnaire_data(new)
    ops = dict(data.get("operations", {}))
    ops.update(fields)
    data["operations"] = ops
    evaluated = assess(load_data(data, new.source))
    org = evaluated.organization
    computed = set(fields)
    fired = [_signal_dict(c, org, computed) for name in ("red_flag", "revert_signal") for c in org.many(name)]
    typed = sorted(str(c.value) for name in ("red_flag", "revert_signal") for c in new.organization.many(name))
    ids = sorted(t["id"] for t in fired)
    return {
        "triggers": fired,
        "computed_operations": how,
        "typed_in_triggers": typed,
        "only_from_snapshots": [i for i in ids if i not in typed],
        "only_typed_in": [i for i in typed if i not in ids],
    }


# ---------------------------------------------------------------- entry point


def diff(old: Assessment, new: Assessment) -> dict:
    """Changed inputs, changed conclusions and snapshot-computed triggers (JSON-able)."""
    old_by = {w.workload.name: w for w in old.workloads}
    new_by = {w.workload.name: w for w in new.workloads}
    inputs: list[dict] = _input_changes(None, _org_inputs(old), _org_inputs(new))
    conclusions: list[dict] = []
    figures: list[dict] = []
    old_rec = {r.workload: r for r in old.records}
    new_rec = {r.workload: r for r in new.records}
    for name, n in new_by.items():
        o = old_by.get(name)
        if o is None:
            continue
        inputs.extend(_input_changes(name, _workload_facts(o), _workload_facts(n)))
        conclusions.extend(_conclusion_changes(o, n))
        figures.extend(_figures(old_rec[name], new_rec[name]))
    conclusions.extend(_org_conclusion_changes(old.organization, new.organization))
    out = {
        "old": {"label": _label(old), "source": old.source, "organization": old.questionnaire.organization},
        "new": {"label": _label(new), "source": new.source, "organization": new.questionnaire.organization},
        "same_organization": old.questionnaire.organization == new.questionnaire.organization,
        "workloads_added": [n for n in new_by if n not in old_by],
        "workloads_removed": [n for n in old_by if n not in new_by],
        "inputs": inputs,
        "conclusions": conclusions,
        "figures": figures,
    }
    out.update(_triggers(old, new))
    return out


# ---------------------------------------------------------------- rendering


def show_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list):
        return ", ".join(str(x).replace("_", " ") for x in v) or "none"
    return str(v).replace("_", " ")


def _rows(d: dict) -> list[tuple[str, str, str, str, str]]:
    """(section, what, old, new, note) rows shared by the table and the HTML."""
    rows = []
    for w in d["workloads_added"]:
        rows.append(("Workloads", w, "—", "added", ""))
    for w in d["workloads_removed"]:
        rows.append(("Workloads", w, "present", "removed", ""))
    for r in d["inputs"]:
        where = f"{r['workload']}: " if r["workload"] else ""
        note = ""
        if "change_points" in r:
            note = f"{r['change_points']:+g} points"
        elif "change_pct" in r:
            note = f"{r['change_pct']:+.0f}%"
        if r.get("old_confidence") != r.get("new_confidence") and r.get("old_confidence") and r.get("new_confidence"):
            note = (note + "; " if note else "") + f"confidence {r['old_confidence']} → {r['new_confidence']}"
        rows.append(("Inputs", where + r["input"], show_value(r["old"]), show_value(r["new"]), note))
    for r in d["figures"]:
        note = f"{r['change_pct']:+.0f}%" if "change_pct" in r else ""
        rows.append(("Figures", f"{r['workload']}: {r['figure'].replace('_', ' ')}", show_value(r["old"]), show_value(r["new"]), note))
    for r in d["conclusions"]:
        where = f"{r['workload']}: " if r["workload"] else ""
        rows.append(("Conclusions", where + r["conclusion"], show_value(r["old"]), show_value(r["new"]), ""))
    for t in d["triggers"]:
        rows.append((f"Triggers ({t['kind'].replace('_', ' ')})", t["title"], "", t["severity"] or "", f"[{t['source']}] {t['because']}"))
    return rows


def diff_table(d: dict):
    """A rich Table of a diff (sections: workloads, inputs, figures, conclusions, triggers)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{d['new']['organization']}: {d['old']['label']} → {d['new']['label']}", show_lines=False)
    table.add_column("section", style="bold")
    table.add_column("what")
    table.add_column(d["old"]["label"], justify="right")
    table.add_column(d["new"]["label"], justify="right")
    table.add_column("note")
    last = None
    for section, what, o, n, note in _rows(d):
        if last is not None and section != last:
            table.add_section()
        table.add_row(Text(section if section != last else ""), Text(what), Text(o), Text(n), Text(note))
        last = section
    if not _rows(d):
        table.add_row("", "no change", "", "", "")
    return table


def _addendum_rows(d: dict, labels: dict, names: dict[str, str]) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """(section, [(what, old, new, change)]) for the addendum: labels and units
    from the memo's labels.yaml, percentage points for fractions."""
    from advisor.report import fmt

    def what(workload: str | None, text: str) -> str:
        return f"{workload}: {text}" if workload else text

    sections = {"decision": "decision", "decision.basis": "decision_basis", "gate.specialization": "outcome", "gate.ownership": "outcome",
                "gate.volume": "outcome", "deployment.mode": "deployment", "stay.blocker": "stay_blocker",
                "vendor.verdict": "vendor_verdict", "complexity.tier": "tier"}

    def value(v: Any, key: str = "") -> str:
        if isinstance(v, str) and v in names:
            return names[v]
        if isinstance(v, str) and key in sections:
            return fmt.label(labels, sections[key], v)
        if isinstance(v, list):
            return ", ".join(str(x).replace("_", " ") for x in v) or "none"
        return "—" if v is None else fmt.scalar(v) if isinstance(v, (bool, str)) else show_value(v)

    inputs = []
    for r in d["inputs"]:
        name = r["input"]
        change = ""
        if "change_points" in r:
            pts = r["change_points"]
            change = f"{pts:+g} point{'s' if abs(pts) != 1 else ''}"
        elif "_points" in name and "change" in r:
            change = f"{r['change']:+g} points"
        elif "change_pct" in r:
            change = f"{r['change_pct']:+.0f}%"
        if r.get("old_confidence") != r.get("new_confidence") and r.get("new_confidence"):
            change = (change + "; " if change else "") + f"now {r['new_confidence']}"
        show = (lambda v: "—" if v is None else fmt.input_value(name, v))
        inputs.append((what(r["workload"], fmt.label(labels, "inputs", name)), show(r["old"]), show(r["new"]), change))
    figures = []
    spec = labels.get("diff_figures") or {}
    unit_fmt = {"money_month": lambda x: fmt.money(x) + "/mo", "per_request": fmt.per_request, "months": fmt.months}
    for r in d["figures"]:
        f = spec.get(r["figure"], {"label": r["figure"].replace("_", " "), "unit": None})
        show = unit_fmt.get(f.get("unit"), show_value)
        o = "—" if r["old"] is None else show(r["old"])
        n = "—" if r["new"] is None else show(r["new"])
        figures.append((what(r["workload"], f["label"]), o, n, f"{r['change_pct']:+.0f}%" if "change_pct" in r else ""))
    conclusions = []
    for r in d["conclusions"]:
        key, _, opt = r["conclusion"].partition("[")
        text = fmt.label(labels, "diff_conclusions", key) + (f" of {names.get(opt.rstrip(']'), opt.rstrip(']'))}" if opt else "")
        conclusions.append((what(r["workload"], text), value(r["old"], key), value(r["new"], key), ""))
    rows = [("Workloads", [(w, "—", "added", "") for w in d["workloads_added"]] + [(w, "present", "removed", "") for w in d["workloads_removed"]]),
            ("Conclusions", conclusions), ("Inputs", inputs), ("Figures", figures)]
    return [(section, items) for section, items in rows if items]


def diff_html(d: dict, names: dict[str, str] | None = None) -> str:
    """A one-page HTML addendum to the memo (self-contained; the memo renders it to PDF).

    Inputs, figures and conclusions by the memo's own labels (reports/memo/labels.yaml),
    with units; fractions change in percentage points. ``names`` maps option ids to
    product names.
    """
    from advisor.resources import data_path
    from advisor.yamlio import read_yaml

    labels = read_yaml(data_path("reports", "memo", "labels.yaml")).data or {}
    names = names or {}
    e = html.escape
    trig = "".join(
        f"<li class='{e(t['severity'] or '')}'><b>{e(t['title'])}</b>: {e(t['because'])}"
        + (f" <i>{e(' '.join(t['actions']))}</i>" if t["actions"] else "") + "</li>"
        for t in d["triggers"]
    ) or "<li>No red-flag trigger or revert signal fires.</li>"
    def cell(v: str) -> str:  # a figure never wraps; a long value (a product, a traffic mix) may
        return "n" if len(v) <= 14 else "n long"

    body = ""
    for section, items in _addendum_rows(d, labels, names):
        body += f"<tr class='sec'><th colspan='4'>{e(section)}</th></tr>"
        body += "".join(f"<tr><td>{e(w)}</td><td class='{cell(o)}'>{e(o)}</td><td class='{cell(n)}'>{e(n)}</td><td>{e(c)}</td></tr>" for w, o, n, c in items)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What changed: {e(d['new']['organization'])}</title>
<style>
@page {{ size: A4; margin: 14mm 16mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 7.8pt; color: #1f2933; }}
h1 {{ font-size: 13pt; margin: 0 0 1.5mm; }} h2 {{ font-size: 9.5pt; margin: 3.5mm 0 1.5mm; }}
p.sub {{ color: #52606d; margin: 0 0 2mm; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
col.w {{ width: 46%; }} col.v {{ width: 17%; }} col.c {{ width: 20%; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }}
td, th {{ border-bottom: 0.4pt solid #e4e7eb; padding: 0.5mm 1.2mm; vertical-align: top; text-align: left; }}
td.n, th.n {{ text-align: right; white-space: nowrap; }} td.long {{ white-space: normal; }}
tr.sec th {{ background: #f3f5f7; font-weight: bold; padding-top: 1mm; }}
ul {{ padding-left: 4mm; margin: 0; }} li {{ margin-bottom: 1mm; }}
li.critical b {{ color: #b44d12; }} i {{ color: #52606d; }}
</style></head>
<body>
<h1>What changed since {e(d['old']['label'])}</h1>
<p class="sub">{e(d['new']['organization'])}: {e(d['old']['label'])} → {e(d['new']['label'])}. Triggers are evaluated by the
organization rules on changes computed from the two snapshots (field guide, Part 5, "Red-flag triggers" and "The revert signals").
Fractions change in percentage points (2% → 3% is +1 point); other changes are relative.</p>
<h2>Triggers</h2>
<ul>{trig}</ul>
<h2>Changes</h2>
<table><colgroup><col class="w"><col class="v"><col class="v"><col class="c"></colgroup><thead><tr><th></th><th class="n">{e(d['old']['label'])}</th><th class="n">{e(d['new']['label'])}</th><th>change</th></tr></thead>
<tbody>{body}</tbody></table>
</body></html>
"""
