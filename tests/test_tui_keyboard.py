"""The keyboard model (issue 12, item 1): keys that act on lists never type into fields, choices
picked by letter do not steal the next keystroke, focus is visible on an invalid field, vendors
switch by key and from the palette, nothing is cut at 80x24."""

from __future__ import annotations

import shutil

from textual.widgets import Input, OptionList

from advisor.tui.app import AdvisorApp
from advisor.tui.fields import ChoiceBar
from test_tui_support import PART1, REPO, _isolated_config, keys, plain, screen_text, type_text  # noqa: F401

EU = REPO / "questionnaires" / "examples" / "eu-regulated-enterprise.yaml"


def copy(tmp_path, source=PART1):
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


async def open_at(pilot, app, section_id: str) -> None:
    await pilot.pause()
    screen = app.screen
    await screen.show_section(next(i for i, s in enumerate(screen.sections) if s.id == section_id))
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_in_the_name_field_types_a_and_adds_nothing(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "workloads")
        view = app.screen.current_view()
        name = view.query_one("#q-name Input", Input)
        name.focus()
        await pilot.pause()
        await keys(pilot, "end", "a")
        await pilot.pause(0.2)
        assert name.value == "document-assistanta"
        assert len(app.screen.session.workloads()) == 1
        # the workload list shows the new name at once
        ol = view.query_one("#workload-list", OptionList)
        assert str(ol.get_option_at_index(0).prompt) == "document-assistanta"
        # with the list focused, `a` adds a workload (and the footer says so)
        ol.focus()
        await pilot.pause()
        assert "Add workload" in screen_text(app)
        await pilot.press("a")
        await pilot.pause(0.3)
        assert len(app.screen.session.workloads()) == 2


async def test_a_choice_letter_then_typing_leaves_the_next_field_alone(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "workloads")
        view = app.screen.current_view()
        kind = view.query_one("#q-kind ChoiceBar", ChoiceBar)
        kind.focus()
        await pilot.pause()
        await keys(pilot, "r", "x")  # r picks RAG; x is no choice's letter and must land nowhere else
        await pilot.pause(0.5)
        assert app.focused is kind and kind.value == "rag"
        notes = view.query_one("#q-notes Input", Input)
        assert notes.value.startswith("The product's in-app assistant")
        # Enter moves on to the notes, which keep their text
        await pilot.press("enter")
        assert app.focused is notes
        await pilot.pause(0.5)
    assert "kind: rag" in target.read_text()
    assert "The product's in-app assistant" in target.read_text()


async def test_focus_is_visible_on_an_invalid_field(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "volume")
        view = app.screen.current_view()
        field = view.query_one("#q-profile-input_tokens")
        field.query_one(Input).focus()
        await keys(pilot, "end", "ctrl+u", *"lots")
        await pilot.pause(0.3)
        assert field.has_class("-invalid")
        focused_bar = field.styles.border_left
        # move focus away: the bar turns to the error colour; come back: the focus colour again
        view.query_one("#q-profile-output_tokens Input").focus()
        await pilot.pause()
        error_bar = field.styles.border_left
        assert focused_bar[1] != error_bar[1]


async def test_stage_3_is_visible_at_80x24(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "operations")
        app.screen.query_one("#section-body").scroll_home(animate=False)
        await pilot.pause()
        text = screen_text(app)
        for n in range(4):
            assert f"Stage {n}" in text
        assert "Build-side: dedicated inference on neo-clouds with a team" in text
        # pressing 3 picks the choice that is on screen
        app.screen.current_view().query_one("#q-operations-current_stage ChoiceBar").focus()
        await pilot.press("3")
        await pilot.pause(0.2)
        assert "● Stage 3" in screen_text(app)


async def test_vendors_switch_with_f8_and_from_the_palette(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "vendors")
        screen = app.screen
        assert screen.vi == 0
        assert "F8 Next vendor" in screen_text(app)
        await pilot.press("f8")
        await pilot.pause(0.3)
        assert screen.vi == 1
        await pilot.press("f7", "f7")
        await pilot.pause(0.3)
        assert screen.vi == 2  # wraps round: three vendors
        # the command palette lists every vendor of every workload
        from advisor.tui.commands import InterviewCommands

        names = [name for name, _, _ in InterviewCommands(screen)._commands()]
        assert "Vendor: together/deepseek-v3 (document-assistant)" in names


async def test_the_questions_results_tabs_are_not_a_tab_stop(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "organization")
        seen = set()
        for _ in range(40):
            await pilot.press("tab")
            seen.add(app.focused.id if app.focused else None)
        assert "view-tabs" not in seen


async def test_results_say_why_each_cheaper_option_was_not_chosen(tmp_path):
    """The ranking reads the decision record: together/deepseek-v3 is cheaper than the recommended
    scaleway/h100 but fails compliance, and the unmet requirements are named."""
    target = copy(tmp_path, EU)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_at(pilot, app, "volume")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        panel = app.screen.query_one("#panel-body")
        assert panel.region.width > 0  # the live panel is on screen beside the questions
        text = " ".join(plain(panel.content, width=200).split())
        assert "Not chosen" in text
        assert ("✗ together/deepseek-v3 eliminated at compliance data handling — not met: "
                "eu residency missing, retains data by default") in text
        record = app.screen.computed.assessment.records[0]
        why = {o.id: o.why_not for o in record.options}
        assert why["together/deepseek-v3"] == "eliminated at compliance data handling"


async def test_the_memo_is_written_in_the_background_while_answering_goes_on(tmp_path, monkeypatch):
    """Ctrl+E: no modal; the export section and header count the seconds; answers still go in; at the
    end the path is shown and the palette can open it."""
    import threading

    import advisor.tui.app as app_module

    release = threading.Event()

    def slow_memo(data, source, path):
        release.wait(10)
        path.write_bytes(b"%PDF-1.7 stand-in")
        return True, str(path)

    monkeypatch.setattr(app_module, "render_memo", slow_memo)
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "organization")
        screen = app.screen
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("enter")  # the path dialog's default: <file>-memo.pdf
        await pilot.pause(0.2)
        assert app.screen is screen  # no modal in the way
        assert "writing memo" in screen.sub_title
        field = screen.current_view().query_one("#q-prepared_for Input", Input)
        field.focus()
        await keys(pilot, "end", *" and the board")
        await pilot.pause(0.6)
        assert screen.session.data["prepared_for"].endswith("and the board")
        # quitting now asks first (the memo would be lost); Escape keeps working
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert "still being written" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.screen is screen
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        memo = tmp_path / "part1-b2b-saas-memo.pdf"
        assert screen.last_memo == memo and memo.exists()
        assert "writing memo" not in screen.sub_title
        from advisor.tui.commands import InterviewCommands

        assert "Open the memo" in [name for name, _, _ in InterviewCommands(screen)._commands()]


async def test_open_a_file_browses_folders_of_yaml_files(tmp_path, monkeypatch):
    from advisor.tui.dialogs import PathDialog, YamlTree

    (tmp_path / "sub").mkdir()
    shutil.copy(PART1, tmp_path / "sub" / "team.yaml")
    (tmp_path / "notes.txt").write_text("not a questionnaire")
    (tmp_path / "sub" / "old.autosave.yaml").write_text("advisor: 1")
    monkeypatch.chdir(tmp_path)
    app = AdvisorApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PathDialog)
        tree = app.screen.query_one(YamlTree)
        tree.focus()
        await pilot.pause(0.3)
        shown = [str(n.label) for n in tree.root.children]
        assert shown == ["sub"]  # notes.txt is not offered
        await pilot.press("down", "enter")  # open the folder
        await pilot.pause(0.3)
        names = [str(n.label) for n in tree.root.children[0].children]
        assert names == ["team.yaml"]  # the autosave is offered by recovery, not here
        await pilot.press("down", "enter")
        await pilot.pause(0.5)
        assert app.interview is not None and app.interview.session.path == (tmp_path / "sub" / "team.yaml").resolve()


async def test_keys_typed_right_after_pgdn_go_to_the_next_section(tmp_path):
    """PgDn then text in one burst: the text lands in the new section's first question, never in a
    control of the section just hidden."""
    from textual import events

    target = tmp_path / "new.yaml"
    app = AdvisorApp(str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, app, "organization")
        burst = [("A", "A"), ("c", "c"), ("m", "m"), ("e", "e"), ("pagedown", None), ("end", None), ("ctrl+u", None),
                 *[(c, c) for c in "chat-bot"]]
        for key, char in burst:
            app._driver.send_message(events.Key(key, char))
        await pilot.pause(0.8)
        data = app.screen.session.data
        assert data["organization"] == "Acme"
        assert data["workloads"][0]["name"] == "chat-bot"
