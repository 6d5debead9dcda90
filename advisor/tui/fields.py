"""One widget per question type, built from the interview spec.

Fields never touch the questionnaire: they post :class:`Answered` with the
model path and the new value, and the screen applies it. What a user typed is
kept in the field even when it is invalid; the error shows under it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from advisor.tui import draft as D
from advisor.tui.spec import CONFIDENCE, Choice, Question, default_for, format_default, format_value, parse_text

Loc = tuple[str | int, ...]


class Advance(Message):
    """Move on to the next question (Enter in a text box, a letter that picks a choice)."""

    def __init__(self, field: "QuestionField") -> None:
        super().__init__()
        self.field = field


class Answered(Message):
    """A question's answer changed (value None: cleared)."""

    def __init__(self, loc: Loc, value: Any, *, numeric: bool = False, confidence: str | None = None,
                 note: str | None = None, error: str | None = None) -> None:
        super().__init__()
        self.loc = loc
        self.value = value
        self.numeric = numeric
        self.confidence = confidence
        self.note = note
        self.error = error


# ---------------------------------------------------------------- a choice control


class ChoiceBar(Widget, can_focus=True):
    """Pick one of a few options: arrows move, Enter/Space picks, a letter picks directly, Delete clears."""

    BINDINGS = [
        Binding("left,up", "move(-1)", "Previous", show=False),
        Binding("right,down", "move(1)", "Next", show=False),
        Binding("space", "pick", "Pick", show=False),
        Binding("enter", "pick_and_advance", "Pick and go on", show=False),
        Binding("delete,backspace", "clear", "Clear answer", show=False),
    ]

    value: reactive[Any] = reactive(None, always_update=True)
    cursor: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, bar: "ChoiceBar", value: Any) -> None:
            super().__init__()
            self.bar = bar
            self.value = value

        @property
        def control(self) -> "ChoiceBar":
            return self.bar

    def __init__(self, choices: tuple[Choice, ...], value: Any = None, *, stacked: bool = False,
                 default: Any = None, compact: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.compact = compact
        self.choices = choices
        self.stacked = stacked
        self.default = default
        self._spans: list[tuple[int, int]] = []
        self.set_reactive(ChoiceBar.value, value)
        index = self._index(value)
        if index is None:
            index = self._index(default)
        self.set_reactive(ChoiceBar.cursor, index or 0)
        keys = []
        for c in choices:
            key = (c.key or str(c.label)[:1]).lower()
            keys.append(key)
        self._keys = keys

    def _index(self, value: Any) -> int | None:
        for i, c in enumerate(self.choices):
            if c.value == value and type(c.value) is type(value):
                return i
        return None

    def _choice_text(self, i: int, c: Choice, focused: bool, chosen: int | None, default: int | None) -> Text:
        mark = "●" if i == chosen else ("◌" if i == default else "○")
        style = "bold" if i == chosen else ""
        if focused and i == self.cursor:
            style += " reverse"
        if self.stacked:
            t = Text(f" {mark} {c.label} ", style=style.strip())
            if c.description:
                t.append(f" {c.description}", style="dim" if i != chosen else "")
            return t
        return Text(f"{mark} {c.label}" if self.compact else f" {mark} {c.label} ", style=style.strip())

    def _stacked_lines(self, width: int) -> list[tuple[int, Text]]:
        """Each stacked choice wrapped to width (continuation lines indented under its label):
        (choice index, line). A long description never hides the choices after it."""
        focused = self.has_focus
        chosen = self._index(self.value)
        default = self._index(self.default) if chosen is None else None
        console = self.app.console
        out: list[tuple[int, Text]] = []
        for i, c in enumerate(self.choices):
            t = self._choice_text(i, c, focused, chosen, default)
            indent = 4
            lines = t.wrap(console, max(width - indent, 8))
            for n, line in enumerate(lines):
                out.append((i, Text(" " * indent) + line if n else line))
        return out

    def render(self) -> Text:
        if self.stacked:
            width = self.content_size.width or 80
            lines = self._stacked_lines(width)
            self._line_choice = [i for i, _ in lines]
            return Text("\n").join(line for _, line in lines)
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        focused = self.has_focus
        chosen = self._index(self.value)
        default = self._index(self.default) if chosen is None else None
        for i, c in enumerate(self.choices):
            if i:
                text.append(" " if self.compact else "  ")
            start = len(text)
            text.append_text(self._choice_text(i, c, focused, chosen, default))
            self._spans.append((start, len(text)))
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._stacked_lines(width)) if self.stacked else 1

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.choices)
        self._moved = True

    def action_pick(self) -> None:
        self._set(self.choices[self.cursor].value)

    def action_clear(self) -> None:
        self._set(None)

    def pick_if_unanswered(self) -> None:
        """Enter: pick the choice the arrows moved to, if any (the app then moves on to the next
        question). Enter alone leaves an unanswered choice unanswered: its default or pre-fill holds."""
        if getattr(self, "_moved", False) and self._index(self.value) != self.cursor:
            self._set(self.choices[self.cursor].value)

    def action_pick_and_advance(self) -> None:
        self.pick_if_unanswered()
        self.screen.focus_next()

    def _set(self, value: Any) -> None:
        self._moved = False
        self.value = value
        i = self._index(value)
        if i is not None:
            self.cursor = i
        self.refresh()
        self.post_message(self.Changed(self, value))

    class Picked(Message):
        """A choice was picked with its letter: the field moves on."""

        def __init__(self, bar: "ChoiceBar") -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> "ChoiceBar":
            return self.bar

    def on_key(self, event) -> None:
        ch = (event.character or "").lower()
        if ch and ch in self._keys and event.key not in ("space",):
            event.stop()
            event.prevent_default()
            self._set(self.choices[self._keys.index(ch)].value)
            self.post_message(self.Picked(self))

    def on_click(self, event: Click) -> None:
        if self.stacked:
            lines = getattr(self, "_line_choice", [])
            i = lines[event.y] if 0 <= event.y < len(lines) else None
        else:
            x = event.x
            i = next((n for n, (a, b) in enumerate(self._spans) if a <= x < b), None)
        if i is not None and 0 <= i < len(self.choices):
            self.cursor = i
            self._set(self.choices[i].value)


# ---------------------------------------------------------------- question fields


class AnswerInput(Input):
    """An Input whose own editing keys (Ctrl+U, End, Home, Ctrl+W, …) act in the order typed.

    Textual runs a widget's key bindings only after the key has bubbled up to the app, while
    printable keys are inserted at once: in a fast burst (a paste, a script, a quick typist)
    ``End Ctrl+U 2 5`` became ``2``, ``25``, then Ctrl+U cleared it, and the answer saved was
    empty. Running this widget's own bindings when the key arrives keeps the keys in order.
    """

    async def _on_key(self, event) -> None:
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, []):
                if binding.priority:
                    continue
                event.stop()
                event.prevent_default()
                self._restart_blink()
                await self.run_action(binding.action)
                return
        await super()._on_key(event)


class TickList(SelectionList):
    """A SelectionList whose unticked boxes are empty (Textual draws ▐X▌ for both, told apart only
    by colour, which is lost in monochrome terminals and screenshots)."""

    def render_line(self, y: int):
        from rich.segment import Segment
        from textual.strip import Strip
        from textual.widgets._toggle_button import ToggleButton
        from textual.widgets.option_list import OptionDoesNotExist

        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if selection.value in self._selected:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            segments[1] = Segment(" " * len(ToggleButton.BUTTON_INNER), segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip


def built(inp: Input) -> Input:
    """Remember what an Input was built with: its first Changed event reports that, not an edit."""
    inp.__dict__["_built_with"] = inp.value
    return inp


class QuestionField(Vertical):
    """Label, help, the control(s), and an error line. Subclasses per input type."""

    DEFAULT_CLASSES = "question"

    def __init__(self, question: Question, loc: Loc, data: dict, *, kind: str | None = None,
                 note_loc: Loc | None = None, extra: dict | None = None) -> None:
        super().__init__(classes=f"question -{question.type}")
        self.question = question
        self.loc = loc
        self.note_loc = note_loc
        self.kind = kind
        self.stored = D.get(data, loc)
        self.extra = extra or {}
        self.data = data
        self.own_error: str | None = None

    def label_text(self) -> Text:
        """Label, help and the default in one block of text (fewer widgets: faster sections)."""
        q = self.question
        t = Text(q.label, style="bold")
        if q.required:
            t.append(" *", style="bold red")
        if q.help:
            t.append("\n" + q.help, style="dim")
        hint = self.default_hint()
        if hint:
            t.append("\n" + hint, style="dim italic")
        return t

    def compose(self) -> ComposeResult:
        yield Static(self.label_text(), classes="q-text")
        yield from self.compose_control()
        yield Static("", classes="q-error -empty")

    def compose_control(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    def default_hint(self) -> str:
        return ""

    def default(self) -> tuple[Any, str] | None:
        return default_for(self.question, self.kind)

    def show_error(self, message: str | None, *, missing: bool = False) -> None:
        message = self.own_error or message
        state = (message, missing)
        if state == getattr(self, "_shown", None):
            return
        self._shown = state
        err = self.query_one(".q-error", Static)
        if message:
            err.update(Text("⚠ " + message) if not missing else Text("required"))
            err.remove_class("-empty")
            err.set_class(missing and not self.own_error, "-missing")
            self.add_class("-invalid")
        else:
            err.update("")
            err.add_class("-empty")
            self.remove_class("-invalid")

    def focus_control(self) -> None:
        """Focus this question's first control, scrolling only if it is out of view."""
        for w in self.query("Input, ChoiceBar, Select, SelectionList"):
            if w.focusable:
                # at once, not via call_later as Widget.focus does: keys typed after Enter go here
                self.screen.set_focus(w, scroll_visible=False)
                w.scroll_visible(animate=False)
                return

    def update_results(self, result: dict | None, workload: dict | None, vendor: dict | None) -> None:
        pass

    def typed(self, event: Input.Changed) -> bool:
        """True for a change the user made (not the Input reporting the value it was built with)."""
        seen = self.__dict__.setdefault("_seen", {})
        key = id(event.input)
        if key not in seen:
            seen[key] = True
            if event.value == event.input.__dict__.get("_built_with", event.value):
                return False
        return True

    def answer(self, message: Answered) -> None:
        """Tell the screen (straight to it: bubbling through every container costs a message hop each)."""
        self.screen.post_message(message)

    @on(ChoiceBar.Picked)
    def _picked(self, event: ChoiceBar.Picked) -> None:
        """A letter picked a choice: focus stays here, so the next key cannot land in (and replace)
        the next question's text. Tab or Enter moves on."""
        event.stop()


class TextField(QuestionField):
    """Text, dates and numbers typed into an Input; numbers may carry a confidence and a note."""

    def compose_control(self) -> ComposeResult:
        q = self.question
        value, confidence, note = D.answer_parts(self.stored)
        text = format_value(q, value)
        if text and q.type not in ("text",):
            _, self.own_error = parse_text(q, text)
        placeholder = ""
        d = self.default()
        if d is not None and q.type in ("number", "percent"):
            placeholder = f"{format_default(q, d[0])} default"
        elif q.type == "date":
            placeholder = "YYYY-MM-DD"
        with Horizontal(classes="q-row"):
            yield built(AnswerInput(text, placeholder=placeholder, classes="q-input", compact=True))
            unit = "%" if q.type == "percent" else ""
            unit = (unit + " " + q.unit).strip()
            if unit:
                yield Static(unit, classes="q-unit")
            if q.answer:
                yield ChoiceBar(tuple(Choice(c, c, "", c[0]) for c in CONFIDENCE), confidence, compact=True, classes="q-confidence")
        if q.answer:
            # its own row: the whole width for where the number comes from (beside the value it
            # had about 14 columns at 80x24)
            with Horizontal(classes="q-row q-note-row"):
                yield Static("source", classes="q-unit")
                yield built(AnswerInput(note, placeholder="where this number comes from", classes="q-note", compact=True))

    def default_hint(self) -> str:
        d = self.default()
        if d is None or self.question.type not in ("number", "percent"):
            return ""
        return f"Default {format_default(self.question, d[0])} ({d[1]}), counted as assumed."

    def on_mount(self) -> None:
        if self.own_error:
            self.show_error(None)

    def _emit(self) -> None:
        q = self.question
        text = self.query_one(".q-input", Input).value
        value, err = parse_text(q, text)
        self.own_error = err
        self.show_error(None)
        if q.answer:
            conf = self.query_one(".q-confidence", ChoiceBar).value or "assumed"
            note = self.query_one(".q-note", Input).value.strip()
            self.answer(Answered(self.loc, value, numeric=True, confidence=conf, note=note, error=err))
        else:
            self.answer(Answered(self.loc, value, error=err))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.typed(event):
            self._emit()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(Advance(self))

    @on(ChoiceBar.Changed)
    def _confidence(self, event: ChoiceBar.Changed) -> None:
        event.stop()
        self._emit()


class ChoiceField(QuestionField):
    """Choices and yes/no."""

    def compose_control(self) -> ComposeResult:
        q = self.question
        d = self.default()
        yield ChoiceBar(q.choices, self.stored, stacked=q.layout == "stacked", default=d[0] if d else None, classes="q-choice")

    def default_hint(self) -> str:
        d = self.default()
        keys = " ".join(f"{(c.key or c.label[:1]).lower()}={c.label}" for c in self.question.choices)
        hint = f"Keys: {keys}, Del clears."
        if d is not None:
            origin = f" ({d[1]})" if d[1] != "default" else ""
            hint = f"Default {format_default(self.question, d[0])}{origin} when unanswered. " + hint
        return hint

    @on(ChoiceBar.Changed)
    def _changed(self, event: ChoiceBar.Changed) -> None:
        event.stop()
        self.answer(Answered(self.loc, event.value))


class VerdictField(QuestionField):
    """A vendor gate: Pass / Conditional / Fail, the pre-filled verdict, and a note."""

    def compose_control(self) -> ComposeResult:
        note = D.get(self.data, self.note_loc) if self.note_loc else None
        with Horizontal(classes="q-row"):
            yield ChoiceBar(self.question.choices, self.stored, classes="q-choice")
            yield built(AnswerInput(str(note or ""), placeholder="note", classes="q-note", compact=True))
        yield Static("", classes="q-prefill")

    def default_hint(self) -> str:
        return ""

    @on(ChoiceBar.Changed)
    def _changed(self, event: ChoiceBar.Changed) -> None:
        event.stop()
        self.stored = event.value
        self.answer(Answered(self.loc, event.value))

    @on(Input.Changed)
    def _note(self, event: Input.Changed) -> None:
        event.stop()
        if self.note_loc and self.typed(event):
            self.answer(Answered(self.note_loc, event.value.strip() or None))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(Advance(self))

    def update_results(self, result, workload, vendor) -> None:
        gate = self.question.parts[-1]
        info = (vendor or {}).get("gates", {}).get(gate) if vendor else None
        key = (info, self.query_one(ChoiceBar).value)
        if key == getattr(self, "_prefill_shown", None):
            return
        self._prefill_shown = key
        line = self.query_one(".q-prefill", Static)
        gate = self.question.parts[-1]
        info = (vendor or {}).get("gates", {}).get(gate) if vendor else None
        bar = self.query_one(ChoiceBar)
        if info is None:
            line.update(Text("pre-fill appears once the workload can be priced", style="dim"))
            bar.default = None
            bar.refresh()
            return
        verdict = info.get("verdict")
        if info.get("prefilled") and bar.value is None:
            line.update(Text.assemble(("pre-filled: ", "italic"), (str(verdict), "bold"), (f" — {info.get('because', '')}", "dim")))
            bar.default = verdict
        elif bar.value is None:
            line.update(Text.assemble(("no pre-fill: ", "italic"), (f"{verdict or 'unknown'}", "bold"), (f" — {info.get('because', '')}", "dim")))
            bar.default = verdict
        else:
            line.update(Text.assemble(("answered: ", "italic"), (str(verdict), "bold"), (f" — {info.get('because', '')}", "dim")))
            bar.default = None
        bar.refresh()


def option_label(opt) -> str:
    if opt.per_token:
        price = f"${opt.input_per_mtok:g}/${opt.output_per_mtok:g} per M"
    else:
        price = f"${opt.gpu_hourly_rate:g}/GPU-h"
    # the id names provider and model already: the label stays within 80 columns
    return f"{opt.id}  ·  {opt.deployment.replace('_', ' ')}  ·  {price}"


class OptionField(QuestionField):
    """One catalog option (type to search)."""

    def compose_control(self) -> ComposeResult:
        catalog = self.extra["catalog"]
        options = [(option_label(o), o.id) for o in catalog.options]
        ids = {o.id for o in catalog.options}
        value = self.stored if self.stored in ids else Select.NULL
        if isinstance(self.stored, str) and self.stored not in ids:
            options.append((f"{self.stored} (not in the catalog)", self.stored))
            value = self.stored
        yield Select(options, value=value, prompt="choose an option (type to search)", classes="q-select", compact=True)

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        value = None if event.value in (Select.NULL, Select.BLANK) else event.value
        if value != self.stored:
            self.stored = value
            self.answer(Answered(self.loc, value))


class OptionsField(QuestionField):
    """Several options, in the order ticked (catalog options, or the question's own choices)."""

    def items(self) -> list[tuple[str, Any]]:
        if self.question.choices:
            return [(c.label, c.value) for c in self.question.choices]
        catalog = self.extra["catalog"]
        return [(option_label(o), o.id) for o in catalog.options]

    def compose_control(self) -> ComposeResult:
        stored = self.stored if isinstance(self.stored, list) else []
        items = self.items()
        known = {v for _, v in items}
        items += [(f"{v} (unknown)", v) for v in stored if v not in known]
        sl = TickList(*[Selection(label, value, False) for label, value in items], classes="q-options", compact=True)
        self._initial = [v for v in stored]
        yield sl

    def on_mount(self) -> None:
        sl = self.query_one(SelectionList)
        with sl.prevent(SelectionList.SelectedChanged):
            for v in self._initial:
                sl.select(v)
        if sl.option_count and sl.highlighted is None:
            sl.highlighted = 0

    def default_hint(self) -> str:
        return "Space ticks; ticked in the order you pick them."

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        selected = list(event.selection_list.selected)
        if selected != (self.stored or []):
            self.stored = selected
            self.answer(Answered(self.loc, selected or None))


class PerWorkloadField(QuestionField):
    """One number per workload, keyed by workload name (traffic growth)."""

    def compose_control(self) -> ComposeResult:
        names = self.extra.get("workload_names", [])
        stored = self.stored if isinstance(self.stored, dict) else {}
        for name in names:
            with Horizontal(classes="q-row"):
                yield Static(name, classes="q-sublabel")
                yield built(AnswerInput(format_value(self.question, stored.get(name)), placeholder="×", classes="q-input", name=name, compact=True))
                if self.question.unit:
                    yield Static(self.question.unit, classes="q-unit")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.typed(event):
            return
        name = event.input.name
        value, err = parse_text(self.question, event.value)
        self.own_error = f"{name}: {err}" if err else None
        self.show_error(None)
        self.answer(Answered(self.loc + (name,), value, error=err))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(Advance(self))


FIELD_TYPES: dict[str, type[QuestionField]] = {
    "text": TextField,
    "date": TextField,
    "number": TextField,
    "percent": TextField,
    "percent_list": TextField,
    "choice": ChoiceField,
    "yesno": ChoiceField,
    "verdict": VerdictField,
    "option": OptionField,
    "options": OptionsField,
    "per_workload_number": PerWorkloadField,
}


def make_field(q: Question, loc: Loc, data: dict, **kw) -> QuestionField:
    return FIELD_TYPES[q.type](q, loc, data, **kw)
