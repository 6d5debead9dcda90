"""Modal dialogs: file paths, recovery, problems in a file, confirmations, help, export progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, LoadingIndicator, Markdown, Static, Tree

from advisor.errors import Problem
from advisor.tui.session import in_root, outside_root, served_root


class YamlTree(DirectoryTree):
    """Folders and YAML files only (no hidden entries, no autosaves): what the interview can open."""

    def filter_paths(self, paths):
        out = []
        for p in paths:
            if p.name.startswith("."):
                continue
            try:
                if p.is_dir() or (p.suffix in (".yaml", ".yml") and not p.name.endswith(".autosave.yaml")):
                    out.append(p)
            except OSError:
                continue
        return out


class PathDialog(ModalScreen[Path | None]):
    """Ask for a file path (Enter accepts, Escape cancels); with browse, a folder tree of YAML files
    too (Tab to it, arrows to move, Enter on a file opens it)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str, *, must_exist: bool = False, button: str = "OK",
                 browse: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.default = default
        self.must_exist = must_exist
        self.button = button
        self.browse = browse

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.browse else "dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.browse:
                root = Path(self.default).expanduser()
                root = root if root.is_dir() else root.parent
                if outside_root(root) is not None:
                    root = served_root() or root  # a served interview browses its own folder
                yield Label(Text("Type a path, or Tab to the folders below (YAML files only; Enter opens).", style="dim"))
                yield YamlTree(str(root if root.is_dir() else Path.cwd()), id="path-tree")
            yield Input(self.default, id="path-input")
            yield Static("", id="path-error", classes="q-error -empty")
            with Horizontal(classes="buttons"):
                yield Button(self.button, id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        inp = self.query_one("#path-input", Input)
        inp.focus()
        inp.cursor_position = len(inp.value)

    def _accept(self) -> None:
        text = self.query_one("#path-input", Input).value.strip()
        err = self.query_one("#path-error", Static)
        if not text:
            err.update("⚠ type a file path")
            err.remove_class("-empty")
            return
        path = in_root(Path(text))
        outside = outside_root(path)
        if outside:
            err.update(f"⚠ {outside}")
            err.remove_class("-empty")
            return
        if self.must_exist and not path.is_file():
            err.update(f"⚠ no such file: {path}")
            err.remove_class("-empty")
            return
        if path.is_dir():
            err.update(f"⚠ {path} is a folder; add a file name")
            err.remove_class("-empty")
            return
        self.dismiss(path.resolve())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept()

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path-input", Input).value = str(event.path)
        self._accept()

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event) -> None:
        """Moving in the tree shows the path in the box (so it can be edited before opening)."""
        event.stop()
        data = getattr(event.node, "data", None)
        path = getattr(data, "path", None)
        if path is not None and Path(path).is_file():
            self.query_one("#path-input", Input).value = str(path)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._accept()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few buttons; returns the id of the button pressed (Escape: None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("left", "app.focus_previous", show=False), Binding("right", "app.focus_next", show=False)]

    def __init__(self, title: str, body: str | Text, buttons: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.body = body
        self.buttons = buttons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            with Horizontal(classes="buttons"):
                for bid, label, variant in self.buttons:
                    yield Button(label, id=bid, variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def recovery_dialog(path: Path, autosave: Path) -> ChoiceDialog:
    when = dt.datetime.fromtimestamp(autosave.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    if path.exists():
        body = f"{autosave.name} (saved {when}) is newer than {path.name}.\nRecover its answers, or discard it and open {path.name} as it is?"
    else:
        body = f"{autosave.name} (saved {when}) holds answers that were never saved to {path.name}.\nRecover them, or discard them and start afresh?"
    return ChoiceDialog("Unsaved answers found", body, [("recover", "Recover", "primary"), ("discard", "Discard", "error")])


class ProblemsScreen(ModalScreen[None]):
    """The problems found in a file, listed (never a traceback)."""

    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str, problems: list[Problem], note: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.problems = problems
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="problems"):
                for p in self.problems:
                    where = f"line {p.line}: " if p.line else ""
                    yield Static(Text.assemble((where, "dim"), (f"{p.field}: " if p.field else "", "bold"), p.message), classes="problem")
            if self.note:
                yield Static(self.note, classes="dialog-body")
            with Horizontal(classes="buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


HELP = """\
# The interview

Walk through the sections in order; the **Results** panel shows the consequence of each answer.

| Keys | What they do |
|---|---|
| Tab / Shift+Tab | next / previous field |
| Enter | next question (on a choice after ←/→: picks the highlighted one first) |
| PgDn / PgUp (or Ctrl+N) | next / previous section |
| F8 / F7 (or Alt+→ / Alt+←) | next / previous vendor (vendor gates) |
| a, Del | add / remove a workload (while the workload list has focus) |
| Ctrl+P | command palette: jump to any section, workload or vendor, add a workload, save, export, theme |
| Ctrl+S | save the questionnaire file |
| Ctrl+E | write the memo PDF |
| Ctrl+R | show the results (narrow terminals) |
| Ctrl+T | light / dark theme |
| F1 or ? | this help |
| Ctrl+Q | quit (answers are already saved) |

**Choices**: ←/→ move, Space picks, or press the letter shown (y/n, p/c/f, l/m/h, 0-3); focus
stays on the choice, so the next key never lands in the next field. Enter or Tab moves on.
Delete clears an answer so the default (shown as ◌) applies.

**Numbers**: `800k`, `1,000` and `5%` are understood. Fractions are asked as percents.
Tag each number *measured*, *estimated* or *assumed* (m/e/a) and say where it came from:
"An LCPR model built on six assumptions is a hypothesis; one built on six measurements is a budget."

**Nothing is lost**: every change is written within a second (an existing file in place; a new
assessment to `<name>.autosave.yaml` until you save it). Answers that are not valid yet stay in
the field and in the file, with a comment saying what is wrong.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide help", id="help-body"):
            yield Markdown(HELP)
            yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()  # opens at the top; arrows scroll, Escape closes

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ProgressDialog(ModalScreen[None]):
    """Shown while the memo renders; the app dismisses it."""

    def __init__(self, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.message, classes="dialog-title")
            yield LoadingIndicator()
