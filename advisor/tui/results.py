"""Results: the live panel beside the questions, and the results section with the "why".

Both render ``advisor.render.result.assessment_dict`` data; nothing here
computes a number or decides anything.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.render.tables import lcpr_text as lcpr, money  # one way to print money (−$2,909) and LCPR

OUTCOME_STYLE = {
    "pass": "bold green", "migrate": "bold green", "viable": "green",
    "fail": "red", "stay": "bold yellow", "eliminated": "red",
    "conditional": "yellow", "deeper_evaluation": "yellow", "marginal": "yellow",
}
GATE_TITLES = {"specialization": "Specialization", "ownership": "Ownership", "volume": "Volume"}


def outcome(value: Any) -> Text:
    s = str(value if value is not None else "—")
    return Text(s.replace("_", " "), style=OUTCOME_STYLE.get(s.split(" ")[0], ""))


def workload_of(result: dict | None, name: str | None) -> dict | None:
    if not result:
        return None
    for w in result.get("workloads", []):
        if w.get("name") == name:
            return w
    return None


PANEL_ROWS = 6  # cheapest options shown in the panel, plus today's


def lcpr_table(w: dict, width: int = 40, limit: int | None = PANEL_ROWS) -> Table:
    t = Table(box=None, pad_edge=False, expand=True, show_edge=False, padding=(0, 1, 0, 0))
    t.add_column("option", overflow="fold", ratio=1)  # a long id wraps rather than being cut
    t.add_column("LCPR", justify="right", no_wrap=True)
    t.add_column("$/month", justify="right", no_wrap=True)
    record = w.get("record")
    if record and record.get("options"):
        # the decision record: the same ranked lines the memo and the JSON show
        today_id = (record.get("today") or {}).get("id")
        rec = (record.get("recommended") or {}).get("id")
        rows = [{"id": o["id"], "lcpr": o.get("lcpr"), "monthly_cost": o.get("loaded_cost"), "current": o["id"] == today_id}
                for o in record["options"]]
    else:
        rec = (w.get("recommended_option") or {}).get("option")
        rows = w.get("lcpr", [])
    if limit is not None and len(rows) > limit + 1:
        keep = rows[:limit]
        keep += [r for r in rows[limit:] if r.get("current") or r["id"] == rec]
        hidden = len(rows) - len(keep)
        rows = keep
    else:
        hidden = 0
    for row in rows:
        mark = "today " if row.get("current") else ("★ " if row["id"] == rec else "")
        style = "bold" if row["id"] == rec else ("dim" if not row.get("current") else "")
        t.add_row(Text(mark + row["id"], style=style), lcpr(row.get("lcpr")), money(row.get("monthly_cost")))
    if hidden:
        t.add_row(Text(f"… {hidden} more (tick candidates to compare fewer)", style="dim italic"), "", "")
    return t


def unmet_requirements(w: dict, option: str) -> list[str]:
    """The compliance requirements a vendor does not meet, by name (from the assessment, as is)."""
    v = next((v for v in w.get("vendors", []) if v.get("option") == option), None)
    return [str(c.get("title")) for c in (v or {}).get("compliance_issues", []) if c.get("severity") == "critical"]


def why_not_lines(w: dict, limit: int | None = None) -> list[Text]:
    """Why each option in the decision record was not chosen: its ``why_not``, read from the record
    (the same one the memo and the JSON show), with unmet compliance requirements named."""
    record = w.get("record") or {}
    out: list[Text] = []
    for o in record.get("options", []):
        why = o.get("why_not")
        if not why:
            continue
        reason = str(why).replace("_", " ")
        unmet = unmet_requirements(w, o["id"]) if "compliance" in str(why) else []
        line = Text.assemble(("✗ ", "red"), (str(o["id"]), "bold"), f" {reason}")
        if unmet:
            line.append(" — not met: ", style="dim")
            line.append(", ".join(unmet), style="bold red")
        out.append(line)
    if limit is not None and len(out) > limit:
        more = len(out) - limit
        out = out[:limit] + [Text(f"… {more} more in Results", style="dim italic")]
    return out


def panel_renderable(result: dict | None, workload: str | None, status: str = "") -> Any:
    """The compact live results panel for one workload."""
    if not result:
        return Text(status or "Answer the required questions (marked *) to see the numbers.", style="dim")
    w = workload_of(result, workload) or (result["workloads"][0] if result.get("workloads") else None)
    parts: list[Any] = []
    if status:
        parts.append(Text(status, style="italic yellow"))
    if w is None:
        parts.append(Text("This workload cannot be priced yet: it needs requests and the option it runs on.", style="dim"))
    else:
        head = Text.assemble((w["name"], "bold"), "  ", outcome(w["decision"]))
        if w.get("decision_basis"):
            head.append(f" ({w['decision_basis']})", style="dim")
        parts.append(head)
        parts.append(lcpr_table(w))
        not_chosen = why_not_lines(w, limit=PANEL_ROWS)
        if not_chosen:
            parts.append(Text("Not chosen", style="bold"))
            parts.extend(not_chosen)
        cur = w.get("current", {})
        rec = w.get("recommended_option")
        if rec:
            saves = w.get("savings_per_month")
            if saves is not None and saves < 0:  # a move a gate forces that costs more than today
                line = Text.assemble("Costs ", (money(-saves), "bold"), "/month more than ", money(cur.get("monthly_cost")), " today")
            else:
                line = Text.assemble("Saves ", (money(saves), "bold"), "/month vs ", money(cur.get("monthly_cost")), " today")
            parts.append(line)
        pb = w.get("payback_months")
        if pb is not None:
            parts.append(Text.assemble("Payback ", (f"{pb:.1f} months", "bold"), f" ({w.get('payback_from_decision_months') or 0:.1f} from decision)"))
        parts.append(Text(""))
        gates = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
        gates.add_column("gate")
        gates.add_column("outcome")
        for g in ("specialization", "ownership", "volume"):
            gates.add_row(f"{GATE_TITLES[g]} gate", outcome(w["gates"][g].get("outcome")))
        parts.append(gates)
        c = w.get("complexity", {})
        parts.append(Text.assemble("Complexity ", (str(c.get("score")), "bold"), f" · {str(c.get('tier', '')).title()} · {c.get('timeline', '')}"))
    st = result.get("stage", {})
    if st:
        cur = st.get("current")
        parts.append(Text.assemble("Stage ", (f"{cur if cur is not None else '?'} → {st.get('recommended')}", "bold"), f"  {st.get('title') or ''}"))
    firing = [("revert", s) for s in result.get("revert_signals", [])] + [("red flag", s) for s in result.get("red_flags", [])]
    if firing:
        for kind, s in firing:
            parts.append(Text.assemble(("▲ " if kind == "red flag" else "↩ ", "bold red"), f"{kind}: {s.get('title')}"))
    else:
        parts.append(Text("No revert signals or red flags firing.", style="dim"))
    return Group(*parts)


class ResultsPanel(VerticalScroll):
    """The live panel: updated by the screen whenever a new assessment is ready."""

    DEFAULT_CLASSES = "results-panel"

    def compose(self) -> ComposeResult:
        yield Static("Results", classes="panel-title")
        yield Static(Text("Working out the numbers…", style="dim"), id="panel-body")

    def show(self, result: dict | None, workload: str | None, status: str = "") -> None:
        key = (result, workload, status)
        if key == getattr(self, "_shown", None):
            return
        self._shown = key
        self.query_one("#panel-body", Static).update(panel_renderable(result, workload, status))


# ---------------------------------------------------------------- the results section


def conclusions(result: dict) -> list[tuple[str, Text, dict]]:
    """(key, label, detail) for every conclusion a user can ask "why" about."""
    out: list[tuple[str, Text, dict]] = []
    for wi, w in enumerate(result.get("workloads", [])):
        rec = w.get("recommended_option") or {}
        label = Text.assemble((w["name"], "bold"), ": ", outcome(w["decision"]))
        if rec and w["decision"] == "migrate":
            label.append(f" → {rec.get('option')} saves {money(w.get('savings_per_month'))}/mo")
        out.append((f"w{wi}", label, {"kind": "decision", "workload": w, "data": {"outcome": w["decision"], "because": w.get("because"), "rule": None, "confidence": w.get("confidence")}, "decided": "decision"}))
        for g in ("specialization", "ownership", "volume"):
            d = w["gates"][g]
            out.append((f"w{wi}.{g}", Text.assemble(f"   {GATE_TITLES[g]} gate: ", outcome(d.get("outcome"))), {"kind": "gate", "workload": w, "data": d}))
        dep = w.get("deployment") or {}
        if dep.get("outcome"):
            out.append((f"w{wi}.deployment", Text.assemble("   Deployment: ", outcome(dep.get("outcome"))), {"kind": "gate", "workload": w, "data": dep}))
        c = w.get("complexity", {})
        out.append((f"w{wi}.complexity", Text(f"   Complexity {c.get('score')} ({c.get('tier')}): {c.get('timeline')}"), {"kind": "complexity", "workload": w, "data": c}))
        for vi, v in enumerate(w.get("vendors", [])):
            out.append((f"w{wi}.v{vi}", Text.assemble(f"   Vendor {v['option']}: ", outcome(v.get("verdict"))), {"kind": "vendor", "workload": w, "data": v}))
    st = result.get("stage", {})
    if st:
        out.append(("stage", Text.assemble(("Stage: ", "bold"), f"{st.get('current')} → {st.get('recommended')} {st.get('title') or ''}"), {"kind": "stage", "data": st}))
    for i, s in enumerate(result.get("revert_signals", [])):
        out.append((f"revert{i}", Text.assemble(("↩ Revert signal: ", "bold red"), s.get("title", "")), {"kind": "signal", "data": s}))
    for i, s in enumerate(result.get("red_flags", [])):
        out.append((f"flag{i}", Text.assemble(("▲ Red flag: ", "bold red"), s.get("title", "")), {"kind": "signal", "data": s}))
    for i, s in enumerate(result.get("warnings", [])):
        out.append((f"warn{i}", Text.assemble(("! ", "yellow"), s.get("title", "")), {"kind": "signal", "data": s}))
    return out


def _trace_for(result: dict, rule: str | None, entity: str | None = None) -> dict | None:
    if not rule:
        return None
    for t in result.get("trace", []):
        if t.get("rule") == rule and (entity is None or t.get("entity") == entity):
            return t
    return None


def _inputs_table(names: list[str], inputs: list[dict]) -> Text | None:
    """The inputs a conclusion rests on: one line each, value, confidence and where it came from."""
    by = {i["name"]: i for i in inputs}
    rows = [by.get(n) or by.get(f"settings.{n}") for n in names]
    rows = [r for r in rows if r]
    if not rows:
        return None
    t = Text("Rests on\n", style="bold")
    for i in rows:
        conf = str(i.get("confidence"))
        t.append(f"  {i['name']} = {i.get('value')}  ")
        t.append(conf, style={"measured": "green", "estimated": "yellow", "assumed": "red"}.get(conf, ""))
        source = i.get("note") or i.get("origin") or ""
        if source:
            t.append(f"  ({source})", style="dim")
        t.append("\n")
    t.rstrip()
    return t


def detail_renderable(result: dict, item: dict) -> Any:
    data = item["data"]
    w = item.get("workload")
    parts: list[Any] = []
    kind = item["kind"]
    if kind == "complexity":
        parts.append(Text(f"Complexity score {data.get('score')}: {data.get('tier')}", style="bold"))
        for k, v in (data.get("factors") or {}).items():
            parts.append(Text(f"  {k.replace('_', ' ')}: {v}"))
        parts.append(Text(f"{data.get('timeline')}; {data.get('engineer_weeks')} engineer-weeks; lead time {data.get('lead_time_months')} months"))
        parts.append(Text(str(data.get("approach") or ""), style="dim"))
        return Group(*parts)
    if kind == "vendor":
        parts.append(Text.assemble((data["option"], "bold"), ": ", outcome(data.get("verdict"))))
        parts.append(Text(data.get("because") or ""))
        t = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0))
        t.add_column("gate")
        t.add_column("verdict")
        t.add_column("why", overflow="fold")
        unmet = [str(c.get("title")) for c in data.get("compliance_issues", []) if c.get("severity") == "critical"]
        for g, info in data.get("gates", {}).items():
            v = outcome(info.get("verdict"))
            if info.get("prefilled"):
                v.append(" (pre-filled)", style="italic dim")
            why = Text(info.get("because") or "")
            if g.startswith("compliance") and unmet:
                why.append(" Not met: ", style="bold")
                why.append(", ".join(unmet), style="bold red")
            t.add_row(g.replace("_", " "), v, why)
        parts.append(t)
        return Group(*parts)
    outcome_value = data.get("outcome", data.get("recommended", data.get("title")))
    parts.append(Text.assemble(("Conclusion: ", "bold"), outcome(outcome_value)))
    if data.get("because"):
        parts.append(Text(data["because"]))
    if data.get("source"):
        parts.append(Text(f"Field guide: {data['source']}", style="italic"))
    rule = data.get("rule")
    entity = w["name"] if w else None
    if kind == "decision" and w is not None:
        trace = next((t for t in result.get("trace", []) if t.get("conclusion") == "decision" and t.get("entity") == entity), None)
    else:
        trace = _trace_for(result, rule, entity) or _trace_for(result, rule)
    if trace:
        parts.append(Text(""))
        parts.append(Text.assemble(("Rule ", "bold"), f"{trace['rule']} ({trace.get('ruleset')})"))
        for c in trace.get("compared", []):
            thr = f" {c.get('threshold')}" if "threshold" in c else ""
            parts.append(Text(f"  {c['fact']} = {c.get('actual')}  ({c['op']}{thr})"))
        # The decision shows the record's one confidence (the least sure input
        # under its gates), not the rule's, which compares only conclusions.
        conf = ((w.get("record") or {}).get("confidence") if kind == "decision" and w is not None else None) or trace.get("confidence")
        parts.append(Text.assemble("Confidence: ", (str(conf), {"measured": "green", "estimated": "yellow", "assumed": "red"}.get(conf, ""))))
        if w is not None:
            table = _inputs_table(trace.get("rests_on", []), w.get("inputs", []) + result.get("inputs", []))
            if table is not None:
                parts.append(table)
    elif data.get("confidence"):
        parts.append(Text(f"Confidence: {data.get('confidence')}"))
    for a in data.get("actions", []) or []:
        parts.append(Text(f"• {a}"))
    if kind == "decision" and w is not None:
        ranking = ranking_table(w)
        if ranking is not None:
            parts.append(Text(""))
            parts.append(Text("Ranking (the decision record)", style="bold"))
            parts.append(ranking)
        rec = w.get("recommended_option") or {}
        if rec:
            parts.append(Text(""))
            parts.append(Text(f"Recommended option: {rec.get('option')} at {money(rec.get('monthly_cost'))}/month (today {money(w['current']['monthly_cost'])})"))
            if w.get("payback_months") is not None:
                parts.append(Text(f"Migration {money(w.get('migration_cost'))} ({w.get('migration_engineer_weeks')} engineer-weeks) pays back in {w['payback_months']:.1f} months, {w.get('payback_from_decision_months') or 0:.1f} from the decision."))
        for g in ("specialization", "ownership", "volume"):
            gate = w["gates"][g]
            line = Text.assemble(f"  {GATE_TITLES[g]} gate: ", outcome(gate.get("outcome")))
            conf = gate.get("confidence")
            if conf:
                line.append("  confidence ")
                line.append(str(conf), style={"measured": "green", "estimated": "yellow", "assumed": "red"}.get(conf, ""))
                assumed = gate.get("assumed_inputs") or []
                if assumed:
                    line.append(f" ({len(assumed)} assumed input{'s' if len(assumed) != 1 else ''})", style="dim")
            parts.append(line)
    return Group(*parts)


def ranking_table(w: dict) -> Table | None:
    """Every option of the decision record, cheapest per successful request first, each with why it
    was not chosen (the record's why_not; unmet compliance requirements named)."""
    record = w.get("record") or {}
    options = record.get("options") or []
    if not options:
        return None
    rec_id = (record.get("recommended") or {}).get("id")
    today_id = (record.get("today") or {}).get("id")
    t = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), expand=True)
    t.add_column("option", overflow="fold", ratio=2)
    t.add_column("LCPR", justify="right", no_wrap=True)
    t.add_column("$/month", justify="right", no_wrap=True)
    t.add_column("why not", overflow="fold", ratio=3)
    for o in options:
        mark = "today " if o["id"] == today_id else ("★ " if o["id"] == rec_id else "")
        why = Text(str(o.get("why_not") or "").replace("_", " "), style="red" if o.get("why_not") else "")
        if o["id"] == rec_id:
            why = Text("recommended", style="bold green")
        elif o["id"] == today_id:
            why = Text("what runs today", style="dim")
        unmet = unmet_requirements(w, o["id"]) if "compliance" in str(o.get("why_not") or "") else []
        if unmet:
            why.append(": not met: " + ", ".join(unmet), style="bold red")
        t.add_row(Text(mark + str(o["id"]), style="bold" if o["id"] == rec_id else ""), lcpr(o.get("lcpr")),
                  money(o.get("loaded_cost")), why)
    return t


class ResultsView(Vertical):
    """The results section: conclusions on one side, the selected one's "why" on the other."""

    class Selected(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self) -> None:
        super().__init__(classes="results-view")
        self._items: dict[str, dict] = {}
        self._result: dict | None = None
        self.detail: Any = None  # what the "why" pane shows
        self._bounds: tuple[int, list[dict]] | None = None  # (id of the assessment, its boundaries)
        self._key: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="results-summary")
        with Horizontal(id="results-split"):
            yield OptionList(id="conclusions")
            with VerticalScroll(id="why"):
                yield Static(Text("Select a conclusion to see why.", style="dim"), id="why-body")

    def show(self, result: dict | None, status: str = "") -> None:
        if (result, status) == getattr(self, "_shown", None):
            return
        self._shown = (result, status)
        self._result = result
        summary = self.query_one("#results-summary", Static)
        ol = self.query_one("#conclusions", OptionList)
        if not result:
            summary.update(Text(status or "No results yet: answer the required questions (marked *).", style="dim"))
            ol.clear_options()
            return
        s = result.get("summary", {})
        head = Text.assemble(
            (result.get("organization") or "", "bold"), "\n",
            "Today ", (money(s.get("monthly_cost_today")), "bold"), "/month → recommended ",
            (money(s.get("monthly_cost_recommended")), "bold"), "/month; saves ", (money(s.get("savings_per_month")), "bold green"),
            f"/month. {s.get('migrating', 0)} of {s.get('workloads', 0)} workload(s) migrate.",
        )
        if status:
            head.append("\n" + status, style="italic yellow")
        summary.update(head)
        highlighted = ol.highlighted
        old_key = ol.get_option_at_index(highlighted).id if highlighted is not None and ol.option_count else None
        items = conclusions(result)
        self._items = {k: d for k, _, d in items}
        ol.clear_options()
        ol.add_options([Option(label, id=k) for k, label, _ in items])
        keys = [k for k, _, _ in items]
        if old_key in keys:
            ol.highlighted = keys.index(old_key)
        elif keys:
            ol.highlighted = 0
        self.refresh(layout=True)

    def _list_to_top(self, widget) -> None:
        for scroller in widget.ancestors:
            if isinstance(scroller, VerticalScroll) and scroller.id == "section-body":
                target = scroller.scroll_y + widget.region.y - scroller.region.y
                if abs(target - scroller.scroll_y) > 0.5:
                    scroller.scroll_to(y=target, animate=False)
                return

    # ---- what would change the answer (issue 6): searched off the UI thread, on demand

    def _assessment(self):
        computed = getattr(self.screen, "computed", None)  # the interview screen owns the latest results
        return getattr(computed, "assessment", None)

    def _with_boundaries(self, key: str, detail: Any) -> Any:
        item = self._items.get(key) or {}
        a = self._assessment()
        if item.get("kind") != "decision" or a is None:
            return detail
        name = item["workload"]["name"]
        if self._bounds is not None and self._bounds[0] == id(a):
            found = [b for b in self._bounds[1] if b.get("workload") == name and b.get("flips")]
            lines = [Text(""), Text("What would change the answer", style="bold")]
            seen = set()
            for b in found:
                k = (b["input"], round(float(b.get("flip_value") or 0), -1))
                if k in seen:
                    continue
                seen.add(k)
                line = Text(f"• {b['sentence']}")
                if b.get("measure_first"):
                    line.append("  measure first", style="bold red")
                lines.append(line)
            if not found:
                lines.append(Text("Nothing searched flips this decision within range.", style="dim"))
            return Group(detail, *lines)
        self._search(a)
        return Group(detail, Text(""), Text("Searching what would change the answer…", style="italic dim"))

    @work(thread=True, exclusive=True, group="boundaries")
    def _search(self, a) -> None:
        from advisor.analysis import boundaries
        from advisor.tui.compute import _ENGINE

        with _ENGINE:  # the rule engine is used by one thread at a time
            found = boundaries(a)
        self.app.call_from_thread(self._found, a, found)

    def _found(self, a, found: list[dict]) -> None:
        if a is not self._assessment():
            return  # answers changed meanwhile; the next selection searches again
        self._bounds = (id(a), found)
        if self._key and self._result is not None and self._key in self._items:
            self.detail = self._with_boundaries(self._key, detail_renderable(self._result, self._items[self._key]))
            self.query_one("#why-body", Static).update(self.detail)
            self.refresh(layout=True)

    @on(OptionList.OptionHighlighted, "#conclusions")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        key = event.option.id
        if key and self._result is not None and key in self._items:
            self._key = key
            self.detail = detail_renderable(self._result, self._items[key])
            self.detail = self._with_boundaries(key, self.detail)
            self.query_one("#why-body", Static).update(self.detail)
            self.refresh(layout=True)
            if event.option_list.has_focus:
                # the list and the "why" under it in view (on small terminals they start below the fold)
                self._list_to_top(event.option_list)
