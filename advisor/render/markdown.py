"""Markdown for a pull-request comment, the way Infracost reports a cloud bill.

``score_markdown(report)`` renders the report ``advisor score`` builds (one
result per questionnaire, each workload carrying its decision ``record``);
``diff_markdown(d, old_records, new_records)`` renders ``advisor diff``. Both
read figures from the decision records (advisor/decision/record.py) and the
summaries the assessment already made; they add and subtract across
workloads, never re-price anything. Everything a user typed (organization and
workload names, notes) is escaped, so a questionnaire cannot inject links,
HTML or table breaks into the comment. See docs/ci.md.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from advisor.analysis.diff import show_value  # one way to print a changed value, in the table and in markdown

_SPECIAL = re.compile(r"([\\`*_\[\]|#~!])")


def md(text: Any) -> str:
    """User text as inert markdown: one line, markdown and HTML specials escaped."""
    if text is None:
        return ""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", s)


def code(text: Any) -> str:
    """An identifier (field or input name, file path) as a code span; backticks and line breaks removed."""
    s = " ".join(str(text).replace("`", "'").split()).replace("|", "\\|")  # \| keeps a table cell whole
    return f"`{s}`" if s else ""


def word(text: Any) -> str:
    """A rule value such as measure_first as words (measure first)."""
    return md(str(text).replace("_", " ")) if text is not None else "—"


def money(x: float | None) -> str:
    if x is None:
        return "—"
    sign = "−" if x < 0 else ""
    return f"{sign}${abs(x):,.0f}"


def signed_money(x: float) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "±") + f"${abs(x):,.0f}"


def pct(part: float, whole: float) -> str:
    if not whole:
        return "n/a"
    v = part / whole * 100
    return ("+" if v > 0 else "−" if v < 0 else "±") + f"{abs(v):.0f}%"


def months(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f} mo"


def _word(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _recommended(rec: dict) -> str:
    """The option the decision points at, by product name."""
    if rec.get("decision") == "migrate" and rec.get("recommended"):
        return md(rec["recommended"]["product"])
    today = rec.get("today") or {}
    return f"stay on {md(today.get('product'))}" if today.get("product") else "—"


def _failures_block(failures: list[str] | None) -> list[str]:
    if failures is None:
        return []
    if not failures:
        return ["", "**Cost check passed** (`--fail-on`): no condition met."]
    out = ["", f"**Cost check failed** (`--fail-on`): {_word(len(failures), 'condition')} met."]
    out += [f"- {md(f)}" for f in failures]
    return out


def _signal_line(s: dict, where: str = "") -> str:
    kind = {"critical": "🔴", "warning": "🟠"}.get(s.get("severity") or "", "•")
    head = f"{kind} **{md(s.get('title'))}**"
    if where:
        head += f" ({md(where)})"
    because = s.get("because")
    return f"- {head}" + (f": {md(because)}" if because else "")


# ---------------------------------------------------------------- score


def score_markdown(report: dict, failures: list[str] | None = None) -> str:
    """The `advisor score --format markdown` comment: headline, table, triggers, folded details."""
    results = report.get("results", [])
    records = [(r, w["record"]) for r in results for w in r["workloads"]]
    today = sum(r["summary"]["monthly_cost_today"] or 0 for r in results)
    after = sum(r["summary"]["monthly_cost_recommended"] or 0 for r in results)
    savings = sum(r["summary"]["savings_per_month"] or 0 for r in results)
    migrating = sum(r["summary"]["migrating"] for r in results)
    if not results:
        verdict = "no questionnaire could be scored"
    elif savings > 0:
        verdict = f"monthly inference cost would fall by {money(savings)} ({pct(-savings, today)})"
    elif savings < 0:
        verdict = f"monthly inference cost would rise by {money(-savings)} ({pct(-savings, today)})"
    else:
        verdict = f"no migration pays: monthly inference cost stays {money(today)}"
    out = [
        f"### advisor: {verdict}",
        "",
        f"{_word(len(records), 'workload')} in {_word(len(results), 'questionnaire')} · "
        f"monthly cost today **{money(today)}** → **{money(after)}** with the recommendations · "
        f"total savings **{money(savings)}/mo** · {migrating} of {len(records)} migrate",
    ]
    if records:
        out += [
            "",
            "| Workload | Decision | Recommended option | Today /mo | Savings /mo | Payback |",
            "|---|---|---|--:|--:|--:|",
        ]
        many = len(results) > 1
        for r, rec in records:
            name = md(rec["workload"]) + (f" <sub>{md(r['organization'])}</sub>" if many else "")
            migrate = rec.get("decision") == "migrate"
            out.append(
                f"| {name} | {word(rec.get('decision'))} | {_recommended(rec)} | {money(rec.get('loaded_cost_today'))} | "
                f"{money(rec.get('savings_per_month')) if migrate else '—'} | {months(rec.get('payback_months')) if migrate else '—'} |"
            )
    triggers = [(r, s) for r in results for s in r.get("red_flags", []) + r.get("revert_signals", [])]
    if triggers:
        out += ["", f"**Triggers firing** ({len(triggers)}):"]
        out += [_signal_line(s, r["organization"] if len(results) > 1 else "") for r, s in triggers]
    out += _failures_block(failures)
    if report.get("errors"):
        out += ["", f"**{_word(len(report['errors']), 'file problem')}** (not scored):"]
        out += [f"- {md(_problem(e))}" for e in report["errors"]]
    if results:
        out += ["", "<details><summary>Details: why each decision, how sure, what fires</summary>", ""]
        for r in results:
            out += _score_details(r)
        out += ["</details>"]
    return "\n".join(out) + "\n"


def _problem(e: dict) -> str:
    where = ":".join(str(x) for x in (e.get("file"), e.get("line")) if x)
    field = f" {e['field']}:" if e.get("field") else ""
    return f"{where}:{field} {e.get('message', '')}" if where else e.get("message", "")


def _score_details(r: dict) -> list[str]:
    stage = r.get("stage") or {}
    out = [
        f"#### {md(r['organization'])}",
        "",
        f"{code(r['file'])} · Stage {stage.get('current') if stage.get('current') is not None else '?'} → "
        f"{stage.get('recommended')} ({md(stage.get('title'))}) · prices as of {md(r.get('pricing_as_of'))}",
        "",
    ]
    for w in r["workloads"]:
        rec = w["record"]
        line = f"- **{md(rec['workload'])}**: {word(rec.get('decision'))}"
        if rec.get("basis"):
            line += f". {md(rec['basis'])}"
        if rec.get("basis_source"):
            line += f" _({md(rec['basis_source'])})_"
        out.append(line)
        today = rec.get("today") or {}
        out.append(f"  - today: {md(today.get('product'))}, invoice {money(rec.get('invoice_today'))}/mo, "
                   f"loaded {money(rec.get('loaded_cost_today'))}/mo")
        if rec.get("decision") == "migrate" and rec.get("recommended"):
            out.append(f"  - recommended: {md(rec['recommended']['product'])}, loaded {money(rec.get('recommended_loaded_cost'))}/mo; "
                       f"migration {money(rec.get('migration_cost'))}, payback {months(rec.get('payback_months'))} "
                       f"({months(rec.get('payback_from_decision_months'))} from the decision)")
        if rec.get("forgone_savings_per_month"):
            out.append(f"  - savings not taken: {money(rec['forgone_savings_per_month'])}/mo"
                       + (f"; would unlock: {md('; '.join(rec['unlock']))}" if rec.get("unlock") else ""))
        weak = rec.get("weakest_inputs") or []
        out.append(f"  - confidence: {md(rec.get('confidence'))}" + (f" (assumed: {', '.join(code(x) for x in weak)})" if weak else ""))
        signals = rec.get("signals", [])
        for s in signals:
            if s.get("state", "firing") == "firing":
                out.append(f"  - ⚠ {md(s.get('title'))}" + (f": {md(s['because'])}" if s.get("because") else ""))
        unmeasured = [s for s in signals if s.get("state") == "not_measured"]
        if unmeasured:
            out.append(f"  - not measured: {md(', '.join(s.get('title', '') for s in unmeasured))}")
    out.append("")
    return out


# ---------------------------------------------------------------- diff


def _by_name(records: Iterable[dict]) -> dict[str, dict]:
    return {r["workload"]: r for r in records}


def diff_totals(old_records: list[dict], new_records: list[dict]) -> dict[str, float]:
    """Sums of the records' monthly figures in each snapshot (cost today; savings of the migrations)."""
    def saving(r: dict) -> float:
        return (r.get("savings_per_month") or 0) if r.get("decision") == "migrate" else 0

    return {
        "old_cost": sum(r.get("loaded_cost_today") or 0 for r in old_records),
        "new_cost": sum(r.get("loaded_cost_today") or 0 for r in new_records),
        "old_savings": sum(saving(r) for r in old_records),
        "new_savings": sum(saving(r) for r in new_records),
    }


def diff_markdown(d: dict, old_records: list[dict], new_records: list[dict], failures: list[str] | None = None) -> str:
    """The `advisor diff --format markdown` comment."""
    t = diff_totals(old_records, new_records)
    change = t["new_cost"] - t["old_cost"]
    if change > 0:
        verdict = f"monthly inference cost rose by {money(change)} ({pct(change, t['old_cost'])})"
    elif change < 0:
        verdict = f"monthly inference cost fell by {money(-change)} ({pct(change, t['old_cost'])})"
    else:
        verdict = f"monthly inference cost unchanged at {money(t['new_cost'])}"
    old_by, new_by = _by_name(old_records), _by_name(new_records)
    decisions = [n for n in new_by if n in old_by and old_by[n].get("decision") != new_by[n].get("decision")]
    out = [
        f"### advisor diff: {verdict}",
        "",
        f"{md(d['new']['organization'])}: {md(d['old']['label'])} → {md(d['new']['label'])} · "
        f"monthly cost today **{money(t['old_cost'])}** → **{money(t['new_cost'])}** · "
        f"savings available {money(t['old_savings'])} → {money(t['new_savings'])}/mo · "
        f"{_word(len(decisions), 'decision')} changed",
        "",
        "| Workload | Decision | Recommended option | Today /mo | Change | Savings /mo |",
        "|---|---|---|--:|--:|--:|",
    ]
    for name in list(new_by) + [n for n in old_by if n not in new_by]:
        o, n = old_by.get(name), new_by.get(name)
        if n is None:
            out.append(f"| {md(name)} | removed | — | {money(o.get('loaded_cost_today'))} → — | "
                       f"{signed_money(-(o.get('loaded_cost_today') or 0))} | — |")
            continue
        if o is None:
            out.append(f"| {md(name)} (new) | {word(n.get('decision'))} | {_recommended(n)} | {money(n.get('loaded_cost_today'))} | "
                       f"{signed_money(n.get('loaded_cost_today') or 0)} | {_savings(n)} |")
            continue
        dec = word(n.get("decision")) if o.get("decision") == n.get("decision") else f"{word(o.get('decision'))} → **{word(n.get('decision'))}**"
        rec = _recommended(n) if _recommended(o) == _recommended(n) else f"{_recommended(o)} → **{_recommended(n)}**"
        oc, nc = o.get("loaded_cost_today") or 0, n.get("loaded_cost_today") or 0
        delta = f"{signed_money(nc - oc)} ({pct(nc - oc, oc)})" if nc != oc else "—"
        sav = _savings(n) if _savings(o) == _savings(n) else f"{_savings(o)} → {_savings(n)}"
        out.append(f"| {md(name)} | {dec} | {rec} | {money(nc)} | {delta} | {sav} |")
    if d.get("triggers"):
        out += ["", f"**Triggers firing** ({len(d['triggers'])}):"]
        for s in d["triggers"]:
            origin = "computed from the two snapshots" if s.get("source") == "snapshots" else "in the new snapshot"
            out.append(_signal_line(s) + f" _({origin})_")
    out += _failures_block(failures)
    out += ["", "<details><summary>Details: changed inputs and conclusions</summary>", ""]
    if d.get("inputs"):
        out += ["| Input | Old | New | Note |", "|---|--:|--:|---|"]
        for r in d["inputs"]:
            where = f"{md(r['workload'])}: " if r.get("workload") else ""
            note = ""
            if "change_points" in r:
                note = f"{r['change_points']:+g} points"
            elif "change_pct" in r:
                note = f"{r['change_pct']:+.0f}%"
            if r.get("old_confidence") and r.get("new_confidence") and r["old_confidence"] != r["new_confidence"]:
                note = (note + "; " if note else "") + f"confidence {r['old_confidence']} → {r['new_confidence']}"
            out.append(f"| {where}{code(r['input'])} | {md(show_value(r.get('old')))} | {md(show_value(r.get('new')))} | {md(note)} |")
        out.append("")
    if d.get("conclusions"):
        out += ["| Conclusion | Old | New |", "|---|---|---|"]
        for r in d["conclusions"]:
            where = f"{md(r['workload'])}: " if r.get("workload") else ""
            out.append(f"| {where}{code(r['conclusion'])} | {word(show_value(r.get('old')))} | {word(show_value(r.get('new')))} |")
        out.append("")
    if not d.get("inputs") and not d.get("conclusions"):
        out += ["No input or conclusion changed.", ""]
    out.append("</details>")
    return "\n".join(out) + "\n"


def _savings(rec: dict) -> str:
    return money(rec.get("savings_per_month")) if rec.get("decision") == "migrate" else "—"



__all__ = ["code", "diff_markdown", "diff_totals", "md", "score_markdown", "word"]
