"""The whole Part 1 worked example, typed key by key into the interview.

Ends with the field guide's numbers on screen, the saved file equal (as data)
to questionnaires/examples/part1-b2b-saas.yaml, and a memo written.
"""

from __future__ import annotations

import importlib.util

import pytest

from advisor.tui.app import AdvisorApp, InterviewScreen
from advisor.yamlio import read_yaml
from test_tui_support import PART1, _isolated_config, keys, option_index, plain, screen_text, tick, type_text  # noqa: F401
from advisor.tui.results import ResultsView

NOTES = (
    "The product's in-app assistant: drafts and rewrites customer documents with moderate prompt engineering "
    "and JSON-mode output. The team already runs a production eval suite, so candidate models can be checked on "
    "its own tasks before the migration clock starts (Part 1, \"Quality degradation risk\")."
)
HAS_MEMO = importlib.util.find_spec("advisor.report.memo") is not None


def example() -> dict:
    return read_yaml(PART1).data


async def answer_number(pilot, value: str, confidence: str | None = None, note: str | None = None) -> None:
    """A number question: the value, then Enter to the next question; or Tab to the confidence,
    its letter (which stays there), Tab to the note, the note, and Enter."""
    await type_text(pilot, value)
    if confidence:
        await pilot.press("tab", confidence[0], "tab")
        await type_text(pilot, note or "")
    await pilot.press("enter")


async def pick(pilot, *letters: str) -> None:
    """Choices picked by their letters (focus stays on the choice), each followed by Enter to move on."""
    for letter in letters:
        await pilot.press(letter, "enter")


async def next_section(pilot) -> None:
    await pilot.press("pagedown")
    await pilot.pause()


async def interview_part1(pilot, app) -> None:
    ex = example()
    w = ex["workloads"][0]
    screen = app.screen
    assert isinstance(screen, InterviewScreen)

    # 1 Organization
    for text in (ex["organization"], ex["prepared_for"], "2026-11-22", "100", "150"):
        await type_text(pilot, text)
        await pilot.press("enter")
    await next_section(pilot)

    # 2 Workloads: rename the first one, describe it
    assert screen.sections[screen.section_index].id == "workloads"
    await keys(pilot, "end", "ctrl+u")
    await type_text(pilot, "document-assistant")
    await pilot.press("enter")
    await pick(pilot, "c")  # kind: chat
    await type_text(pilot, NOTES)
    await next_section(pilot)

    # 3 Volume
    assert screen.sections[screen.section_index].id == "volume"
    await pilot.press("enter")  # open the option list, type to search
    await type_text(pilot, "openai/gpt-5.5")
    await pilot.press("enter", "tab")
    await answer_number(pilot, "800k")
    await answer_number(pilot, "1,000")
    await answer_number(pilot, "500")
    await answer_number(pilot, "5")  # percent
    await answer_number(pilot, "92")
    await answer_number(pilot, "12", "estimated", "team's own time tracking, not yet two months of data")
    await answer_number(pilot, "0")
    await pilot.press("enter")  # batch-eligible share: left unanswered, Enter moves on
    await tick(pilot, [option_index(c) for c in w["profile"]["candidates"]], fast=True)
    await pilot.press("tab")
    await answer_number(pilot, "40")
    await answer_number(pilot, "8", "estimated", "Part 1: a standard migration takes 6-10 engineer-weeks")
    await pick(pilot, "y")  # steady traffic
    await next_section(pilot)

    # 4 Specialization gate (the eval gap is left unanswered: Enter moves on)
    assert screen.sections[screen.section_index].id == "specialization"
    await pick(pilot, "n", "n", "n", "y")
    await pilot.press("enter")
    await pick(pilot, "n", "n")
    await next_section(pilot)

    # 5 Ownership gate
    await pick(pilot, "n", "n", "n")
    await answer_number(pilot, "0.5")
    await next_section(pilot)

    # 6 Migration complexity (1 + 2 + 2 + 2 + 2 + 2 = 11)
    await pick(pilot, "l", "m", "m", "m", "m", "m")
    await next_section(pilot)

    # 7 Vendor gates: pick the three candidates, then score each
    assert screen.sections[screen.section_index].id == "vendors"
    await tick(pilot, [0, 1, 2])
    await pilot.press("tab")  # to the vendor tabs
    await pilot.press("left", "left")  # together/deepseek-v3
    await pilot.pause()
    vendors = {v["option"]: v for v in w["vendors"]}
    order = ["model_availability", "latency_under_load", "throughput_economics", "reliability_failover",
             "compliance_data_handling", "integration_complexity", "pricing_trajectory"]
    for vi, option in enumerate(["together/deepseek-v3", "fireworks/llama-70b", "lambda/h100"]):
        if vi:  # the mouse works too: click the vendor's tab
            tab = screen.current_view().query_one(f"#vd-{vi}")
            tab.scroll_visible(animate=False)
            await pilot.pause()
            await pilot.click(tab)
            await pilot.pause()
        assert screen.vi == vi
        v = vendors[option]
        await pilot.press("tab")
        answered = [g for g in order if g in v["gates"] or g in v.get("notes", {})]
        for gate in order[: order.index(answered[-1]) + 1]:
            verdict = v["gates"].get(gate)
            # a verdict's letter picks it (focus stays); Tab goes on to its note
            await pilot.press(*([verdict[0], "tab"] if verdict else ["tab"]))
            await type_text(pilot, v.get("notes", {}).get(gate, ""))
            await pilot.press("enter")  # to the next gate
    await next_section(pilot)

    # 8 Current operations
    assert screen.sections[screen.section_index].id == "operations"
    await pick(pilot, "0")
    await answer_number(pilot, "16800", "estimated", ex["operations"]["monthly_inference_spend"]["note"])
    await answer_number(pilot, "2")
    await answer_number(pilot, "0")
    await pick(pilot, "n", "n", "0")
    await answer_number(pilot, "1500")


async def test_part1_interview_typed_key_by_key(tmp_path):
    target = tmp_path / "part1.yaml"
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await interview_part1(pilot, app)
        screen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        # the live panel beside the questions: the guide's Part 1 table and payback
        text = screen_text(app)
        assert "$18,128" in text
        assert "$2,546" in text and "together/deepseek-v3" in text
        assert "Payback 3.1 months" in text
        # the results screen: the staged recommendation and the why
        await next_section(pilot)
        assert screen.sections[screen.section_index].id == "results"
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "document-assistant: migrate" in text and "Today $18,128/month" in text
        why = plain(screen.current_view().query_one(ResultsView).detail)
        # (which candidate the vendor gates prefer is the rules' call; the guide's numbers are not)
        assert "Recommended option: " in why and "/month (today $18,128)" in why
        assert "pays back in 3.1 months" in why

        # the answers were autosaved beside the (not yet saved) target
        assert (tmp_path / "part1.autosave.yaml").exists()

        # export the memo
        await keys(pilot, "ctrl+e")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        memo = tmp_path / "part1-memo.pdf"
        if HAS_MEMO:
            assert memo.exists() and memo.read_bytes()[:5] == b"%PDF-"
            assert app.memo_written == memo
        # save
        await keys(pilot, "ctrl+s")
        await pilot.pause()
    assert target.exists()
    assert not (tmp_path / "part1.autosave.yaml").exists()
    saved = read_yaml(target).data
    assert saved == example()
