"""Helpers for the interview tests (no tests here): typing, reading the screen, the Part 1 keystrokes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from advisor.catalog import load_catalog

REPO = Path(__file__).resolve().parent.parent
PART1 = REPO / "questionnaires" / "examples" / "part1-b2b-saas.yaml"


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    """Recent files and preferences go to a temporary folder, never the user's."""
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(tmp_path / "config"))


FOCUS_KEYS = {"tab", "shift+tab", "enter", "pagedown", "pageup", "escape"}


async def keys(pilot, *names: str) -> None:
    """Send key events as a terminal does when someone types quickly, then let the app catch up.

    Pilot.press waits for the app to go idle after every key, which makes a long interview slow.
    Keys typed into one widget are sent in a burst; keys that move focus wait for the app (as a
    person does), since Textual routes a key to the widget focused when it arrives.
    """
    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key
    import unicodedata

    driver = pilot.app._driver
    for name in names:
        if name in FOCUS_KEYS:
            # a key that moves focus: the next key must go to the newly focused widget
            await pilot.press(name)
            continue
        if len(name) == 1 and not name.isalnum():
            key, char = _character_to_key(name), name
        elif len(name) == 1:
            key, char = name, name
        else:
            key = name
            try:
                char = unicodedata.lookup(_get_unicode_name_from_key(key))
            except KeyError:
                char = None
        driver.send_message(events.Key(key, char))
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Type text one key event per character."""
    await keys(pilot, *text)


def screen_text(app) -> str:
    """What the terminal shows, as plain text (from Textual's own SVG screenshot)."""
    svg = app.export_screenshot()
    lines: dict[str, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text[^>]*x="([\d.]+)"[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        x, y, text = float(m.group(1)), m.group(2), html.unescape(m.group(3))
        lines.setdefault(y, []).append((x, text.replace("\xa0", " ")))
    out = []
    for y in sorted(lines, key=float):
        out.append("".join(t for _, t in sorted(lines[y])))
    return "\n".join(out)


def option_index(option_id: str, exclude: str | None = None) -> int:
    ids = [o.id for o in load_catalog().options if o.id != exclude]
    return ids.index(option_id)


async def tick(pilot, order: list[int], start: int = 0, fast: bool = False) -> None:
    """In a focused SelectionList: move to each index in turn and tick it with space."""
    at = start
    for i in order:
        step = "down" if i > at else "up"
        moves = [step] * abs(i - at) + ["space"]
        if fast:
            await keys(pilot, *moves)
        else:
            await pilot.press(*moves)
            await pilot.pause()
        at = i


def plain(renderable, width: int = 200) -> str:
    """A Rich renderable as plain text, unwrapped at a wide width."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(renderable)
    return console.export_text()
