"""Never lose an answer: resume, invalid input, autosave recovery, files that fail validation."""

from __future__ import annotations

import os
import shutil
import time

import yaml

from advisor.tui import draft as D
from advisor.tui.app import AdvisorApp, InterviewScreen, StartScreen
from advisor.tui.dialogs import ChoiceDialog, ProblemsScreen
from advisor.tui.fields import ChoiceField, OptionField, OptionsField, PerWorkloadField, TextField, VerdictField
from advisor.tui.session import autosave_path, recent_files
from advisor.tui.spec import format_value
from advisor.yamlio import read_yaml
from test_tui_support import PART1, REPO, _isolated_config, keys, type_text  # noqa: F401
from textual.widgets import Input, Select, SelectionList

EXAMPLES = REPO / "questionnaires" / "examples"


def copy_example(tmp_path, name="part1-b2b-saas.yaml"):
    target = tmp_path / name.split("/")[-1]
    shutil.copy(EXAMPLES / name, target)
    return target


def shown(field):
    """What a question's control shows, as data."""
    if isinstance(field, TextField):
        inputs = list(field.query(Input))
        value = inputs[0].value
        if field.question.answer:
            conf = field.query_one(".q-confidence").value
            return value, conf, inputs[1].value
        return value
    if isinstance(field, VerdictField):
        return field.query_one(".q-choice").value, field.query_one(".q-note", Input).value
    if isinstance(field, ChoiceField):
        return field.query_one(".q-choice").value
    if isinstance(field, OptionField):
        v = field.query_one(Select).value
        return None if v in (Select.NULL, Select.BLANK) else v
    if isinstance(field, OptionsField):
        return list(field.query_one(SelectionList).selected)
    if isinstance(field, PerWorkloadField):
        return {i.name: i.value for i in field.query(Input)}
    raise AssertionError(type(field))


def expected(field, data):
    stored = D.get(data, field.loc)
    q = field.question
    if isinstance(field, TextField):
        value, conf, note = D.answer_parts(stored)
        text = format_value(q, value)
        return (text, conf, note) if q.answer else text
    if isinstance(field, VerdictField):
        return stored, str(D.get(data, field.note_loc) or "")
    if isinstance(field, OptionsField):
        return list(stored or [])
    if isinstance(field, PerWorkloadField):
        names = [w["name"] for w in data["workloads"]]
        return {n: format_value(q, (stored or {}).get(n)) for n in names}
    return stored


async def visit_everything(pilot, screen: InterviewScreen):
    """Every section, every workload, every vendor: yield each question field shown."""
    for si, section in enumerate(screen.sections):
        if section.kind in ("results", "export"):
            continue
        workloads = range(len(screen.session.workloads())) if section.per_workload else [0]
        for wi in workloads:
            vendors = range(len(screen.session.vendors(wi))) if section.scope == "vendor" else [0]
            for vi in vendors:
                screen.wi, screen.vi = wi, vi
                await screen.show_section(si)
                await pilot.pause()
                for f in screen.current_view().query(".question"):
                    yield f


async def test_resume_restores_every_answer(tmp_path):
    for name in ("part1-b2b-saas.yaml", "snapshots/2026-q4-northwind.yaml"):
        target = copy_example(tmp_path, name)
        before = target.read_bytes()
        data = read_yaml(target).data
        app = AdvisorApp(str(target))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, InterviewScreen)
            checked = 0
            async for field in visit_everything(pilot, screen):
                assert shown(field) == expected(field, data), field.loc
                checked += 1
            assert checked > 60
            await app.workers.wait_for_complete()
            await pilot.pause(0.6)
        # looking at every answer changes nothing in the file
        assert target.read_bytes() == before, name


async def test_invalid_input_is_shown_and_kept(tmp_path):
    target = copy_example(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await screen.show_section(2)  # volume
        await pilot.pause()
        view = screen.current_view()
        requests = view.query_one("#q-profile-requests_per_month")
        retry = view.query_one("#q-profile-retry_rate")
        requests.query_one(Input).focus()
        await keys(pilot, "ctrl+u")
        await type_text(pilot, "lots")
        retry.query_one(Input).focus()
        await keys(pilot, "ctrl+u")
        await type_text(pilot, "150")
        await pilot.pause(0.1)
        # shown inline, kept in the field
        assert requests.query_one(Input).value == "lots"
        assert "expected a number, got 'lots'" in str(requests.query_one(".q-error").render())
        assert retry.query_one(Input).value == "150"
        assert "must be at most 100%" in str(retry.query_one(".q-error").render())
        assert requests.has_class("-invalid")
        # the rest of the interview still works, and results still show (without the bad answers)
        await screen.show_section(8)
        await app.workers.wait_for_complete()
        await pilot.pause(0.6)
    text = target.read_text()
    # the file keeps what was typed, with a comment saying what is wrong
    assert "requests_per_month: lots  # invalid, kept as typed: expected a number, got 'lots'" in text
    assert "retry_rate: '150'  # invalid, kept as typed: must be at most 100%" in text, [l for l in text.splitlines() if "retry" in l]
    # ... and reopening it shows the same answers and errors, no traceback
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "requests_per_month" in str([p.field for p in app.screen.problems])
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await screen.show_section(2)
        await pilot.pause()
        view = screen.current_view()
        assert view.query_one("#q-profile-requests_per_month Input").value == "lots"
        assert view.query_one("#q-profile-retry_rate Input").value == "150"
        assert "must be at most 100%" in str(view.query_one("#q-profile-retry_rate .q-error").render())
        # fixing it makes the file valid again
        view.query_one("#q-profile-retry_rate Input").focus()
        await keys(pilot, "ctrl+u")
        await type_text(pilot, "5")
        view.query_one("#q-profile-requests_per_month Input").focus()
        await keys(pilot, "ctrl+u")
        await type_text(pilot, "800k")
        await pilot.pause(0.6)
    assert read_yaml(target).data == read_yaml(PART1).data


async def test_every_change_is_on_disk_within_a_second(tmp_path):
    target = copy_example(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        field = app.screen.current_view().query_one("#q-prepared_for Input")
        field.focus()
        await keys(pilot, "end")
        await type_text(pilot, " and the board")
        t = time.monotonic()
        while "the board" not in target.read_text():
            await pilot.pause(0.05)
            assert time.monotonic() - t < 1.0
    assert read_yaml(target).data["prepared_for"] == "CTO and VP Finance and the board"


def _changed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


async def test_editing_one_field_of_a_hand_written_file_changes_only_its_line(tmp_path):
    """Part 1's example has 28 comment lines, a `>-` block and its own key order: an edit through the
    interview keeps all of them and the file's mode; the diff is the one answer."""
    target = copy_example(tmp_path)
    os.chmod(target, 0o644)
    before = target.read_text()
    assert before.count("#") >= 28 and "notes: >-" in before
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.show_section(2)  # volume
        await pilot.pause()
        app.screen.current_view().query_one("#q-profile-retry_rate Input").focus()
        await keys(pilot, "end", "ctrl+u", "7")
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
    after = target.read_text()
    assert _changed_lines(before, after) == ["-      retry_rate: 0.05", "+      retry_rate: 0.07"]
    assert os.stat(target).st_mode & 0o777 == 0o644
    assert not (tmp_path / "part1-b2b-saas.yaml.orig").exists()  # nothing to back up: nothing was lost


async def test_an_invalid_answer_in_a_hand_written_file_gets_a_comment_that_goes_when_fixed(tmp_path):
    target = copy_example(tmp_path)
    before = target.read_text()
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.show_section(2)
        await pilot.pause()
        field = app.screen.current_view().query_one("#q-profile-input_tokens Input")
        field.focus()
        await keys(pilot, "end", "ctrl+u", *"lots")
        await pilot.pause(0.6)
        assert _changed_lines(before, target.read_text()) == [
            "-      input_tokens: 1000", "+      input_tokens: lots  # invalid, kept as typed: expected a number, got 'lots'"]
        await keys(pilot, "ctrl+u", *"1000")
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
    assert target.read_text() == before


async def test_a_folded_note_stays_folded_when_edited(tmp_path):
    target = copy_example(tmp_path)
    before = target.read_text()
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.screen.show_section(1)  # workloads
        await pilot.pause()
        app.screen.current_view().query_one("#q-notes Input").focus()
        await keys(pilot, "end", *" Reviewed.")
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
    after = target.read_text()
    assert "notes: >-" in after
    assert _changed_lines(before, after) == ['-      degradation risk").', '+      degradation risk"). Reviewed.']
    assert max(len(line) for line in after.splitlines()) == max(len(line) for line in before.splitlines())


async def test_a_fast_burst_of_keys_loses_nothing(tmp_path):
    """`End Ctrl+U 25 Tab` sent at once (a paste, a script): Ctrl+U acts before the digits, Tab after
    them, and the keys after Tab go to the next field."""
    from textual import events

    target = copy_example(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.show_section(2)
        await pilot.pause()
        view = app.screen.current_view()
        view.query_one("#q-profile-engineering_hours_per_month Input").focus()
        await pilot.pause()
        burst = [("end", None), ("ctrl+u", None), ("2", "2"), ("5", "5"), ("tab", "\t"), ("m", "m"),
                 ("tab", "\t"), ("ctrl+u", None), *[(c, c) for c in "timesheets"]]
        for key, char in burst:  # straight into the driver's queue, no pause between them
            app._driver.send_message(events.Key(key, char))
        await pilot.pause(0.8)
        await app.workers.wait_for_complete()
    assert read_yaml(target).data["workloads"][0]["profile"]["engineering_hours_per_month"] == {
        "value": 25, "confidence": "measured", "note": "timesheets"}


async def test_new_assessment_autosaves_beside_the_target_and_recovers(tmp_path):
    target = tmp_path / "acme.yaml"
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_text(pilot, "Acme")
        await pilot.pause(0.6)
        # simulate a crash: the app goes away without saving or quitting
    auto = autosave_path(target)
    assert auto == tmp_path / "acme.autosave.yaml"
    assert not target.exists() and read_yaml(auto).data["organization"] == "Acme"

    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # Recover
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert screen.current_view().query_one("#q-organization Input").value == "Acme"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert read_yaml(target).data["organization"] == "Acme"
    assert not auto.exists()
    assert recent_files()[0]["path"] == str(target)


async def test_autosave_newer_than_its_file_is_offered_and_can_be_discarded(tmp_path):
    target = copy_example(tmp_path)
    data = read_yaml(target).data
    data["organization"] = "Recovered Org"
    auto = autosave_path(target)
    auto.write_text(yaml.safe_dump(data, sort_keys=False))
    os.utime(auto, (time.time() + 5, time.time() + 5))
    # recover: the file gets the autosave's answers, the autosave goes
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await pilot.pause(0.8)
        assert app.screen.current_view().query_one("#q-organization Input").value == "Recovered Org"
    assert read_yaml(target).data["organization"] == "Recovered Org"
    assert not auto.exists()
    # discard: the file stays as it was
    auto.write_text(yaml.safe_dump(dict(data, organization="Stale"), sort_keys=False))
    os.utime(auto, (time.time() + 5, time.time() + 5))
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("right", "enter")  # Discard
        await pilot.pause()
        assert app.screen.current_view().query_one("#q-organization Input").value == "Recovered Org"
    assert not auto.exists()


async def test_a_file_that_does_not_parse_lists_its_problems(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("advisor: 1\norganization: [unclosed\n")
    app = AdvisorApp(str(bad))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert app.screen.problems[0].line == 3 or app.screen.problems[0].line
        await pilot.press("enter")
        assert isinstance(app.screen, StartScreen)
    assert bad.read_text() == "advisor: 1\norganization: [unclosed\n"


async def test_validation_errors_open_with_the_list_and_inline(tmp_path):
    target = copy_example(tmp_path)
    text = target.read_text().replace("current: openai/gpt-5.5", "current: openai/gpt-55").replace("retry_rate: 0.05", "retry_rate: 5")
    target.write_text(text)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        fields = {p.field: p for p in app.screen.problems}
        assert "workloads[0].profile.current" in fields and fields["workloads[0].profile.current"].line
        assert "workloads[0].profile.retry_rate" in fields
        await pilot.press("enter")
        screen = app.screen
        await screen.show_section(2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        view = screen.current_view()
        assert "did you mean 'openai/gpt-5.5'" in str(view.query_one("#q-profile-current .q-error").render())
        assert view.query_one("#q-profile-current").has_class("-invalid")
    assert target.read_text() == text  # opening and looking changes nothing


async def test_workloads_add_rename_remove(tmp_path):
    target = copy_example(tmp_path)
    data = read_yaml(target).data
    data["operations"]["traffic_growth"] = {"document-assistant": 1.2}
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    app = AdvisorApp(str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        await screen.show_section(1)
        await pilot.pause()
        await pilot.click(screen.current_view().query_one("#add-workload"))
        await pilot.pause()
        assert screen.wi == 1 and app.focused is screen.current_view().query_one("#q-name Input")
        await keys(pilot, "ctrl+u")
        await type_text(pilot, "batch-summaries")
        await pilot.press("enter", "b")  # kind: batch
        await pilot.pause()
        # rename the first workload: its traffic growth follows the new name
        await screen.goto_workload(0)
        await pilot.pause()
        name = screen.current_view().query_one("#q-name Input")
        name.focus()
        await keys(pilot, "end")
        await type_text(pilot, "-v2")
        await pilot.pause()
        assert screen.session.workload_names() == ["document-assistant-v2", "batch-summaries"]
        assert screen.session.data["operations"]["traffic_growth"] == {"document-assistant-v2": 1.2}
        # per-workload sections show a tab per workload
        await screen.show_section(2)
        await pilot.pause()
        tabs = screen.current_view().query_one(".workload-tabs")
        assert [str(t.label) for t in tabs.query("Tab")] == ["document-assistant-v2", "batch-summaries"]
        # remove the first (asks first)
        await screen.show_section(1)
        await pilot.pause()
        screen.current_view().query_one("#workload-list").focus()
        await pilot.press("delete")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await pilot.pause(0.6)
    saved = read_yaml(target).data
    assert [w["name"] for w in saved["workloads"]] == ["batch-summaries"]
    assert saved["workloads"][0]["kind"] == "batch"
    assert "traffic_growth" not in saved["operations"]


async def test_start_screen_new_assessment_and_help(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = AdvisorApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("enter")  # New assessment…
        await pilot.press("enter")  # default path
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.session.path == tmp_path / "assessment.yaml"
        await type_text(pilot, "Start Co")
        await pilot.pause(0.6)
    assert read_yaml(tmp_path / "assessment.autosave.yaml").data["organization"] == "Start Co"


def test_the_test_session_never_uses_the_real_home_directory():
    """conftest points HOME and the XDG folders at a temporary folder for every test (and every
    `advisor` subprocess): the recent list and preferences tests write are never the user's."""
    import pwd
    import tempfile

    from advisor.tui.session import config_dir, remember

    real_home = pwd.getpwuid(os.getuid()).pw_dir
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "ADVISOR_CONFIG_DIR"):
        assert os.environ[var].startswith(tempfile.gettempdir()), var
        assert not os.environ[var].startswith(real_home + "/") or real_home.startswith(tempfile.gettempdir()), var
    remember(EXAMPLES / "part1-b2b-saas.yaml")
    assert (config_dir() / "recent.yaml").is_file()
    assert str(config_dir()).startswith(tempfile.gettempdir())
