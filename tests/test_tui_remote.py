"""Remote facilitation in the interview itself (issue 12 item 6): under `advisor serve` the memo
is downloaded by the visitor's browser, and a visitor whose view is read-only (another interview
holds the file) follows the file as the facilitator's interview saves it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Input

from advisor.tui import app as app_module
from advisor.tui.app import AdvisorApp
from test_tui_support import PART1, _isolated_config, keys, screen_text  # noqa: F401


def _fake_memo(data: dict, source: str, path: Path) -> tuple[bool, str]:
    """The memo's rendering is tested elsewhere (WeasyPrint takes seconds); here only its delivery."""
    Path(path).write_bytes(b"%PDF-1.7\n% a memo\n")
    return True, str(path)


async def _export(app, pilot) -> None:
    await keys(pilot, "ctrl+e")
    await pilot.pause()
    await pilot.press("enter")  # the path dialog's default: <file>-memo.pdf beside the file
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)


async def test_in_a_browser_the_written_memo_is_sent_to_the_browser(tmp_path, monkeypatch):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    monkeypatch.setattr(app_module, "render_memo", _fake_memo)
    monkeypatch.setattr(AdvisorApp, "is_web", property(lambda self: True))  # as under textual-serve
    delivered: list[tuple] = []
    monkeypatch.setattr(AdvisorApp, "deliver_binary", lambda self, path, **kw: delivered.append((path, kw)) or "key")
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _export(app, pilot)
        memo = tmp_path / (PART1.stem + "-memo.pdf")
        assert memo.exists()
        assert [(Path(p), kw.get("mime_type")) for p, kw in delivered] == [(memo, "application/pdf")]
        assert any("your browser is downloading it" in str(n.message) for n in app._notifications)
        # Ctrl+P → Open the memo: in a browser, downloads it again (the file is on the server)
        app.screen.action_open_memo()
        assert len(delivered) == 2 and Path(delivered[1][0]) == memo


async def test_in_a_terminal_the_memo_is_not_delivered_anywhere(tmp_path, monkeypatch):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    monkeypatch.setattr(app_module, "render_memo", _fake_memo)
    delivered: list = []
    monkeypatch.setattr(AdvisorApp, "deliver_binary", lambda self, path, **kw: delivered.append(path))
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.is_web
        await _export(app, pilot)
        assert (tmp_path / (PART1.stem + "-memo.pdf")).exists()
    assert delivered == []  # a terminal keeps today's behaviour: the path is said, nothing downloaded


WRITER = """
import sys
from pathlib import Path
from advisor.tui.session import open_session
s, _ = open_session(Path(sys.argv[1]))
assert s.read_only is None, s.read_only
print("held", flush=True)
org = sys.stdin.readline().strip()
s.data["organization"] = org
s.data["workloads"][0]["profile"]["requests_per_month"] = 1600000
s.dirty = True
s.recheck()
s.write()
print("written", flush=True)
sys.stdin.readline()
s.release()
print("released", flush=True)
sys.stdin.readline()
"""


async def _until(pilot, condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_a_read_only_view_follows_the_file_as_its_editor_saves_it(tmp_path, monkeypatch):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    monkeypatch.setattr(app_module, "WATCH_EVERY", 0.2)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        app = AdvisorApp(str(target))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert screen.session.read_only and f"pid {writer.pid}" in screen.sub_title
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            assert "$18,128" in screen_text(app)  # the guide's Part 1 figure, as the file holds it

            writer.stdin.write("Acme Watchers Ltd\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "written"
            # the facilitator's answers appear: the organization field, the header, the results
            org = lambda: next((i.value for i in screen.current_view().query(Input)), None)  # noqa: E731
            assert await _until(pilot, lambda: org() == "Acme Watchers Ltd")
            assert app.screen.title == "Acme Watchers Ltd"
            # twice the requests: today's cost is now $35,056 a month (the 12 engineering hours stay)
            assert await _until(pilot, lambda: "$35,056" in screen_text(app) and "$18,128" not in screen_text(app))
            assert "read-only" in screen.sub_title and f"pid {writer.pid}" in screen.sub_title

            # the facilitator closes the file: the view says so
            writer.stdin.write("\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "released"
            assert await _until(pilot, lambda: "its editor has closed it" in screen.sub_title)
            written = target.read_text()
        assert target.read_text() == written  # the read-only view never wrote the file
    finally:
        writer.kill()
        writer.wait()
