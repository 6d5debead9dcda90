"""The memo's speed-ups change nothing a reader sees (issue 10, item 3).

`advisor memo` draws the charts in a forked child process while the parent
renders the template and imports WeasyPrint (advisor.report.charts.Batch). The
memo the user's command writes must read exactly like one rendered with every
chart drawn in turn in one process: page by page, the same extracted text, and
an HTML with every chart in place (no placeholder left behind).
"""

from __future__ import annotations

import io
import os

import pytest

pypdf = pytest.importorskip("pypdf")

from advisor.assess import assess  # noqa: E402
from advisor.loader import load_questionnaire  # noqa: E402
from advisor.report import charts, memo  # noqa: E402
from advisor.resources import data_path  # noqa: E402

PART1 = data_path("questionnaires", "examples", "part1-b2b-saas.yaml")


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def serial_pdf():
    """Part 1 rendered with the optimisation switched off: every chart drawn here, in turn."""
    return memo.render_pdf(assess(load_questionnaire(PART1)), deterministic=True, parallel=False)


def test_the_users_command_writes_the_same_memo_as_a_serial_render(serial_pdf, tmp_path, advisor_cmd):
    out, html = tmp_path / "p1.pdf", tmp_path / "p1.html"
    proc = advisor_cmd("memo", str(PART1), "-o", str(out), "--html", str(html), "--deterministic")
    assert proc.returncode == 0, proc.stderr
    fast, slow = pages_text(out.read_bytes()), pages_text(serial_pdf)
    assert len(fast) == len(slow)
    for number, (a, b) in enumerate(zip(fast, slow), start=1):
        assert a == b, f"page {number} differs"
    text = html.read_text(encoding="utf-8")
    assert "advisor-chart-" not in text
    assert text.count('<svg class="chart"') == 4  # bars, sensitivity, cost vs volume, savings timeline
    assert "LCPR ($ per successful request)" in text  # a chart's own text, drawn in the child


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_chart_child_that_dies_costs_time_not_charts():
    """A child that dies before sending its charts (a crash in a native library):
    the parent draws them itself, and the memo has every chart."""
    drawn = []

    def chart(n):
        drawn.append(n)
        return f"<svg>{n}</svg>"

    batch = charts.Batch()
    pending = [batch.add(chart, (n,), {}) for n in range(3)]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the dying child: sends nothing
        os._exit(1)
    os.close(write)
    batch._children = [(pid, read, [0, 1, 2])]
    assert batch.fill("".join(p.token for p in pending)) == "<svg>0</svg><svg>1</svg><svg>2</svg>"
    assert drawn == [0, 1, 2]
    assert str(pending[1]) == "<svg>1</svg>"
