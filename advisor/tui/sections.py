"""A section of the interview, rendered from the spec for the current workload / vendor.

One generic view covers every question section; the workloads, vendor-gates,
results and export sections add their own controls around the same fields.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, SelectionList, Static, Tab, Tabs
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from advisor.tui import draft as D
from advisor.tui.fields import Advance, QuestionField, TickList, make_field, option_label
from advisor.tui.results import ResultsView, workload_of
from advisor.tui.spec import Section


class WorkloadPicked(Message):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class VendorPicked(Message):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class VendorsChosen(Message):
    def __init__(self, options: list[str]) -> None:
        super().__init__()
        self.options = options


class WorkloadAction(Message):
    """add / remove the current workload."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action


class ExportAction(Message):
    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action


class SwitchTabs(Tabs):
    """Tabs whose ←/→ switch the view when the key arrives (priority bindings), so keys typed right
    after go to the view then shown rather than to these tabs of the view just hidden."""

    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False, priority=True),
        Binding("right", "step(1)", "Next", show=False, priority=True),
    ]

    def index(self) -> int:
        active = self.active or ""
        return int(active.split("-")[1]) if "-" in active else 0

    async def action_step(self, step: int) -> None:
        if self.tab_count:
            await self.switch_to((self.index() + step) % self.tab_count)

    async def switch_to(self, index: int) -> None:  # pragma: no cover - per subclass
        raise NotImplementedError

    def shown(self) -> int:
        """The workload / vendor of the view these tabs belong to."""
        raise NotImplementedError  # pragma: no cover - per subclass

    def picked(self, index: int) -> Message:
        raise NotImplementedError  # pragma: no cover - per subclass

    @on(Tabs.TabActivated)
    def _activated(self, event: Tabs.TabActivated) -> None:
        """A click on another tab. Tabs also report the tab they were built or synced with, late
        (after a fast F8 F8 has moved on): that is not a pick, and would pull the view back."""
        event.stop()
        if event.tab is not None and event.tab.id:
            index = int(event.tab.id.split("-")[1])
            if index != self.shown():
                self.post_message(self.picked(index))


class WorkloadTabs(SwitchTabs):
    """Which workload the questions below are about (←/→ to switch)."""

    def __init__(self, names: list[str], active: int) -> None:
        super().__init__(*[Tab(n, id=f"wl-{i}") for i, n in enumerate(names)], active=f"wl-{active}", classes="workload-tabs")

    async def switch_to(self, index: int) -> None:
        await self.screen.pick_workload(index)  # type: ignore[attr-defined]

    def shown(self) -> int:
        view = next((a for a in self.ancestors if isinstance(a, SectionView)), None)
        return view.wi if view is not None else -1

    def picked(self, index: int) -> Message:
        return WorkloadPicked(index)



class VendorTabs(SwitchTabs):
    def __init__(self, options: list[str], active: int) -> None:
        super().__init__(*[Tab(o, id=f"vd-{i}") for i, o in enumerate(options)], active=f"vd-{active}", classes="vendor-tabs")

    async def switch_to(self, index: int) -> None:
        await self.screen.goto_vendor(index)  # type: ignore[attr-defined]

    def shown(self) -> int:
        view = next((a for a in self.ancestors if isinstance(a, SectionView)), None)
        return view.vi if view is not None else -1

    def picked(self, index: int) -> Message:
        return VendorPicked(index)



class WorkloadList(OptionList):
    """The workloads. Its keys act only while the list has focus, so they never type into a field."""

    # priority (only while the list has focus): acted on when the key arrives, so the name typed
    # right after `a` goes into the new workload's name field, not back into this list (where a
    # second `a` added another workload)
    BINDINGS = [
        Binding("a,plus,insert", "add", "Add workload", key_display="a", priority=True),
        Binding("delete,minus", "remove", "Remove workload", key_display="Del", priority=True),
    ]

    async def action_add(self) -> None:
        await self.screen.workload_action("add")  # type: ignore[attr-defined]

    async def action_remove(self) -> None:
        await self.screen.workload_action("remove")  # type: ignore[attr-defined]


class VendorPicker(TickList):
    """Which candidate vendors to score, in the order picked."""


class SectionView(Vertical):
    """The questions of one section for the current workload / vendor."""

    DEFAULT_CLASSES = "section-view"

    def __init__(self, section: Section, data: dict, *, workload: int, vendor: int, catalog: Any,
                 result: dict | None, checked: D.Checked | None, field_errors: dict) -> None:
        super().__init__(classes=f"section-view section-{section.id}")
        self.section = section
        self.data = data
        self.wi = workload
        self.vi = vendor
        self.catalog = catalog
        self.result = result
        self.checked = checked
        self.field_errors = field_errors

    # -- helpers
    def workloads(self) -> list[dict]:
        w = self.data.get("workloads")
        return w if isinstance(w, list) else []

    def names(self) -> list[str]:
        return [str(w.get("name", f"workload {i + 1}")) for i, w in enumerate(self.workloads())]

    def kind(self) -> str | None:
        w = D.get(self.data, ("workloads", self.wi))
        return w.get("kind") if isinstance(w, dict) else None

    def vendor_options(self) -> list[str]:
        v = D.get(self.data, ("workloads", self.wi, "vendors"))
        return [str(x.get("option")) for x in v] if isinstance(v, list) else []

    def compose(self) -> ComposeResult:
        s = self.section
        if s.intro:
            yield Static(s.intro, classes="section-intro")
        if s.kind == "results":
            yield ResultsView()
            return
        if s.kind == "export":
            yield from self.compose_export()
            return
        if s.kind == "workloads":
            yield Label("Workloads  (in this list: a add · Del remove; Ctrl+P → Add workload from anywhere; "
                        "edit the name below to rename)", classes="q-label")
            yield WorkloadList(*[Option(n, id=f"w{i}") for i, n in enumerate(self.names())], id="workload-list")
            with Horizontal(classes="buttons"):
                yield Button("Add workload", id="add-workload", variant="primary", compact=True)
                yield Button("Remove", id="remove-workload", variant="error", disabled=len(self.workloads()) <= 1, compact=True)
        elif s.per_workload and len(self.workloads()) > 1:
            yield WorkloadTabs(self.names(), self.wi)
        elif s.per_workload:
            yield Static(Text.assemble("Workload: ", (self.names()[0] if self.names() else "—", "bold")), classes="workload-name")
        if s.scope == "vendor":
            yield from self.compose_vendor_picker()
            options = self.vendor_options()
            if not options:
                yield Static(Text("Tick at least one vendor above to score its seven gates.", style="dim"), classes="hint")
                return
            if len(options) > 1:
                yield VendorTabs(options, self.vi)
            else:
                yield Static(Text.assemble("Scoring: ", (options[0], "bold")), classes="workload-name")
        yield from self.compose_questions()

    def compose_questions(self) -> ComposeResult:
        s = self.section
        extra = {"catalog": self.catalog, "workload_names": self.names()}
        if s.scope == "workload" or s.scope == "vendor":
            cur = D.get(self.data, ("workloads", self.wi, "profile", "current"))
            extra["exclude"] = cur
        for q in s.questions:
            if s.scope == "organization":
                loc = q.path()
                note = q.note_path()
            elif s.scope == "workload":
                loc = q.path(self.wi)
                note = q.note_path(self.wi)
            else:
                loc = q.path(self.wi, self.vi)
                note = q.note_path(self.wi, self.vi)
            field = make_field(q, loc, self.data, kind=self.kind(), note_loc=note, extra=extra)
            field.id = "q-" + q.id.replace(".", "-")
            yield field

    def compose_vendor_picker(self) -> ComposeResult:
        candidates = D.get(self.data, ("workloads", self.wi, "profile", "candidates"))
        current = D.get(self.data, ("workloads", self.wi, "profile", "current"))
        chosen = self.vendor_options()
        if isinstance(candidates, list) and candidates:
            ids = [c for c in candidates if isinstance(c, str)]
        else:
            ids = [o.id for o in self.catalog.options if o.id != current]
        ids += [c for c in chosen if c not in ids]
        labels = {o.id: option_label(o) for o in self.catalog.options}
        yield Label("Vendors to score (space ticks)", classes="q-label")
        picker = VendorPicker(*[Selection(labels.get(i, i), i, False) for i in ids], id="vendor-picker", compact=True)
        self._chosen = chosen
        yield picker

    def compose_export(self) -> ComposeResult:
        yield Static("", id="export-status")
        with Horizontal(classes="buttons"):
            yield Button("Save questionnaire  ^s", id="export-save", variant="primary", compact=True)
            yield Button("Write memo PDF  ^e", id="export-memo", variant="success", compact=True)

    def on_mount(self) -> None:
        if self.section.scope == "vendor" and self.query("#vendor-picker"):
            picker = self.query_one("#vendor-picker", VendorPicker)
            with picker.prevent(SelectionList.SelectedChanged):
                for v in self._chosen:
                    picker.select(v)
            if picker.option_count and picker.highlighted is None:
                picker.highlighted = 0
        if self.section.kind == "workloads" and self.workloads():
            ol = self.query_one("#workload-list", OptionList)
            ol.highlighted = min(self.wi, ol.option_count - 1)
        self.refresh_state(self.result, self.checked)

    # -- updates from the screen
    def refresh_state(self, result: dict | None, checked: D.Checked | None, status: str = "") -> None:
        self.result = result
        self.checked = checked
        w = workload_of(result, self.names()[self.wi] if self.wi < len(self.names()) else None)
        vendor = None
        if w is not None and self.section.scope == "vendor":
            opts = self.vendor_options()
            if self.vi < len(opts):
                vendor = next((v for v in w.get("vendors", []) if v.get("option") == opts[self.vi]), None)
        for f in self.query(QuestionField):
            problems = checked.for_field(f.loc) if checked else []
            own = self.field_errors.get(f.loc)
            missing = bool(problems) and all(p.message == D.MISSING for p in problems)
            message = own or ("; ".join(p.message for p in problems) if problems else None)
            f.show_error(message, missing=missing and not own)
            f.update_results(result, w, vendor)
        if self.section.kind == "results":
            self.query_one(ResultsView).show(result, status)

    def sync(self) -> None:
        """A cached view shown again: point its tabs / list at its own workload and vendor."""
        for tabs in self.query(WorkloadTabs):
            tabs.active = f"wl-{self.wi}"
        for tabs in self.query(VendorTabs):
            tabs.active = f"vd-{self.vi}"
        for ol in self.query("#workload-list"):
            if ol.option_count:
                ol.highlighted = min(self.wi, ol.option_count - 1)

    def set_export_status(self, text: Text | str) -> None:
        for s in self.query("#export-status"):
            s.update(text)

    # -- events
    @on(Advance)
    def _advance(self, event: Advance) -> None:
        event.stop()
        self.advance(event.field)

    def advance(self, field: QuestionField) -> None:
        """Focus the question after field (the app calls this when Enter arrives)."""
        fields = list(self.query(QuestionField))
        if field in fields:
            i = fields.index(field)
            if i + 1 < len(fields):
                fields[i + 1].focus_control()
            else:
                self.app.notify("Last question of this section: PgDn goes to the next one.", timeout=3)

    @on(OptionList.OptionHighlighted, "#workload-list")
    def _workload_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        idx = event.option_index
        if idx != self.wi and event.option_list.has_focus:  # the user moved, not a (re)build
            self.post_message(WorkloadPicked(idx))

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "add-workload":
            self.post_message(WorkloadAction("add"))
        elif bid == "remove-workload":
            self.post_message(WorkloadAction("remove"))
        elif bid == "export-save":
            self.post_message(ExportAction("save"))
        elif bid == "export-memo":
            self.post_message(ExportAction("memo"))

    @on(SelectionList.SelectedChanged, "#vendor-picker")
    def _vendors(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self.post_message(VendorsChosen(list(event.selection_list.selected)))

    def relabel_workloads(self) -> None:
        """A workload was renamed: the list shows the new name at once (the field's own change
        event stops at the field, so the screen calls this when it applies the answer)."""
        for ol in self.query("#workload-list").results(OptionList):
            for i, name in enumerate(self.names()[: ol.option_count]):
                if str(ol.get_option_at_index(i).prompt) != name:
                    ol.replace_option_prompt_at_index(i, name)
