"""One decision, the same numbers everywhere (issue 9 item 5).

For every bundled example and the Q3/Q4 snapshots, the figures a reader
compares -- today's cost, savings, payback, the recommended option -- read
the same in `score --format json`, the interview's results panel and why
view, and `advisor diff`, because each renders the decision record.
(The memo's page 1 is checked in tests/test_memo.py.)
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from advisor.analysis.diff import diff
from advisor.assess import assess
from advisor.loader import load_questionnaire
from advisor.render.result import assessment_dict
from advisor.tui.results import conclusions, detail_renderable, money, panel_renderable
from conftest import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "snapshots").glob("*.yaml"))


def text_of(renderable) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(renderable)
    return " ".join(buf.getvalue().split())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_json_and_interview_show_the_records_figures(path):
    a = assess(load_questionnaire(path))
    d = assessment_dict(a, include_trace=True)
    items = {key: item for key, _label, item in conclusions(d)}
    for wi, (wd, rec) in enumerate(zip(d["workloads"], a.records)):
        assert wd["record"] == rec.to_dict()
        panel = text_of(panel_renderable(d, rec.workload))
        assert money(rec.loaded_cost_today) in panel
        if rec.decision == "migrate" and rec.recommended is not None:
            if rec.savings_per_month >= 0:
                assert f"Saves {money(rec.savings_per_month)}/month" in panel
            else:  # a forced move that costs more says so, not "Saves $-2,909"
                assert f"Costs {money(-rec.savings_per_month)}/month more" in panel
            why = text_of(detail_renderable(d, items[f"w{wi}"]))
            assert money(rec.recommended.loaded_cost) in why
            if rec.payback_months is not None:
                assert f"pays back in {rec.payback_months:.1f} months, {rec.payback_from_decision_months:.1f} from the decision" in why
            assert f"Confidence: {rec.confidence}" in why


def test_diff_reads_the_figures_of_each_snapshots_record():
    q3, q4 = (assess(load_questionnaire(EXAMPLES / "snapshots" / f"2026-{q}-northwind.yaml")) for q in ("q3", "q4"))
    d = diff(q3, q4)
    old = {r.workload: r for r in q3.records}
    new = {r.workload: r for r in q4.records}
    fields = {"invoice_today": "invoice_today", "current_monthly_cost": "loaded_cost_today",
              "savings_per_month": "savings_per_month", "payback_months": "payback_months"}
    seen = 0
    for row in d["figures"]:
        attr = fields.get(row["figure"])
        if attr is None:
            continue
        seen += 1
        for side, recs in (("old", old), ("new", new)):
            value = getattr(recs[row["workload"]], attr)
            assert (row[side] is None and value is None) or row[side] == pytest.approx(value, abs=1e-4)
    assert seen >= 4
    rec_changes = {c["workload"]: c for c in d["conclusions"] if c["conclusion"] == "recommended_option"}
    for name, c in rec_changes.items():
        assert c["new"] == (new[name].recommended.id if new[name].recommended else None)
