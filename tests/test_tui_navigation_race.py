"""Keys typed right after a navigation key land on what is shown after it (never on the vendor or
section just hidden): F7/F8, PgUp/PgDn, the section list and the vendor tabs resolve when the key
arrives, before the next key is routed, and focus moves to the new view at once."""

from __future__ import annotations

import shutil

from textual import events

from advisor.tui.app import AdvisorApp
from advisor.tui.fields import ChoiceBar
from test_tui_support import PART1, _isolated_config  # noqa: F401

GATE4 = "#q-gates-reliability_failover ChoiceBar"


def copy(tmp_path):
    target = tmp_path / PART1.name
    shutil.copy(PART1, target)
    return target


async def settle(pilot, done) -> None:
    """Let the app work through the keys sent (a machine under load takes longer; not a timing test)."""
    for _ in range(50):
        await pilot.pause(0.1)
        if done():
            break
    await pilot.pause(0.2)


def burst(app, *names: str) -> None:
    """Keys as a terminal delivers a fast typist's: all queued at once, no pause between them."""
    for name in names:
        app._driver.send_message(events.Key(name, name if len(name) == 1 else None))


def vendor(app, i: int) -> dict:
    return app.screen.session.data["workloads"][0]["vendors"][i]


async def at_gate4(pilot, app):
    await pilot.pause()
    screen = app.screen
    await screen.show_section(screen.sections.index(next(s for s in screen.sections if s.id == "vendors")))
    await app.workers.wait_for_complete()
    await pilot.pause()
    bar = screen.current_view().query_one(GATE4, ChoiceBar)
    screen.set_focus(bar)
    await pilot.pause()
    return screen


async def test_a_letter_right_after_f8_answers_the_next_vendor(tmp_path):
    target = copy(tmp_path)
    app = AdvisorApp(str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_gate4(pilot, app)
        assert "reliability_failover" not in vendor(app, 0)["gates"]
        await pilot.press("f8", "c")
        await pilot.pause(0.3)
        assert screen.vi == 1
        # Fireworks (shown) got the answer, on the same gate; Together (hidden) kept its answers
        assert vendor(app, 1)["gates"].get("reliability_failover") == "conditional"
        assert "reliability_failover" not in vendor(app, 0)["gates"]
        assert app.focused is screen.current_view().query_one(GATE4, ChoiceBar)
        # and back: F7 then a letter answers Together's gate 4
        await pilot.press("f7", "f")
        await pilot.pause(0.3)
        assert screen.vi == 0
        assert vendor(app, 0)["gates"].get("reliability_failover") == "fail"
        assert vendor(app, 1)["gates"].get("reliability_failover") == "conditional"
        await pilot.pause(0.6)
    saved = target.read_text()
    assert "reliability_failover: conditional" in saved and "reliability_failover: fail" in saved


async def test_a_burst_of_f8_and_letters_lands_in_order(tmp_path):
    """As a terminal delivers a fast typist's keys: no pause at all between them."""
    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_gate4(pilot, app)
        burst(app, "f8", "c", "f8", "p", "f8", "f")  # wraps round to Together
        await settle(pilot, lambda: vendor(app, 0)["gates"].get("reliability_failover"))
        assert screen.vi == 0
        assert vendor(app, 1)["gates"]["reliability_failover"] == "conditional"
        assert vendor(app, 2)["gates"]["reliability_failover"] == "pass"
        assert vendor(app, 0)["gates"]["reliability_failover"] == "fail"


async def test_arrows_on_the_vendor_tabs_then_a_gate(tmp_path):
    """→ → on the vendor tabs, Tab to the first gate, a letter: the third vendor's gate 1."""
    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_gate4(pilot, app)
        screen.set_focus(screen.current_view().query_one(".vendor-tabs"))
        await pilot.pause()
        burst(app, "right", "right", "tab", "f")
        await settle(pilot, lambda: vendor(app, 2)["gates"].get("model_availability"))
        assert screen.vi == 2
        assert vendor(app, 2)["gates"]["model_availability"] == "fail"
        assert vendor(app, 0)["gates"]["model_availability"] == "pass"  # as in the example
        assert vendor(app, 1)["gates"]["model_availability"] == "fail"


async def test_enter_in_the_section_list_then_typing(tmp_path):
    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(160, 40)) as pilot:  # the list is shown from 150 columns
        await pilot.pause()
        screen = app.screen
        nav = screen.query_one("#nav")
        screen.set_focus(nav)
        nav.highlighted = 0
        await pilot.pause()
        burst(app, "down", "enter", "end", *"-v2")  # 2 Workloads: its first question is the name
        await settle(pilot, lambda: screen.session.workload_names() == ["document-assistant-v2"])
        assert screen.sections[screen.section_index].id == "workloads"
        assert screen.session.workload_names() == ["document-assistant-v2"]


async def test_pgup_then_tab_then_typing_is_not_pulled_back(tmp_path):
    """Focus set by PgUp is not moved again once the section is laid out: Tab typed right after
    it stays where it went."""
    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        await screen.show_section(2)  # volume
        await pilot.pause()
        burst(app, "pageup", "tab", "end", *"-x")  # 2 Workloads: name, then Tab to kind
        await pilot.pause(0.5)
        await settle(pilot, lambda: screen.session.data["workloads"][0].get("kind") != "rag")
        assert screen.session.workload_names() == ["document-assistant"]
        # `x` is no kind's letter, `-` neither: the kind is as it was and the name untouched
        assert app.focused is screen.current_view().query_one("#q-kind ChoiceBar")


async def test_a_in_the_workload_list_then_the_new_name(tmp_path):
    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        await screen.show_section(1)
        await pilot.pause()
        screen.set_focus(screen.current_view().query_one("#workload-list"))
        await pilot.pause()
        burst(app, "a", "ctrl+u", *"chat-bot")
        await settle(pilot, lambda: "chat-bot" in screen.session.workload_names())
        assert screen.session.workload_names() == ["document-assistant", "chat-bot"]  # one added, named


async def test_a_palette_jump_then_typing(tmp_path):
    """A palette command is awaited where the palette runs it: the next keys go to the section shown."""
    from advisor.tui.commands import InterviewCommands

    app = AdvisorApp(str(copy(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        go = dict((name, cmd) for name, cmd, _ in InterviewCommands(screen)._commands())["Go to: Workloads"]
        app.call_later(go)
        burst(app, "end", *"-v2")
        await settle(pilot, lambda: screen.session.workload_names() == ["document-assistant-v2"])
        assert screen.session.data["organization"] == "B2B SaaS (field guide Part 1, Volume Gate)"
        assert screen.session.workload_names() == ["document-assistant-v2"]
