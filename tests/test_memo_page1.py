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
