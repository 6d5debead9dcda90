"""The memo as its readers see it (issue 11): page 1 decides with the decision
record's own figures, a stay shows what it forgoes, every bundled example keeps
its page budget with no near-empty page, and the charts print plain text.

Every bundled example is rendered once for the module (two worker processes,
about four seconds a memo); the checks read the PDFs' text with pypdfium2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pdfium = pytest.importorskip("pypdfium2")

from advisor.assess import assess  # noqa: E402
from advisor.loader import load_questionnaire  # noqa: E402
from advisor.report import fmt, memo  # noqa: E402
from advisor.report.charts import MIN_FONT  # noqa: E402

from conftest import EXAMPLES  # noqa: E402

SINGLE_BUDGET = 6  # pages, A4, appendix included (issue 11, item 2)
TEN_WORKLOAD_BUDGET = 20
MIN_FILL = 0.15  # a page with less ink than this share of its text block is "near-empty"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _budget(workloads: int) -> int:
    # 6 pages for one workload, 20 for ten, linear between (and beyond).
    return SINGLE_BUDGET + round((TEN_WORKLOAD_BUDGET - SINGLE_BUDGET) * (workloads - 1) / 9)


@pytest.fixture(scope="module")
def memos(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("memos")
    results = memo.write_memos(EXAMPLE_FILES, out, jobs=2, deterministic=True)
    assert all(err is None for _, _, err in results), [err for _, _, err in results if err]
    rendered = {}
    for src, pdf_path, _ in results:
        doc = pdfium.PdfDocument(str(pdf_path))
        pages = [re.sub(r"\s+", " ", doc[i].get_textpage().get_text_range()) for i in range(len(doc))]
        rendered[src.stem] = {"pdf": pdf_path, "pages": pages, "a": assess(load_questionnaire(src))}
    return rendered


def _ink(pdf_path: Path) -> list[float]:
    """For each page, how far down its text block the last ink reaches (0 = empty, 1 = full)."""
    doc = pdfium.PdfDocument(str(pdf_path))
    out = []
    for i in range(len(doc)):
        img = doc[i].render(scale=0.4).to_pil().convert("L")
        w, h = img.size
        top, bottom = int(h * 0.06), int(h * 0.93)  # inside the running header and footer
        px = img.load()
        last = top
        for y in range(top, bottom):
            if any(px[x, y] < 200 for x in range(int(w * 0.07), int(w * 0.93), 2)):
                last = y
        out.append((last - top) / (bottom - top))
    return out


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLE_FILES])
def test_page_one_figures_are_the_records(memos, name):
    m = memos[name]
    page1, records = m["pages"][0], m["a"].records
    assert "The decision" in page1
    moving = [r for r in records if r.decision == "migrate"]
    cost_today = sum(r.loaded_cost_today for r in records)
    assert fmt.money(cost_today) in page1
    if moving:
        assert fmt.money(sum(r.savings_per_month for r in moving)) in page1
        assert fmt.money(sum(r.migration_cost for r in moving)) in page1
        assert "The ask." in page1 and "engineer-weeks" in page1
    else:
        assert "MONTHLY SAVINGS $0" not in page1.upper().replace("\n", " ")
    for r in records:
        assert r.workload in page1
    # Words for a CFO: no command lines, and no GPU utilization row for a company without a GPU.
    assert "advisor score" not in page1 and "--format" not in page1
    gpu = any(line is not None and line.deployment in ("dedicated", "managed_dedicated") for r in records for line in (r.today, r.recommended if r.decision == "migrate" else None))
    if not gpu:  # the default utilization equals the revert threshold: a row that says nothing
        assert not re.search(r"Dedicated GPU utilization \(prices dedicated options\)( · \S+)? \d+% \d+%", " ".join(m["pages"]))


def test_a_stay_shows_what_it_forgoes_and_what_would_unlock_it(memos):
    """Simple-7 (field guide, complexity example): a cheaper option saves $14K/month; no ML capacity blocks it."""
    m = memos["complexity-simple-7"]
    rec = m["a"].records[0]
    assert rec.decision == "stay" and rec.forgone_savings_per_month > 10_000
    page1 = m["pages"][0]
    assert f"forgoes {fmt.money(rec.forgone_savings_per_month)}/month" in page1
    assert "Forgone savings" in page1 or "FORGONE SAVINGS" in page1
    assert rec.unlock[0][:40] in page1
    assert "Fireworks AI Llama 70B" in page1  # the product, not fireworks/llama-70b


def test_every_example_keeps_its_page_budget_with_no_near_empty_page(memos):
    counts = {name: len(m["pages"]) for name, m in memos.items()}
    for name, m in memos.items():
        assert counts[name] <= _budget(len(m["a"].workloads)), counts
        fill = _ink(m["pdf"])
        assert min(fill) >= MIN_FILL, (name, [round(f, 2) for f in fill])


def test_page_one_splits_the_signals_and_holds_on_one_page(memos):
    for name, m in memos.items():
        page1 = m["pages"][0]
        assert "Quiet (" in page1 and "Not measured (" in page1, name
        assert re.match(r"\s*2 Gates", m["pages"][1]), (name, m["pages"][1][:80])  # page 1 did not spill over


def test_charts_print_plain_labels_at_a_readable_size():
    a = assess(load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml"))
    html = memo.render_html(a, deterministic=True)
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert len(svgs) == 4  # LCPR bars, sensitivity, cost vs volume, savings timeline
    for svg in svgs:
        assert "mathdefault" not in svg and "times10" not in svg
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]  # viewBox units are points
        assert sizes and min(sizes) >= MIN_FONT, sorted(set(sizes))
    assert "$10K" in html and "$0.0035" in html  # dollar ticks in plain text


# ---------------------------------------------------------------- ranges, risks, owners (issue 11, item 1)


def test_the_savings_range_brackets_the_base_and_is_the_records(memos):
    """Part 1's $15,582/month is a point; page 1 says how far it moves if the assumed inputs are off."""
    checked = set()
    for name, m in memos.items():
        page1 = re.sub(r"\s+", " ", m["pages"][0])
        shown = {tuple(float(x.replace("$", "").replace(",", "")) for x in hit)
                 for hit in re.findall(r"range (-?\$[\d,]+)–(-?\$[\d,]+) if the assumed inputs are off by their usual spread", page1)}
        for rec in m["a"].records:
            sr = rec.savings_range
            if sr is None or not sr.drivers or len(m["a"].records) > 3:
                continue
            assert sr.low <= rec.savings_per_month <= sr.high, (name, sr)
            assert sr.base == rec.savings_per_month
            if rec.decision == "migrate" or rec.forgone_savings_per_month:  # a saving or a forgone saving is on the page
                assert (round(sr.low), round(sr.high)) in shown, (name, shown, page1[:600])
                checked.add(rec.decision)
    assert checked == {"migrate", "stay"}


def test_the_savings_range_moves_only_unmeasured_inputs():
    a = assess(load_questionnaire(EXAMPLES / "part1-b2b-saas.yaml"))
    rec, r = a.records[0], a.workloads[0]
    sr = rec.savings_range
    assert sr.low < sr.base < sr.high
    measured = {k for k, v in r.priced.inputs.items() if v.confidence == "measured"}
    assert sr.drivers and not {d["input"] for d in sr.drivers} & measured
    # Output length is the widest swing: half to double today's 500 tokens.
    assert sr.drivers[0]["input"] == "profile.output_tokens" and (sr.drivers[0]["from"], sr.drivers[0]["to"]) == (250, 1000)
    assert rec.to_dict()["savings_range"]["low"] == round(sr.low, 6)


def test_a_risk_row_names_its_likelihood_impact_and_mitigation(memos):
    page1 = re.sub(r"\s+", " ", memos["part1-b2b-saas"]["pages"][0])
    assert "Risk Likelihood Impact Mitigation" in page1
    rec = memos["part1-b2b-saas"]["a"].records[0]
    # Part 1, Volume Gate: "If the migration takes 12 weeks instead of 8 ... the payback stretches".
    assert rec.payback_if_overrun_months > rec.payback_months
    assert re.search(r"takes 12 engineer-weeks instead of 8: the budget grows to \$72,000 and payback moves from "
                     + re.escape(fmt.months(rec.payback_months)) + " to " + re.escape(fmt.months(rec.payback_if_overrun_months))
                     + r"\. (High|Medium|Low) (High|Medium|Low) Staff it", page1), page1
    assert re.search(r"40% below today\. (High|Medium|Low) (High|Medium|Low) Measure requests per month", page1)
    for name, m in memos.items():  # every memo with a cheaper option has at least one risk row
        if any(r.savings_per_month and r.savings_per_month > 0 for r in m["a"].records):
            assert re.search(r"(High|Medium|Low) (High|Medium|Low) \S", re.sub(r"\s+", " ", m["pages"][0])), name


def test_next_steps_have_an_owner_and_a_date_after_the_assessment(memos):
    import datetime as dt

    for name, m in memos.items():
        page1 = re.sub(r"\s+", " ", m["pages"][0])
        assessed = m["a"].questionnaire.assessed_on
        steps = re.findall(r"— ([A-Z][A-Za-z ]+), by (\d{4}-\d{2}-\d{2})", page1)
        if not steps:
            continue
        for owner, due in steps:
            assert dt.date.fromisoformat(due) > assessed, (name, owner, due)
    part1 = re.sub(r"\s+", " ", memos["part1-b2b-saas"]["pages"][0])
    assert "Approve the $48,000 budget and name the migration's owner. — CFO, by 2026-12-06" in part1
    assert re.search(r"Trial Together AI DeepSeek V3 on your own prompts.*— Engineering lead, by 2026-12-\d\d", part1)


def test_the_diff_addendum_is_one_page_with_labels_units_and_points(tmp_path):
    """Q3 -> Q4 Northwind (issue 11, item 5): plain labels, units, +1 point for 2% -> 3%."""
    from click.testing import CliRunner

    from advisor.cli import cli

    snaps = EXAMPLES / "snapshots"
    out = tmp_path / "diff.pdf"
    res = CliRunner().invoke(cli, ["diff", str(snaps / "2026-q3-northwind.yaml"), str(snaps / "2026-q4-northwind.yaml"), "--pdf", str(out)])
    assert res.exit_code == 0, res.output
    doc = pdfium.PdfDocument(str(out))
    assert len(doc) == 1
    text = re.sub(r"\s+", " ", doc[0].get_textpage().get_text_range())
    assert "Fallback share of traffic 2% 3% +1 point" in text and "+50%" not in text
    assert "operations." not in text and "profile." not in text  # no raw field paths
    assert "Together AI 70B on managed H100 endpoint" in text  # product names, not catalog ids
    assert re.search(r"Loaded cost today \$10,942/mo \$12,308/mo \+12%", text)
