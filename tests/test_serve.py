"""`advisor serve` answers a browser with the interview page, on localhost by default, and its
visitors open and write files only inside --root."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO, run_advisor


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_returns_the_interview_page_and_runs_this_advisor(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "serve", str(EXAMPLES / "part1-b2b-saas.yaml"), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "advisor" in body and "part1-b2b-saas.yaml" in body  # the page title names the file
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in err


def test_each_visitor_runs_the_same_interview_command():
    from advisor.serve import interview_command

    cmd = interview_command(str(EXAMPLES / "part1-b2b-saas.yaml"))
    assert cmd.startswith(sys.executable) and "-m advisor interview" in cmd and str(EXAMPLES) in cmd


# ---------------------------------------------------------------- --root: the only folder visitors reach

PART1 = EXAMPLES / "part1-b2b-saas.yaml"


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """A served folder with a questionnaire, a file outside it and a link inside it to that file;
    the interview runs as `advisor serve --root` starts it (ADVISOR_SERVE_ROOT)."""
    from advisor.tui.session import SERVE_ROOT_ENV

    root, outside = tmp_path / "shared", tmp_path / "private"
    root.mkdir()
    outside.mkdir()
    shutil.copy(PART1, root / "team.yaml")
    shutil.copy(PART1, outside / "secret.yaml")
    (root / "link.yaml").symlink_to(outside / "secret.yaml")
    (root / "out").symlink_to(outside, target_is_directory=True)
    monkeypatch.setenv(SERVE_ROOT_ENV, str(root))
    monkeypatch.chdir(tmp_path)  # where the server was started is not what counts
    return root, outside


def test_paths_outside_the_root_are_refused_links_and_dots_included(shared):
    from advisor.tui.session import outside_root

    root, outside = shared
    assert outside_root(root / "team.yaml") is None
    assert outside_root(Path("team.yaml")) is None  # relative: to the shared folder
    assert outside_root(root / "new" / "x.yaml") is None  # not there yet, but inside
    for path in (outside / "secret.yaml", root / "link.yaml", root / "out" / "new.yaml",
                 root / ".." / "private" / "secret.yaml", Path("/etc/passwd"), Path("~/x.yaml")):
        why = outside_root(path)
        assert why is not None and "outside the folder this server shares" in why, path


async def _dialog_says(pilot, app, path: str, expect: str) -> None:
    from textual.widgets import Input

    inp = app.screen.query_one("#path-input", Input)
    inp.value = path
    await pilot.press("enter")
    await pilot.pause(0.2)
    if expect:
        assert expect in " ".join(str(app.screen.query_one("#path-error").render()).split())


async def test_the_start_screen_opens_only_files_in_the_root(shared):
    from advisor.tui.app import AdvisorApp
    from advisor.tui.dialogs import PathDialog
    from advisor.tui.session import remember

    root, outside = shared
    remember(outside / "secret.yaml", "Private")  # this user's recent files name files elsewhere
    remember(root / "team.yaml", "Team")
    app = AdvisorApp(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#start-options")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
                   if options.get_option_at_index(i).id]
        assert any("team.yaml" in p for p in prompts)
        assert not any("secret.yaml" in p for p in prompts)
        await pilot.press("o")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PathDialog)
        assert app.screen.query_one("#path-input").value == f"{root}/"  # starts in the shared folder
        for path in (str(outside / "secret.yaml"), str(root / "link.yaml"), "../private/secret.yaml"):
            await _dialog_says(pilot, app, path, "outside the folder this server shares")
            assert isinstance(app.screen, PathDialog) and app.interview is None
        await _dialog_says(pilot, app, "team.yaml", "")  # relative to the shared folder
        await pilot.pause(0.3)
        assert app.interview is not None and app.interview.session.path == root / "team.yaml"


async def test_save_as_and_the_memo_stay_in_the_root(shared, monkeypatch):
    import advisor.tui.app as app_module
    from advisor.tui.app import AdvisorApp

    root, outside = shared
    monkeypatch.setattr(app_module, "render_memo", lambda data, source, path: (path.write_bytes(b"%PDF"), (True, str(path)))[1])
    app = AdvisorApp(str(root / "team.yaml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        screen = app.interview
        screen.action_save_as()
        await pilot.pause(0.2)
        await _dialog_says(pilot, app, str(root / "out" / "copy.yaml"), "outside the folder this server shares")
        await pilot.press("escape")
        screen.action_export()
        await pilot.pause(0.2)
        await _dialog_says(pilot, app, str(outside / "memo.pdf"), "outside the folder this server shares")
        await pilot.press("escape")
        # the last check, behind the dialogs: a path handed over directly is refused, and said so
        screen._export_to(outside / "memo.pdf")
        await pilot.pause(0.2)
        assert screen._memo_started is None
        screen.action_save_as()
        await pilot.pause(0.2)
        await _dialog_says(pilot, app, "copy.yaml", "")
        await pilot.pause(0.2)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.yaml"]  # nothing written outside
    assert (root / "copy.yaml").is_file()


async def test_a_file_outside_the_root_given_to_the_interview_is_not_opened(shared):
    from advisor.tui.app import AdvisorApp, StartScreen

    root, outside = shared
    app = AdvisorApp(str(root / "link.yaml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert app.interview is None and isinstance(app.screen, StartScreen)
        assert any("outside the folder this server shares" in str(n.message) for n in app._notifications)


def test_serve_refuses_a_file_outside_its_root_and_says_how_to_fix_it(tmp_path):
    (tmp_path / "shared").mkdir()
    r = run_advisor("serve", str(PART1), "--root", str(tmp_path / "shared"))
    assert r.returncode == 2
    assert "outside the folder served" in r.stderr and "--root" in r.stderr
    assert "--root DIR" in run_advisor("serve", "--help").stdout


def test_serve_hands_its_root_to_every_visitors_interview(tmp_path, monkeypatch):
    import os
    import textual_serve.server

    import advisor.serve as serve_module
    from advisor.tui.session import SERVE_ROOT_ENV

    started = {}

    class FakeServer:
        def __init__(self, command, **kw):
            started["command"] = command

        def serve(self):
            started["root"] = os.environ.get(SERVE_ROOT_ENV)

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    monkeypatch.setenv(SERVE_ROOT_ENV, "")  # serve() sets it; the test's end restores it
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path / "alias")
    serve_module.serve(None, "127.0.0.1", 8000)  # default: the current folder, links resolved
    assert started["root"] == str((tmp_path / "real").resolve())
    # with FILE and no --root: FILE's folder (what was chosen to share, no wider than that)
    (tmp_path / "team").mkdir()
    shutil.copy(PART1, tmp_path / "team" / "acme.yaml")
    serve_module.serve(str(tmp_path / "team" / "acme.yaml"), "127.0.0.1", 8000)
    assert started["root"] == str((tmp_path / "team").resolve())
    assert started["command"].endswith(str((tmp_path / "team" / "acme.yaml").resolve()))
