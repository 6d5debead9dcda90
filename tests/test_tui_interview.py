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
    """In a number question: value, Tab, confidence key, Tab, note, Tab to the next question."""
    await keys(pilot, *value, "tab", *([confidence[0]] if confidence else []), "tab", *(note or ""), "tab")


async def next_section(pilot) -> None:
    await pilot.press("pagedown")
    await pilot.pause()


async def interview_part1(pilot, app) -> None:
    ex = example()
    w = ex["workloads"][0]
    screen = app.screen
    assert isinstance(screen, InterviewScreen)

    # 1 Organization
    await type_text(pilot, ex["organization"])
    await keys(pilot, "tab")
    await type_text(pilot, ex["prepared_for"])
    await keys(pilot, "tab")
    await type_text(pilot, "2026-11-22")
    await keys(pilot, "tab")
    await answer_number(pilot, "100")
    await answer_number(pilot, "150")
    await next_section(pilot)

    # 2 Workloads: rename the first one, describe it
    assert screen.sections[screen.section_index].id == "workloads"
    await keys(pilot, "end", "ctrl+u")
    await type_text(pilot, "document-assistant")
    await keys(pilot, "tab", "c", "tab")  # kind: chat
    await type_text(pilot, NOTES)
    await next_section(pilot)

    # 3 Volume
    assert screen.sections[screen.section_index].id == "volume"
    await pilot.press("enter")
    await type_text(pilot, "openai/gpt-5.5")
    await pilot.press("enter", "tab")
    await answer_number(pilot, "800k")
    await answer_number(pilot, "1,000")
    await answer_number(pilot, "500")
    await answer_number(pilot, "5")  # percent
    await answer_number(pilot, "92")
    await answer_number(pilot, "12", "estimated", "team's own time tracking, not yet two months of data")
    await answer_number(pilot, "0")
    await tick(pilot, [option_index(c) for c in w["profile"]["candidates"]], fast=True)
    await keys(pilot, "tab")
    await answer_number(pilot, "40")
    await answer_number(pilot, "8", "estimated", "Part 1: a standard migration takes 6-10 engineer-weeks")
    await keys(pilot, "y")  # steady traffic
    await next_section(pilot)

    # 4 Specialization gate
    assert screen.sections[screen.section_index].id == "specialization"
    await keys(pilot, "n", "tab", "n", "tab", "n", "tab", "y", "tab")
    await keys(pilot, "tab", "tab", "tab")  # eval gap: not answered (its default applies)
    await keys(pilot, "n", "tab", "n")
    await next_section(pilot)

    # 5 Ownership gate
    await keys(pilot, "n", "tab", "n", "tab", "n", "tab")
    await answer_number(pilot, "0.5")
    await next_section(pilot)

    # 6 Migration complexity (1 + 2 + 2 + 2 + 2 + 2 = 11)
    await keys(pilot, "l", "tab", "m", "tab", "m", "tab", "m", "tab", "m", "tab", "m")
    await next_section(pilot)

    # 7 Vendor gates: pick the three candidates, then score each
    assert screen.sections[screen.section_index].id == "vendors"
    await tick(pilot, [0, 1, 2])
    await pilot.pause()
    await keys(pilot, "tab")  # to the vendor tabs
    await pilot.press("left", "left")  # together/deepseek-v3
    await pilot.pause()
    vendors = {v["option"]: v for v in w["vendors"]}
    order = ["model_availability", "latency_under_load", "throughput_economics", "reliability_failover",
             "compliance_data_handling", "integration_complexity", "pricing_trajectory"]
    for vi, option in enumerate(["together/deepseek-v3", "fireworks/llama-70b", "lambda/h100"]):
        if vi:  # the mouse works too: click the vendor's tab
            await pilot.click(screen.current_view().query_one(f"#vd-{vi}"))
            await pilot.pause()
        assert screen.vi == vi
        v = vendors[option]
        await keys(pilot, "tab")
        answered = [g for g in order if g in v["gates"] or g in v.get("notes", {})]
        for gate in order[: order.index(answered[-1]) + 1]:
            verdict = v["gates"].get(gate)
            note = v.get("notes", {}).get(gate)
            await keys(pilot, *([verdict[0]] if verdict else []), "tab", *(note or ""), "tab")
    await next_section(pilot)

    # 8 Current operations
    assert screen.sections[screen.section_index].id == "operations"
    await keys(pilot, "0", "tab")
    await answer_number(pilot, "16800", "estimated", ex["operations"]["monthly_inference_spend"]["note"])
    await answer_number(pilot, "2")
    await answer_number(pilot, "0")
    await keys(pilot, "n", "tab", "n", "tab", "0", "tab")
    await answer_number(pilot, "1500")
    await next_section(pilot)


async def test_part1_interview_typed_key_by_key(tmp_path):
    target = tmp_path / "part1.yaml"
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await interview_part1(pilot, app)
        screen = app.screen
        assert screen.sections[screen.section_index].id == "results"
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        text = screen_text(app)
        # the live panel: the guide's Part 1 table and payback
        assert "$18,128" in text
        assert "$2,546" in text and "together/deepseek-v3" in text
        assert "Payback 3.1 months" in text
        # the results screen: the staged recommendation and the why
        assert "migrate" in text and "Stage" in text
        why = plain(screen.current_view().query_one(ResultsView).detail)
        assert "Recommended option: together/deepseek-v3 at $2,546/month (today $18,128)" in why
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
