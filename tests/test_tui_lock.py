"""The interview owns its file (issue 13 item 4): a second interview on the same file opens
read-only and says who holds it; a folder that cannot be written never leaves Ctrl+Q dead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from textual.widgets import Input

from advisor.lock import lock_path
from advisor.tui.app import AdvisorApp
from advisor.tui.dialogs import ChoiceDialog
from test_tui_support import PART1, _isolated_config, keys, type_text  # noqa: F401


async def test_a_second_interview_is_read_only_and_names_the_holder(tmp_path):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    before = target.read_text()
    holder = subprocess.Popen([sys.executable, "-c",
                               "import time; from pathlib import Path; from advisor.lock import acquire;"
                               f"l = acquire(Path({str(target)!r})); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        app = AdvisorApp(str(target))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert screen.session.read_only and f"pid {holder.pid}" in screen.session.read_only
            assert "read-only" in screen.sub_title
            # typing changes nothing on disk
            field = screen.current_view().query(Input).first()
            field.focus()
            await keys(pilot, "end")
            await type_text(pilot, " edited")
            await pilot.press("tab")
            await pilot.pause(0.3)
            assert screen.flush()  # nothing to write: not an error
            await keys(pilot, "ctrl+s")
            await pilot.pause()
        assert target.read_text() == before
        assert not (tmp_path / (PART1.stem + ".autosave.yaml")).exists()
    finally:
        holder.kill()
        holder.wait()


async def test_the_first_interview_holds_the_lock_and_releases_it_on_quit(tmp_path):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert lock_path(target).exists()
        assert app.screen.session.read_only is None
        await keys(pilot, "ctrl+q")
        await pilot.pause()
    assert not lock_path(target).exists()


async def test_quitting_when_the_answers_cannot_be_written_offers_save_as_or_quit(tmp_path, monkeypatch):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)

    def refuse(path, text):  # a read-only folder or a full disk, as the interview sees it
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("advisor.tui.session.write_atomic", refuse)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.session.dirty = True
        await keys(pilot, "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.title_text == "The answers cannot be saved"
        await pilot.click("#quit")
        await pilot.pause()
    assert app.return_code is not None or not app.is_running  # Ctrl+Q ended the app


async def _changed_outside(tmp_path, choice: str):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        # someone else saves the file (another editor, a git pull) while it is open here
        outside = target.read_text().replace("organization: B2B SaaS", "organization: Changed Elsewhere", 1)
        target.write_text(outside)
        os.utime(target, ns=(1, 1))  # a different signature even within the same clock tick
        screen.session.data["prepared_for"] = "typed here"
        screen.session.dirty = True
        assert not screen.flush()  # not saved over it silently
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and app.screen.title_text == "The file changed on disk"
        await pilot.click(f"#{choice}")
        await pilot.pause(0.3)
        return target, outside, screen


async def test_an_outside_change_is_never_saved_over_and_reload_takes_it(tmp_path):
    target, outside, screen = await _changed_outside(tmp_path, "reload")
    assert target.read_text() == outside
    assert screen.session.data["organization"].startswith("Changed Elsewhere")


async def test_an_outside_change_can_be_overwritten_on_purpose(tmp_path):
    target, outside, screen = await _changed_outside(tmp_path, "overwrite")
    assert "typed here" in target.read_text()
