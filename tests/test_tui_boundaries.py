"""Issue 6 in the interview: selecting a workload's decision says what would change it."""

from __future__ import annotations

import shutil

from rich.console import Console

from advisor.tui.app import AdvisorApp, InterviewScreen
from advisor.tui.results import ResultsView
from tests.conftest import EXAMPLES


def text_of(renderable) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


async def test_decision_why_lists_what_would_change_the_answer(tmp_path):
    target = tmp_path / "part1.yaml"
    shutil.copy(EXAMPLES / "part1-b2b-saas.yaml", target)
    before = target.read_text()
    app = AdvisorApp(str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await app.workers.wait_for_complete()
        await screen.show_section(8)  # results
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        view = app.screen.query_one(ResultsView)
        ol = view.query_one("#conclusions")
        ol.highlighted = None
        ol.highlighted = 0  # the workload's decision
        await pilot.pause(0.1)
        for _ in range(50):  # the search runs in a worker thread
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            if "What would change the answer" in text_of(view.detail):
                break
        body = text_of(view.detail)
        assert "What would change the answer" in body
        assert "below 476,000 requests/month" in body  # $10K invoice / $16,800 x 800K
    assert target.read_text() == before  # looking changes nothing
