"""The decision record (issue 9): one per workload, computed once, and what
`score --format json` prints is that record, not a recomputation."""

from __future__ import annotations

import pytest

from advisor.assess import assess
from advisor.loader import load_questionnaire
from advisor.render.result import assessment_dict
from conftest import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml"))[:4]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_one_record_per_workload_and_json_carries_it(path):
    a = assess(load_questionnaire(path))
    assert [r.workload for r in a.records] == [w.workload.name for w in a.workloads]
    d = assessment_dict(a, include_trace=False)
    for wd, rec in zip(d["workloads"], a.records):
        r = wd["record"]
        assert r == rec.to_dict()
        # the three named spend figures are today's option's invoice and loaded cost
        assert r["invoice_today"] == r["today"]["invoice"]
        assert r["loaded_cost_today"] == r["today"]["loaded_cost"]
        if r["recommended"] is not None:
            assert r["savings_per_month"] == pytest.approx(r["loaded_cost_today"] - r["recommended_loaded_cost"], abs=0.01)
        # options not chosen say why not
        for o in r["options"]:
            if o["id"] not in (r["today"]["id"], (r["recommended"] or {}).get("id")):
                assert o["why_not"]
