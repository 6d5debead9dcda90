"""The interview: a Textual app that walks a team through the assessment.

``run_app(file)`` is what ``advisor`` (no arguments) and ``advisor interview
[FILE]`` call. With FILE it resumes that questionnaire (or starts a new one at
that path); without, a start screen offers a new assessment, a recent one, or
a file.
"""

from __future__ import annotations

import copy
import gc
import datetime as dt
import time
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, Tab, Tabs
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from advisor.errors import AdvisorError
from advisor.tui import draft as D
from advisor.tui.commands import InterviewCommands
from advisor.tui.compute import Computed, compute, warm_up
from advisor.tui.dialogs import ChoiceDialog, HelpScreen, PathDialog, ProblemsScreen, recovery_dialog
from advisor.tui.fields import Answered, QuestionField
from advisor.tui.results import ResultsPanel
from advisor.tui.sections import (
    ExportAction,
    SectionView,
    VendorPicked,
    VendorsChosen,
    WorkloadAction,
    WorkloadPicked,
)
from advisor.tui.session import (
    ExternalChange,
    Session,
    default_new_path,
    open_session,
    outside_root,
    preferences,
    recent_files,
    recovery_candidate,
    remember,
    save_preference,
    served_root,
)
from advisor.tui.spec import Section, load_spec

class QuietFooter(Footer):
    """A footer that rebuilds only when the bindings it shows change (not on every focus move)."""

    _signature: tuple = ()

    def bindings_changed(self, screen: Screen) -> None:
        try:
            sig = tuple(
                (b.key, b.description, enabled)
                for (_, b, enabled, _t) in screen.active_bindings.values()
                if b.show
            )
        except Exception:  # noqa: BLE001 - fall back to Textual's behaviour
            sig = ()
        if sig and sig == self._signature and self._bindings_ready:
            return
        self._signature = sig
        super().bindings_changed(screen)


WATCH_EVERY = 1.0  # seconds between looks at the file a read-only view follows
SAVE_DELAY = 0.4  # seconds from a change to the file (the promise is "within a second")
# Results: computed at once when nothing is computing; answers that arrive meanwhile are
# coalesced into one more computation when the current one finishes.
THEMES = ("textual-dark", "textual-light")


class SectionList(OptionList):
    """The sections (wide terminals). Its keys act when they arrive (priority bindings, only while
    the list has focus): Enter shows the section before the next key is routed, so text typed right
    after goes to its first question; ↑/↓ keep their order with Enter (a plain binding runs only once
    the key has bubbled up, after a priority one typed later)."""

    BINDINGS = [
        Binding("down", "cursor_down", "Down", show=False, priority=True),
        Binding("up", "cursor_up", "Up", show=False, priority=True),
        Binding("home", "first", "First", show=False, priority=True),
        Binding("end", "last", "Last", show=False, priority=True),
        Binding("enter", "open", "Open section", show=False, priority=True),
    ]

    async def action_open(self) -> None:
        if self.highlighted is not None:
            await self.screen.show_section(self.highlighted)  # type: ignore[attr-defined]


class InterviewScreen(Screen):
    """Questions on the left (or full width), results beside them (or on their own tab)."""

    def on_unmount(self) -> None:
        self.session.release()  # the file's lock (advisor/lock.py) goes with the screen

    BINDINGS = [
        Binding("pagedown,ctrl+n", "next_section", "Next", tooltip="Next section", priority=True),
        Binding("pageup", "previous_section", "Prev", tooltip="Previous section", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+e", "export", "Memo", tooltip="Write the memo PDF", priority=True),
        Binding("ctrl+r", "toggle_results", "Results", priority=True),
        # vendor gates: switch vendor without leaving the field you are in (no printing key).
        # priority: resolved when the key arrives. A plain binding runs only once the key has
        # bubbled up from the focused control, and keys typed meanwhile were already routed to
        # that control: `F8 c` answered the vendor just hidden.
        Binding("f8,alt+right", "next_vendor", "Next vendor", key_display="F8", priority=True),
        Binding("f7,alt+left", "previous_vendor", "Prev vendor", key_display="F7", priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(classes="interview")
        self.session = session
        self.sections: tuple[Section, ...] = load_spec()
        self.section_index = 0
        self.wi = 0
        self.vi = 0
        self.generation = 0
        self.applied = -1
        self.computed: Computed | None = None
        self.field_errors: dict = {}
        self._save_timer = None
        self._computing = False
        self._compute_pending = False
        self.last_memo: Path | None = None
        self._memo_started: float | None = None
        self._memo_path: Path | None = None
        self._memo_timer = None
        self.changed_at: float | None = None  # for the benchmark: when the last answer arrived
        self.panel_updated_at: float | None = None
        self._views: dict[tuple, SectionView] = {}
        self._current: SectionView | None = None
        self.structure = 0

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield Tabs(Tab("Questions", id="tab-questions"), Tab("Results", id="tab-results"), id="view-tabs")
        with Horizontal(id="main"):
            yield SectionList(*[Option(f"{i + 1:>2} {s.title}", id=s.id) for i, s in enumerate(self.sections)], id="nav")
            with Vertical(id="questions-pane"):
                yield Static("", id="section-title")
                yield VerticalScroll(id="section-body")
            yield ResultsPanel(id="panel")
        yield QuietFooter()

    async def on_mount(self) -> None:
        # Questions / Results is switched with Ctrl+R or a click, not a Tab stop where ← flips it
        self.query_one("#view-tabs", Tabs).can_focus = False
        self.update_titles()
        await self.show_section(0)
        self.kick_compute()
        if self.session.read_only:
            # another interview holds the file: follow its saves (advisor serve: the team watches)
            self._watched = self.session.signature()
            self.set_interval(WATCH_EVERY, self._follow_file)

    async def _follow_file(self) -> None:
        """Read-only: when the file changes on disk, show its answers and their results."""
        s = self.session
        if not s.read_only:
            return  # Save as… made this view an editor of another file
        if s.refresh_holder():
            self.update_titles()
        sig = s.signature()
        if sig == self._watched:
            return
        self._watched = sig
        if sig is None or s.reload() is not None:
            self.update_titles()
            return  # gone or unreadable for now: keep showing what was there
        self.field_errors.clear()
        n = len(s.workloads())
        self.wi = min(self.wi, max(n - 1, 0))
        self.title = s.organization or "New assessment"
        self.update_titles()
        self.restructure()
        body = self.query_one("#section-body", VerticalScroll)
        scrolled = body.scroll_y
        await self.show_section(self.section_index, focus="")
        self.call_after_refresh(body.scroll_to, y=scrolled, animate=False)
        self.generation += 1
        if self._computing:
            self._compute_pending = True
        else:
            self.kick_compute()

    @property
    def catalog(self):
        from advisor.catalog import load_catalog

        return load_catalog()

    def current_view(self) -> SectionView | None:
        return self._current

    def workload_name(self) -> str | None:
        names = self.session.workload_names()
        return names[self.wi] if self.wi < len(names) else None

    def update_titles(self) -> None:
        s = self.session
        self.title = s.organization or "New assessment"
        if s.read_only and s.editor_left:
            state = "read-only: its editor has closed it; reopen it to edit"
        elif s.read_only:
            state = f"read-only: open in {s.read_only}"
        elif s.last_error:
            state = f"⚠ {s.last_error}"
        elif s.last_saved:
            when = time.strftime("%H:%M:%S", time.localtime(s.last_saved))
            target = s.write_target
            # short enough for an 80-column header with the organization's name
            state = f"saved {when} → {target.name}" if not s.new else f"autosaved {when} · ^S saves {s.path.name}"
        else:
            state = s.path.name + ("  (new: Ctrl+S saves it)" if s.new else "")
        started = getattr(self, "_memo_started", None)
        if started is not None:
            state = f"writing memo … {time.monotonic() - started:.0f} s · " + state
        self.sub_title = state

    async def show_section(self, index: int, *, focus: str | tuple[str, int] = "first", rebuild: bool = False) -> None:
        """Show a section for the current workload / vendor; views are kept and reused until the
        questionnaire's structure (workloads, names, kinds, candidates, vendors) changes.

        focus: "first" (the first question), a selector, ("#field-id", n) for the n-th control of
        that question, or "" (leave focus alone). Focus moves before this returns, so a key handled
        after it goes to the view now shown; callers that navigate on a key must run in the app's
        key handling (a priority binding, a palette command), not in a worker or a later message.
        """
        index = max(0, min(index, len(self.sections) - 1))
        self.section_index = index
        section = self.sections[index]
        n = len(self.session.workloads())
        self.wi = min(self.wi, max(n - 1, 0))
        vendors = self.session.vendors(self.wi) if n else []
        self.vi = min(self.vi, max(len(vendors) - 1, 0))
        body = self.query_one("#section-body", VerticalScroll)
        result = self.computed.result if self.computed else None
        key = (section.id, self.wi if section.per_workload or section.kind == "workloads" else None,
               self.vi if section.scope == "vendor" else None, self.structure)
        view = self._views.get(key)
        if view is not None and rebuild:
            del self._views[key]
            await view.remove()
            view = None
        stale = [k for k in self._views if k[3] != self.structure]
        for k in stale:
            await self._views.pop(k).remove()
        if view is not None:
            view.sync()
        else:
            view = SectionView(section, self.session.data, workload=self.wi, vendor=self.vi, catalog=self.catalog,
                               result=result, checked=self.session.checked, field_errors=self.field_errors)
            self._views[key] = view
            await body.mount(view)
            # Long-lived widgets out of the collector's way: a full collection over thousands of
            # widgets is a 100 ms pause, felt as a stutter in the results panel while typing.
            self.call_after_refresh(gc.freeze)
        for other in self._views.values():
            other.display = other is view
        self._current = view
        self.set_class(section.kind == "results", "-results-section")
        body.scroll_home(animate=False)
        self._update_section_title()
        nav = self.query_one("#nav", OptionList)
        nav.highlighted = index
        if self.computed is not None:
            view.refresh_state(result, self.session.checked, self.computed.status)
        # Focus moves now, so keys typed right after PgDn (a script, a quick typist) go to the new
        # section rather than to a control of the one just hidden; scrolling to it waits for the
        # layout, so it is the same every time.
        target = self._focus_target(view, focus)
        if target is not None:
            self.set_focus(target, scroll_visible=False)
            self.call_after_refresh(self._focus_in, view, target, focus == "first")
        self.refresh_panel()

    def _focus_target(self, view: SectionView, focus: str | tuple[str, int]):
        if isinstance(focus, tuple):
            field_id, n = focus
            controls = [w for w in view.query(f"#{field_id} *") if w.can_focus and not w.disabled]
            if n < len(controls):
                return controls[n]
            focus = "first"
        if focus == "first":
            for f in view.query(QuestionField):
                for w in f.query("Input, ChoiceBar, Select, SelectionList"):
                    if w.can_focus and not w.disabled:
                        return w
                break
            candidates = view.query("OptionList, SelectionList, Button, Tabs")
        elif focus:
            candidates = view.query(focus)
        else:
            return None
        return next((w for w in candidates if w.can_focus and not w.disabled), None)

    def _focus_in(self, view: SectionView, target, first: bool) -> None:
        """Once laid out, scroll to the control focused by show_section, unless keys typed since
        (Tab, Enter) have moved on: focus is never pulled back."""
        if view is not self._current or self.focused is not target:
            return
        if first:
            # the first question is at the top: show the section from its start (scrolling to the
            # control before every field's height is known left it above the view at 80x24)
            body = self.query_one("#section-body", VerticalScroll)
            self.call_after_refresh(body.scroll_home, animate=False)
        else:
            target.scroll_visible(animate=False)

    def _place_of_focus(self) -> tuple[str, int] | None:
        """Where focus is in the current view, as (question id, n-th control), to keep it there
        when the same section is shown for another vendor."""
        widget = self.focused
        field = next((a for a in widget.ancestors if isinstance(a, QuestionField)), None) if widget else None
        if field is None or not field.id:
            return None
        controls = [w for w in field.query("*") if w.can_focus and not w.disabled]
        return (field.id, controls.index(widget)) if widget in controls else (field.id, 0)

    def _update_section_title(self) -> None:
        section = self.sections[self.section_index]
        title = Text.assemble((f"{self.section_index + 1}/{len(self.sections)} ", "dim"), (section.title, "bold"))
        if (section.per_workload or section.kind == "workloads") and self.workload_name():
            title.append(f"  ·  {self.workload_name()}", style="italic")
        self.query_one("#section-title", Static).update(title)

    def restructure(self) -> None:
        """The questionnaire's shape changed: cached section views are rebuilt when next shown."""
        self.structure += 1

    # ------------------------------------------------------------ navigation
    async def action_next_section(self) -> None:
        if self.section_index < len(self.sections) - 1:
            await self.show_section(self.section_index + 1)

    async def action_previous_section(self) -> None:
        if self.section_index > 0:
            await self.show_section(self.section_index - 1)

    # The palette's commands are awaited in the app's message loop (not started as workers): the
    # keys typed after choosing one wait until the section is shown and focused.
    async def goto_section(self, index: int) -> None:
        await self.show_section(index)

    async def goto_workload(self, index: int) -> None:
        self.wi = index
        self.vi = 0
        section = self.sections[self.section_index]
        target = self.section_index if section.per_workload or section.kind in ("workloads",) else self._first_workload_section()
        await self.show_section(target)


    def _first_workload_section(self) -> int:
        return next((i for i, s in enumerate(self.sections) if s.per_workload and s.kind == "questions"), 0)

    @on(OptionList.OptionSelected, "#nav")
    async def _nav(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.show_section(event.option_index)

    @on(Tabs.TabActivated, "#view-tabs")
    def _view_tab(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self.set_class(event.tab is not None and event.tab.id == "tab-results", "-show-results")

    def action_toggle_results(self) -> None:
        tabs = self.query_one("#view-tabs", Tabs)
        tabs.active = "tab-questions" if self.has_class("-show-results") else "tab-results"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_results":
            return self.app.size.width < WIDE
        if action in ("next_vendor", "previous_vendor"):
            section = self.sections[self.section_index]
            return section.scope == "vendor" and len(self.session.vendors(self.wi)) > 1
        return True

    async def action_next_vendor(self) -> None:
        await self.goto_vendor(self.vi + 1)

    async def action_previous_vendor(self) -> None:
        await self.goto_vendor(self.vi - 1)

    async def goto_vendor(self, index: int, workload: int | None = None) -> None:
        """Show the vendor gates of vendor ``index`` (wrapping round) of the current workload."""
        if workload is not None:
            self.wi = workload
        n = len(self.session.vendors(self.wi))
        if not n:
            return
        self.vi = index % n
        section = self._index_of("vendors")
        # on a gate, stay on the same gate of the next vendor: `F8 c` scores it
        same = self._place_of_focus() if self.sections[self.section_index].id == "vendors" else None
        await self.show_section(section, focus=same or (".vendor-tabs" if n > 1 else "first"))

    async def pick_workload(self, index: int) -> None:
        """The workload tabs or list moved to workload ``index``: this section, for it."""
        if index == self.wi:
            return
        self.wi = index
        self.vi = 0
        section = self.sections[self.section_index]
        focus = "#workload-list" if section.kind == "workloads" else ".workload-tabs"
        await self.show_section(self.section_index, focus=focus)

    @on(WorkloadPicked)
    async def _workload_picked(self, event: WorkloadPicked) -> None:
        event.stop()
        await self.pick_workload(event.index)

    @on(VendorPicked)
    async def _vendor_picked(self, event: VendorPicked) -> None:
        event.stop()
        if event.index != self.vi:
            self.vi = event.index
            await self.show_section(self.section_index, focus=".vendor-tabs")

    # ------------------------------------------------------------ answers
    @on(Answered)
    def _answered(self, m: Answered) -> None:
        m.stop()
        s = self.session
        data = s.data
        before = copy.deepcopy(D.get(data, m.loc))
        if m.numeric:
            D.set_answer(data, m.loc, m.value, confidence=m.confidence, note=m.note or "")
        elif m.value is None:
            D.remove(data, m.loc)
        else:
            D.put(data, m.loc, m.value)
        if m.error:
            self.field_errors[m.loc] = m.error
        else:
            self.field_errors.pop(m.loc, None)
        after = D.get(data, m.loc)
        if D.same(after, before):
            if before is not None:
                D.put(data, m.loc, before)  # keep 0.0 as written rather than 0
            return
        if len(m.loc) == 3 and m.loc[0] == "workloads" and m.loc[2] == "name":
            s.rename_workload(m.loc[1], before, after)
            self.restructure()
            self._update_section_title()
            view = self.current_view()
            if view is not None:
                view.relabel_workloads()
        elif m.loc[-1:] in (("kind",), ("current",), ("candidates",)) and m.loc[:1] == ("workloads",):
            self.restructure()
        if m.loc == ("organization",):
            self.title = s.organization or "New assessment"
        self.changed()

    def changed(self) -> None:
        """Something in the answers changed: save within a second, recompute shortly."""
        self.session.dirty = True
        self.generation += 1
        self.changed_at = time.perf_counter()
        if self._save_timer is None:
            self._save_timer = self.set_timer(SAVE_DELAY, self._timed_flush)
        if self._computing:
            self._compute_pending = True
        else:
            self.kick_compute()

    def _timed_flush(self) -> None:
        self._save_timer = None
        self.flush()

    def _external_change(self) -> None:
        """The file changed on disk since this interview read or wrote it (another editor,
        a git pull): never save over it silently; ask once (issue 13 item 4)."""
        if getattr(self, "_asking_external", False):
            return
        self._asking_external = True
        s = self.session

        async def done(choice: str | None) -> None:
            self._asking_external = False
            if choice == "reload":
                if s.reload() is None:
                    self.field_errors.clear()
                    s.last_error = None
                    self.restructure()
                    await self.show_section(self.section_index, focus="")
                    self.notify(f"Reloaded {s.path.name} as it is on disk.", timeout=6)
                self.update_titles()
            elif choice == "saveas":
                self.action_save_as()
            elif choice == "overwrite":
                s.save(force=True)
                s.last_error = None
                self.notify(f"Saved your answers over {s.path.name}.", timeout=6)
                self.update_titles()

        self.app.push_screen(ChoiceDialog(
            "The file changed on disk",
            f"{s.path.name} was changed outside this interview since it was opened here (another editor, "
            "a git pull). Reload it (answers typed here since the last save are dropped), save yours to a "
            "new file, or overwrite it with yours.",
            [("reload", "Reload", "primary"), ("saveas", "Save as…", "default"), ("overwrite", "Overwrite", "error")]), done)

    def flush(self) -> bool:
        """Write pending answers now. Returns False if they could not be written anywhere."""
        s = self.session
        if not s.dirty or s.read_only:
            return True  # read-only: nothing is written until Save as… picks another file
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        s.recheck()
        self._apply_field_errors_to_session()
        try:
            s.write()
        except ExternalChange:
            s.last_error = f"{s.path.name} changed on disk; not saved over it"
            self._external_change()
            self.update_titles()
            return False
        except OSError as exc:
            s.last_error = f"cannot save: {exc}"
            self.notify(f"Cannot save the answers: {exc}", severity="error", timeout=10)
            self._save_timer = self.set_timer(2.0, self._timed_flush)
            self.update_titles()
            return False
        if s.last_error:
            self.notify(f"{s.last_error}; answers went to {s.autosave.name}", severity="warning", timeout=8)
        self.update_titles()
        return True

    def _apply_field_errors_to_session(self) -> None:
        self.session.field_errors = dict(self.field_errors)

    def kick_compute(self) -> None:
        self._computing = True
        self._compute_pending = False
        snapshot = copy.deepcopy(self.session.data)
        self.run_worker(
            partial(compute, snapshot, str(self.session.path), self.generation),
            thread=True, group="compute", exit_on_error=False,
        )

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        w = event.worker
        if w.group == "compute" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._computing = False
            if event.state == WorkerState.SUCCESS:
                c: Computed = w.result  # type: ignore[assignment]
                if c.generation >= self.applied:
                    self.apply(c)
            elif event.state == WorkerState.ERROR:
                self.query_one(ResultsPanel).show(None, None, f"could not compute: {w.error}")
            if self._compute_pending:
                self.kick_compute()
        elif w.group == "memo" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._memo_done(w)

    def apply(self, c: Computed) -> None:
        self.applied = c.generation
        self.computed = c
        self.session.checked = c.checked
        self.refresh_panel()
        view = self.current_view()
        if view is not None:
            view.refresh_state(c.result, c.checked, c.status)

    def refresh_panel(self) -> None:
        c = self.computed
        if c is None:
            return
        self.query_one(ResultsPanel).show(c.result, self.workload_name(), c.status)
        self.panel_updated_at = time.perf_counter()

    # ------------------------------------------------------------ workloads & vendors
    @on(WorkloadAction)
    async def _workload_action(self, event: WorkloadAction) -> None:
        event.stop()
        await self.workload_action(event.action)

    async def workload_action(self, action: str) -> None:
        s = self.session
        if action == "add":
            self.wi = s.add_workload()
            self.restructure()
            self.changed()
            # awaited: the name typed right after `a` goes into the new workload's name
            await self.show_section(self._index_of("workloads"), focus="#q-name Input")
        elif action == "remove":
            if len(s.workloads()) <= 1:
                self.notify("A questionnaire needs at least one workload.", severity="warning")
                return
            name = s.workload_names()[self.wi]

            async def done(choice: str | None) -> None:
                if choice == "remove":
                    s.remove_workload(self.wi)
                    self.wi = max(0, self.wi - 1)
                    self.restructure()
                    self.changed()
                    await self.show_section(self.section_index, focus="#workload-list")

            self.app.push_screen(ChoiceDialog("Remove workload", f"Remove '{name}' and all its answers?", [("remove", "Remove", "error"), ("keep", "Keep", "primary")]), done)

    def _index_of(self, section_id: str) -> int:
        return next(i for i, s in enumerate(self.sections) if s.id == section_id)

    @on(VendorsChosen)
    async def _vendors_chosen(self, event: VendorsChosen) -> None:
        event.stop()
        before = [v.get("option") for v in self.session.vendors(self.wi)]
        if before == event.options:
            return
        self.session.set_vendor_picks(self.wi, event.options)
        self.vi = max(0, len(event.options) - 1) if len(event.options) > len(before) else 0
        view = self.current_view()
        picker = view.query("#vendor-picker") if view else []
        highlighted = picker.first().highlighted if picker else None
        self.restructure()
        self.changed()
        await self.show_section(self.section_index, focus="#vendor-picker")
        view = self.current_view()
        picker = view.query("#vendor-picker") if view else []
        if picker and highlighted is not None:
            picker.first().highlighted = highlighted

    # ------------------------------------------------------------ save & export
    @on(ExportAction)
    def _export_action(self, event: ExportAction) -> None:
        event.stop()
        if event.action == "save":
            self.action_save()
        else:
            self.action_export()

    def action_save(self) -> None:
        s = self.session
        s.recheck()
        self._apply_field_errors_to_session()
        try:
            path = s.save()
        except ExternalChange:
            self._external_change()
            return
        except OSError as exc:
            self.notify(f"Cannot save {s.path}: {exc}", severity="error", timeout=10)
            return
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        bad = sum(1 for p in s.checked.problems if p.message != D.MISSING)
        msg = f"Saved {path}"
        if bad:
            msg += f" ({bad} invalid answer{'s' if bad != 1 else ''} kept with a comment)"
        self.notify(msg, timeout=6)
        self._export_status(Text(msg))
        self.update_titles()

    def action_save_as(self) -> None:
        def done(path: Path | None) -> None:
            if path is not None and not self.app.refused(path):  # type: ignore[attr-defined]
                self.session.save(path)
                self.notify(f"Saved {path}")
                self.update_titles()

        self.app.push_screen(PathDialog("Save the questionnaire as", str(self.session.path), button="Save"), done)

    def action_export(self) -> None:
        p = self.session.path
        stem = p.name[: -len(p.suffix)] if p.suffix else p.name
        default = p.with_name(f"{stem}-memo.pdf")
        self.app.push_screen(PathDialog("Write the memo PDF to", str(default), button="Write memo"), self._export_to)

    def _export_to(self, path: Path | None) -> None:
        """Render the memo in a worker thread; the interview stays usable and shows the time it has
        taken so far (WeasyPrint takes seconds to tens of seconds)."""
        if path is None or self.app.refused(path):  # type: ignore[attr-defined]
            return
        if self._memo_started is not None:
            self.notify("A memo is being written already.", severity="warning")
            return
        self.flush()
        snapshot = copy.deepcopy(self.session.data)
        self._memo_path = path
        self._memo_started = time.monotonic()
        self._memo_tick()
        self._memo_timer = self.set_interval(1.0, self._memo_tick)
        self.notify(f"Writing the memo to {path} in the background; keep answering.", title="Export", timeout=4)
        self.run_worker(partial(render_memo, snapshot, str(self.session.path), path), thread=True, group="memo", exit_on_error=False)

    def _memo_tick(self) -> None:
        if self._memo_started is None:
            return
        elapsed = time.monotonic() - self._memo_started
        self._export_status(Text(f"Writing the memo to {self._memo_path} … {elapsed:.0f} s", style="italic"))
        self.update_titles()

    def _memo_done(self, w: Worker) -> None:
        if self._memo_timer is not None:
            self._memo_timer.stop()
            self._memo_timer = None
        elapsed = time.monotonic() - (self._memo_started or time.monotonic())
        self._memo_started = None
        self.update_titles()
        if w.state == WorkerState.ERROR:
            ok, message = False, f"The memo could not be written: {w.error}"
        else:
            ok, message = w.result  # type: ignore[misc]
        if ok:
            self.last_memo = Path(message)
            self.app.memo_written = Path(message)  # type: ignore[attr-defined]
            if self.app.is_web:
                # `advisor serve`: the file is on the server; the visitor's browser downloads it
                self._deliver_memo(self.last_memo)
                text = (f"Memo written to {message} in {elapsed:.0f} s; your browser is downloading it. "
                        "Ctrl+P → Open the memo downloads it again.")
            else:
                text = f"Memo written to {message} in {elapsed:.0f} s. Ctrl+P → Open the memo."
            self.notify(text, title="Export", timeout=10)
            self._export_status(Text(text, style="bold green"))
        else:
            self.notify(message, title="Export", severity="error", timeout=12)
            self._export_status(Text(message, style="bold red"))

    def action_open_memo(self) -> None:
        """Open the last memo with the system's viewer (in a browser session: download it)."""
        if self.last_memo is None or not self.last_memo.exists():
            self.notify("No memo written in this session yet (Ctrl+E writes one).", severity="warning")
            return
        if self.app.is_web:
            self._deliver_memo(self.last_memo)
            return
        try:
            self.app.open_url(self.last_memo.resolve().as_uri())
        except Exception as exc:  # noqa: BLE001 - no viewer: say where the file is
            self.notify(f"Cannot open it here ({exc}); it is at {self.last_memo}", severity="warning", timeout=10)

    def _deliver_memo(self, path: Path) -> None:
        """Send the memo to the browser as a download (Textual's delivery through textual-serve)."""
        try:
            self.app.deliver_binary(path, save_filename=path.name, mime_type="application/pdf")
        except Exception as exc:  # noqa: BLE001 - the memo is written either way: say where
            self.notify(f"Cannot send the memo to your browser ({exc}); it is at {path} on the server.",
                        severity="warning", timeout=10)

    def _export_status(self, text: Text) -> None:
        view = self.current_view()
        if view is not None:
            view.set_export_status(text)


def render_memo(data: dict, source: str, path: Path) -> tuple[bool, str]:
    """Worker thread: assess the answers and write the memo. Returns (ok, path or message)."""
    try:
        from advisor.report.memo import write_memo
    except ImportError as exc:
        return False, f"memo export is not available in this installation ({exc})"
    c = compute(data, source)
    if c.assessment is None:
        return False, "not enough valid answers to write a memo yet: " + (c.status or "answer the required questions (marked *)")
    try:
        write_memo(c.assessment, Path(path))
    except AdvisorError as exc:
        return False, "; ".join(str(p) for p in exc.problems)
    except OSError as exc:
        return False, f"cannot write {path}: {exc.strerror or exc}"
    return True, str(path)


WIDE = 120


class StartScreen(Screen):
    """New assessment, a recent one, or a file."""

    BINDINGS = [Binding("n", "new", "New"), Binding("o", "open", "Open file")]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Vertical(id="start"):
            yield Static(Text.assemble(("Where should your AI inference run?", "bold"), "\n",
                                       ("An interview built on the inference field guide: the three migration gates, "
                                        "migration complexity, vendor gates and the staged playbook.", "dim")), id="start-intro")
            options = [Option("New assessment…", id="new"), Option("Open a file…", id="open")]
            recent = [r for r in recent_files() if Path(r["path"]).exists() or Path(r["path"]).with_name(Path(r["path"]).stem + ".autosave.yaml").exists()]
            # a served interview offers only files in the folder it shares (the list is this
            # machine's user's, and names files elsewhere)
            recent = [r for r in recent if outside_root(Path(r["path"])) is None]
            if recent:
                options.append(None)  # separator
                for i, r in enumerate(recent):
                    org = f"{r['organization']} — " if r.get("organization") else ""
                    options.append(Option(Text.assemble("Resume ", (org, "bold"), r["path"], (f"  {r.get('opened', '')}", "dim")), id=f"recent-{i}"))
            self._recent = recent
            yield OptionList(*options, id="start-options")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.title = "advisor"
        self.sub_title = "decide where to run AI inference"
        self.query_one("#start-options").focus()

    @on(OptionList.OptionSelected, "#start-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid == "new":
            self.action_new()
        elif oid == "open":
            self.action_open()
        elif oid.startswith("recent-"):
            self.app.open_path(Path(self._recent[int(oid.split("-")[1])]["path"]))  # type: ignore[attr-defined]

    def action_new(self) -> None:
        def done(path: Path | None) -> None:
            if path is not None:
                self.app.open_path(path)  # type: ignore[attr-defined]

        self.app.push_screen(PathDialog("Save the new assessment as", str(default_new_path()), button="Start"), done)

    def action_open(self) -> None:
        def done(path: Path | None) -> None:
            if path is not None:
                self.app.open_path(path)  # type: ignore[attr-defined]

        self.app.push_screen(PathDialog("Open a questionnaire", str(served_root() or Path.cwd()) + "/", must_exist=True, button="Open",
                                        browse=True), done)


class AdvisorApp(App[None]):
    """advisor's interview."""

    CSS_PATH = "app.tcss"
    TITLE = "advisor"
    COMMANDS = App.COMMANDS | {InterviewCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide"), (150, "-xwide")]
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        # Focus moves when Tab arrives, not when it has bubbled up from the focused widget: keys
        # typed right after a Tab (a paste, a script, a quick typist) go to the next field.
        Binding("tab", "focus_next", "Next field", priority=True, show=False),
        Binding("shift+tab", "focus_previous", "Previous field", priority=True, show=False),
        # Enter in an answer moves to the next question when it arrives, for the same reason
        Binding("enter", "enter_field", "Next question", priority=True, show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter_field":
            from advisor.tui.fields import AnswerInput, ChoiceBar

            return isinstance(self.focused, (AnswerInput, ChoiceBar))
        return True

    def action_enter_field(self) -> None:
        from advisor.tui.fields import ChoiceBar, QuestionField
        from advisor.tui.sections import SectionView

        widget = self.focused
        if isinstance(widget, ChoiceBar):
            widget.pick_if_unanswered()
        field = next((a for a in widget.ancestors if isinstance(a, QuestionField)), None) if widget else None
        view = next((a for a in field.ancestors if isinstance(a, SectionView)), None) if field else None
        if view is None:
            if isinstance(widget, ChoiceBar):
                self.screen.focus_next()
            else:
                widget.post_message(widget.Submitted(widget, widget.value))  # type: ignore[union-attr]
            return
        view.advance(field)

    def __init__(self, file: str | Path | None = None, *, watch_css: bool = False) -> None:
        super().__init__(watch_css=watch_css)
        self.file = Path(file).expanduser() if file else None
        self.memo_written: Path | None = None
        self.saved_to: Path | None = None

    def on_mount(self) -> None:
        theme = preferences().get("theme")
        self.theme = theme if theme in self.available_themes else THEMES[0]
        self.run_worker(warm_up, thread=True, group="warmup", exit_on_error=False)
        if self.file is not None:
            self.open_path(self.file.resolve())
        else:
            self.push_screen(StartScreen())

    def _handle_exception(self, error: Exception) -> None:
        """A bug is about to end the app: write what was answered first."""
        screen = self.interview
        if screen is not None and screen.session.dirty:
            try:
                screen.session.recheck()
                screen.session.write()
            except Exception:  # noqa: BLE001 - never mask the original error
                pass
        super()._handle_exception(error)

    @property
    def interview(self) -> InterviewScreen | None:
        for s in reversed(self.screen_stack):
            if isinstance(s, InterviewScreen):
                return s
        return None

    def refused(self, path: Path) -> bool:
        """A served interview (`advisor serve --root`) opens and writes files only in its folder:
        anything else is refused, and said so. The dialogs refuse first; this is the last check."""
        why = outside_root(path)
        if why:
            self.notify(why, title="Not in the shared folder", severity="error", timeout=10)
        return why is not None

    def open_path(self, path: Path) -> None:
        if self.refused(path):
            if not isinstance(self.screen, StartScreen):
                self.push_screen(StartScreen())
            return
        path = path.resolve()
        auto = recovery_candidate(path)
        if auto is not None:
            self.push_screen(recovery_dialog(path, auto), lambda choice: self._open(path, choice, auto))
        else:
            self._open(path, None, None)

    def _open(self, path: Path, choice: str | None, auto: Path | None) -> None:
        if choice == "discard" and auto is not None:
            try:
                auto.unlink()
            except OSError:
                pass
        try:
            session, opened = open_session(path, recover=choice == "recover")
        except AdvisorError as exc:
            if not isinstance(self.screen, StartScreen):
                self.push_screen(StartScreen())
            self.push_screen(ProblemsScreen(f"Cannot open {path.name}", exc.problems,
                                            "The file was not changed. Fix it in an editor (advisor validate shows the same list), or start a new assessment."))
            return
        screen = InterviewScreen(session)
        if session.read_only:
            self.notify(f"{path.name} is open in {session.read_only}: this view is read-only. "
                        "Save as… (Ctrl+P) keeps your own copy.", title="Read-only", severity="warning", timeout=12)
        if isinstance(self.screen, StartScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if choice == "recover":
            screen.session.dirty = True
            self.call_after_refresh(screen.changed)
            self.notify(f"Recovered the answers from {auto.name if auto else 'the autosave'}.", timeout=6)
        problems = [p for p in opened.problems if p.message != D.MISSING]  # unanswered questions are not errors
        if problems:
            self.push_screen(ProblemsScreen(
                f"{path.name} has {len(problems)} problem{'s' if len(problems) != 1 else ''}", problems,
                "The answers are kept as written and each problem is shown at its question."))
        remember(path, session.organization)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]
        save_preference("theme", self.theme)

    async def action_quit(self, force: bool = False) -> None:
        screen = self.interview
        if screen is None:
            self.exit()
            return
        if not force and not screen.flush():
            if getattr(screen, "_asking_external", False):
                return  # the changed-on-disk question is on screen: answer it first
            # The answers cannot be written (a read-only folder, a full disk): never a
            # dead Ctrl+Q. Offer another file, or quitting with the loss said plainly.
            s = screen.session

            def cannot_save(choice: str | None) -> None:
                if choice == "saveas":
                    screen.action_save_as()
                elif choice == "quit":
                    self.call_later(self.action_quit, True)

            self.push_screen(ChoiceDialog(
                "The answers cannot be saved",
                f"{s.last_error or 'The file cannot be written'}. Save them to another file, or quit and lose "
                "the answers since the last save.",
                [("saveas", "Save as…", "primary"), ("quit", "Quit without saving", "error"), ("stay", "Keep working", "default")]),
                cannot_save)
            return
        if screen._memo_started is not None and not force:
            async def done(choice: str | None) -> None:
                if choice == "quit":
                    await self.action_quit(force=True)

            self.push_screen(ChoiceDialog(
                "The memo is still being written",
                f"It has been {time.monotonic() - screen._memo_started:.0f} s. Quitting now leaves no memo "
                "(the answers are saved either way).",
                [("wait", "Keep working", "primary"), ("quit", "Quit anyway", "error")]), done)
            return
        s = screen.session
        if s.new:
            def done(choice: str | None) -> None:
                if choice == "save":
                    screen.action_save()
                    self.saved_to = s.path
                    self.exit()
                elif choice == "quit":
                    self.saved_to = s.autosave if s.autosave.exists() else None
                    self.exit()

            self.push_screen(ChoiceDialog(
                "Save before quitting?",
                f"This assessment has not been saved to {s.path.name} yet. Its answers are in {s.autosave.name}, "
                "which is offered for recovery next time.",
                [("save", f"Save {s.path.name}", "primary"), ("quit", "Quit", "default"), ("cancel", "Cancel", "default")]), done)
            return
        self.saved_to = s.path
        self.exit()


def run_app(file: str | None = None) -> None:
    """Run the interview in this terminal; print where things were saved afterwards."""
    app = AdvisorApp(file)
    app.run()
    if app.saved_to is not None:
        print(f"Answers saved to {app.saved_to}")
    if app.memo_written is not None:
        print(f"Memo written to {app.memo_written}")
