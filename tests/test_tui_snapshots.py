"""Snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Update the baselines after an intended change with:
    pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import shutil

import pytest

from advisor.tui.app import AdvisorApp
from test_tui_support import PART1, _isolated_config  # noqa: F401

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def part1_app(tmp_path) -> AdvisorApp:
    target = tmp_path / "part1-b2b-saas.yaml"
    shutil.copy(PART1, target)
    return AdvisorApp(str(target))


def at_section(index: int, *, workload: int = 0, vendor: int = 0, keys: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.wi, screen.vi = workload, vendor
        await screen.show_section(index)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
        # a highlighted decision starts its boundary search (a worker): show it finished
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # pin the top of the section (where focus scrolled to depends on when the results arrived)
        screen.query_one("#section-body").scroll_home(animate=False)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare, size):
    assert snap_compare(AdvisorApp(None), terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("section", ["volume", "vendors", "results"])
def test_interview_sections(snap_compare, tmp_path, size, section):
    index = ["organization", "workloads", "volume", "specialization", "ownership", "complexity", "vendors",
             "operations", "results", "export"].index(section)
    assert snap_compare(part1_app(tmp_path), terminal_size=SIZES[size], run_before=at_section(index))


def test_results_tab_on_a_narrow_terminal(snap_compare, tmp_path):
    assert snap_compare(part1_app(tmp_path), terminal_size=(80, 24), run_before=at_section(2, keys=("ctrl+r",)))


def test_complexity_in_the_light_theme(snap_compare, tmp_path):
    assert snap_compare(part1_app(tmp_path), terminal_size=(120, 40), run_before=at_section(5, keys=("ctrl+t",)))
