"""The PDF decision memo (issue 4): sections, the Part 1 worked numbers, the vendor
matrix, escaping and the URL fetcher, determinism, paper sizes, ten workloads.

PDFs are expensive (about a second or two each), so each is rendered once per
module and shared; the text checks read it with pypdf.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pypdf = pytest.importorskip("pypdf")

from advisor.assess import assess  # noqa: E402
from advisor.loader import load_questionnaire, load_text  # noqa: E402
from advisor.render.result import assessment_dict  # noqa: E402
from advisor.report import memo, pdf  # noqa: E402
from advisor.resources import data_path  # noqa: E402

PART1 = data_path("questionnaires", "examples", "part1-b2b-saas.yaml")
SECTIONS = ["The decision", "Gates", "Economics", "Migration complexity", "Vendor scorecard", "Staged plan", "What to watch", "Assumptions", "Appendix"]
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
INJECT_FILE = '<img src="file:///etc/passwd">'
INJECT_HTTP = '<img src="http://127.0.0.1:9/track.png"> <link rel=stylesheet href="http://127.0.0.1:9/x.css">'


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page_size(data: bytes) -> tuple[float, float]:
    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


@pytest.fixture(scope="module")
def part1():
    return assess(load_questionnaire(PART1))


@pytest.fixture(scope="module")
def part1_pdf(part1):
    log: list = []
    data = memo.render_pdf(part1, deterministic=True, fetch_log=log)
    return data, text_of(data), log


# ---------------------------------------------------------------- contents


def test_sections_appear_in_order(part1_pdf):
    _, text, _ = part1_pdf
    positions = [text.find(SECTIONS[0])] + [m.start() if (m := re.search(rf"^\d+\s+{title}\s*$", text, re.M)) else -1 for title in SECTIONS[1:]]
    assert all(p >= 0 for p in positions), dict(zip(SECTIONS, positions))
    assert positions == sorted(positions)


def test_part1_headline_figures(part1, part1_pdf):
    """Field guide Part 1: GPT-5.5 $18,128 → Together DeepSeek V3 $2,546/month, payback 3.1 months + lead time."""
    _, text, _ = part1_pdf
    d = assessment_dict(part1)["workloads"][0]
    assert d["decision"] == "migrate"
    assert d["recommended_option"]["option"] == "together/deepseek-v3"
    page1 = flat(re.split(r"^2\s+Gates", text, flags=re.M)[0])
    for figure in ("$18,128", "$2,546", "$15,582", "$48,000", "3.1 months", "6.6 months"):
        assert figure in page1, figure
    # Page 1 names products as the catalog does (provider + model), not catalog ids.
    assert "Together AI DeepSeek V3" in page1 and "OpenAI GPT-5.5" in page1
    assert "together/deepseek-v3" not in page1 and "openai/gpt-5.5" not in page1
    assert "B2B SaaS (field guide Part 1, Volume Gate)" in page1 and "CTO and VP Finance" in page1
    assert "2026-05-01" in page1  # pricing as-of
    # The LCPR table keeps every option of the guide's table. The assessment
    # prices the self-managed H100 with the table's 45 h of operations (Part 1,
    # "The engineering hours reality"), not the workload's 12 h: $4,201 + 33 h x $100.
    for option, monthly in (("OpenAI GPT-5.5", "$18,128"), ("Lambda 70B FP8 on H100 SXM", "$7,501"), ("Together AI DeepSeek V3", "$2,546"), ("Fireworks AI Llama 70B", "$2,462")):
        assert re.search(re.escape(option) + r".{0,120}?" + re.escape(monthly), flat(text)), option


def test_vendor_matrix_letters_match_the_assessment(part1, part1_pdf):
    _, text, _ = part1_pdf
    letters = {"pass": "P", "conditional": "C", "fail": "F"}
    body = flat(text)
    for v in assessment_dict(part1)["workloads"][0]["vendors"]:
        cells = " ".join(letters[g["verdict"]] + ("*" if g["prefilled"] else "") for g in v["gates"].values())
        product = {"together/deepseek-v3": "Together AI DeepSeek V3", "fireworks/llama-70b": "Fireworks AI Llama 70B", "lambda/h100": "Lambda 70B FP8 on H100 SXM"}[v["option"]]
        assert re.search(re.escape(product) + r" (LCPR #\d )?" + re.escape(cells), body), (product, cells)
    assert "Eliminated" in body and "pre-filled" in body


def test_pdf_metadata(part1_pdf):
    data, _, _ = part1_pdf
    meta = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "Inference decision memo: B2B SaaS (field guide Part 1, Volume Gate)"
    assert meta.author == "advisor"  # no prepared_by in the example: the tool, never the organization
    assert meta.subject == "Migrate document-assistant to Together AI DeepSeek V3: $15,582/month savings for a $48,000 budget"
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged: screen readers get the structure
    outline = [o.title for o in pypdf.PdfReader(io.BytesIO(data)).outline if not isinstance(o, list)]
    assert outline[:2] == ["The decision", "Gates"] and "Appendix" in outline


def test_bundled_memo_fetches_only_its_own_assets(part1_pdf):
    _, _, log = part1_pdf
    assert not [u for u, what in log if what == "refused"]


def test_monitoring_table_only_for_self_hosted_stages(part1_pdf):
    _, text, _ = part1_pdf
    assert "Time-to-first-token" not in text  # Stage 1, serverless: no self-hosted monitoring
    complex16 = assess(load_questionnaire(data_path("questionnaires", "examples", "complexity-complex-16.yaml")))
    html = memo.render_html(complex16, deterministic=True)
    for metric in ("Time-to-first-token (P95)", "P95 &gt; 500 ms", "P95 &gt; 80 ms", "&gt; 50 sustained for 2 minutes", "&gt; 92% sustained", "&lt; 15% sustained", "Any double-bit error"):
        assert metric in html, metric


# ---------------------------------------------------------------- determinism and paper


def test_deterministic_mode_gives_identical_text(part1, part1_pdf):
    data, text, _ = part1_pdf
    again = memo.render_pdf(part1, deterministic=True)
    assert text_of(again) == text
    assert again == data  # and the same bytes (fixed identifier, dates and font timestamps)


def test_paper_sizes(part1, part1_pdf, tmp_path):
    data, _, _ = part1_pdf
    assert page_size(data) == A4
    out = tmp_path / "letter.pdf"
    memo.write_memo(part1, out, tmp_path / "letter.html", paper="Letter", deterministic=True)
    assert page_size(out.read_bytes()) == LETTER
    assert "size: Letter" in (tmp_path / "letter.html").read_text()
    assert [p.name for p in tmp_path.iterdir()] and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # atomic: no temp left


def test_bad_paper_is_refused(part1):
    with pytest.raises(Exception, match="A4 or Letter"):
        memo.render_html(part1, paper="A3")


# ---------------------------------------------------------------- security


def _injected_questionnaire() -> str:
    doc = yaml.safe_load(PART1.read_text())
    w = doc["workloads"][0]
    w["name"] = '<b>doc & "assistant"</b>'
    w["notes"] = f"Ignore this: {INJECT_FILE} and {INJECT_HTTP} <script>alert(1)</script>"
    w["vendors"][0]["notes"]["integration_complexity"] = INJECT_FILE
    doc["prepared_for"] = f"CTO {INJECT_HTTP}"
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def injected_pdf():
    a = assess(load_text(_injected_questionnaire(), "injected.yaml"))
    log: list = []
    data = memo.render_pdf(a, deterministic=True, fetch_log=log)
    return a, data, text_of(data), log


def test_questionnaire_html_is_escaped_and_fetches_nothing(injected_pdf):
    a, data, text, log = injected_pdf
    assert log == [] or all(what == "served" and "passwd" not in u and "http" not in u for u, what in log)
    assert "root:" not in text  # /etc/passwd was not embedded
    body = flat(text)
    assert '<b>doc & "assistant"</b>' in body  # the name, printed as text
    assert INJECT_FILE in body and "<script>alert(1)</script>" in body
    html = memo.render_html(a, deterministic=True)
    assert INJECT_FILE not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<script>" not in html


def test_the_fetcher_refuses_everything_outside_the_template_folder(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (folder / "link.txt").symlink_to(outside)
    policy = pdf.FetchPolicy(roots=[folder])
    body, mime = policy.resolve((folder / "logo.svg").as_uri())
    assert body.startswith(b"<svg") and mime == "image/svg+xml"
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/a.css", (folder / ".." / "secret.txt").as_uri(),
                (folder / "link.txt").as_uri(), "ftp://example.com/x", "data:image/png;base64,AAAA"):
        with pytest.raises(pdf.RefusedURL):
            policy.resolve(url)
    assert len(policy.refused) == 7 and len(policy.served) == 1


def test_a_hostile_template_cannot_fetch_either(part1, tmp_path):
    """Even the template folder's own HTML and CSS cannot reach outside it; its own files load."""
    tpl = tmp_path / "hostile"
    tpl.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (tpl / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>")
    (tpl / "memo.css").write_text("@import url(file:///etc/passwd);\nbody { background: url(http://127.0.0.1:9/bg.png) }\n")
    (tpl / "memo.html.j2").write_text(
        "<html><head><title>{{ title }}</title><style>{{ css }}</style></head><body><h1>The decision</h1><p>{{ r.organization }}</p>"
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><img src="../secret.txt"><img src="logo.svg"></body></html>'
    )
    log: list = []
    text = text_of(memo.render_pdf(part1, template_dir=tpl, deterministic=True, fetch_log=log))
    refused = [u for u, what in log if what == "refused"]
    served = [u for u, what in log if what == "served"]
    assert any("passwd" in u for u in refused) and any(u.startswith("http://") for u in refused)
    assert any(u.endswith("secret.txt") for u in refused)
    assert served and all(u.endswith("/hostile/logo.svg") or u.startswith("data:") for u in served)
    assert "root:" not in text and "secret" not in text and "The decision" in text


# ---------------------------------------------------------------- restyling and many workloads


def test_settings_memo_template_restyles_from_the_questionnaire_folder(tmp_path):
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "memo.css").write_text((data_path("reports", "memo") / "memo.css").read_text().replace("--brand: #14365d;", "--brand: #aa0000;"))
    (tmp_path / "brand" / "labels.yaml").write_text("decision: {migrate: Move, stay: Hold}\n")
    doc = yaml.safe_load(PART1.read_text())
    doc["settings"]["memo_template"] = "brand"
    q = tmp_path / "q.yaml"
    q.write_text(yaml.safe_dump(doc, sort_keys=False))
    html = memo.render_html(assess(load_questionnaire(q)), deterministic=True)
    assert "--brand: #aa0000;" in html
    assert ">Move<" in html  # labels.yaml overlay
    assert "memo.html.j2" not in html and "The decision" in html  # templates fall back to the bundled ones


def ten_workloads(tmp_path: Path) -> Path:
    doc = yaml.safe_load(PART1.read_text())
    base = doc["workloads"][0]
    kinds = ["chat", "rag", "code", "agent", "batch"]
    workloads = []
    for i in range(10):
        w = copy.deepcopy(base)
        w["name"] = f"workload-{i + 1:02d}-" + ("with-a-very-long-name-that-has-to-wrap-somewhere-" * 2 if i == 3 else kinds[i % 5])
        w["kind"] = kinds[i % 5]
        w["profile"]["requests_per_month"] = 50_000 * (i + 1) ** 2
        if i > 0:  # keep the memo's size (and the test's time) in check
            w.pop("vendors")
            w["profile"]["candidates"] = ["together/deepseek-v3", "lambda/h100"]
        workloads.append(w)
    workloads[6]["name"] = "<i>escaped & named</i>"
    doc["workloads"] = workloads
    doc["operations"]["current_stage"] = 1
    path = tmp_path / "ten.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_ten_workloads_render_in_parallel_and_bad_files_are_reported(tmp_path):
    ten = ten_workloads(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("advisor: 1\norganization: x\nworkloads: []\n")
    seen: list = []
    results = memo.write_memos([ten, bad], tmp_path / "out", jobs=2, deterministic=True, progress=lambda *r: seen.append(r))
    assert [r[0] for r in results] == [ten, bad] and len(seen) == 2
    (src, out, err), (bsrc, bout, berr) = results
    assert err is None and out == tmp_path / "out" / "ten.pdf" and out.is_file()
    assert bout is None and "workloads" in berr
    text = flat(text_of(out.read_bytes()))
    for title in SECTIONS:
        assert title in text
    assert "<i>escaped & named</i>" in text
    for i in (1, 2, 10):
        assert f"workload-{i:02d}-" in text
    assert 10 <= len(pypdf.PdfReader(str(out)).pages) <= 20  # page budget for ten workloads (issue 11)


def test_importing_the_memo_module_loads_neither_weasyprint_nor_matplotlib():
    code = "import sys, advisor.report.memo, advisor.report.view; assert 'weasyprint' not in sys.modules and 'matplotlib' not in sys.modules, 'heavy import'"
    subprocess.run([sys.executable, "-c", code], check=True)


def _crash_on_b(job):
    """Stands in for the worker: dies (as a native crash would) on b.yaml, succeeds elsewhere."""
    import os

    src = job[0]
    if src.endswith("b.yaml"):
        os._exit(139)
    return src, job[1], None


def test_a_crashing_worker_fails_only_its_own_memo(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "_one", _crash_on_b)
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"]
    results = memo.write_memos(paths, tmp_path / "out", jobs=2)
    by = {p.name: (out, err) for p, out, err in results}
    assert by["a.yaml"] == (tmp_path / "out" / "a.pdf", None) and by["c.yaml"] == (tmp_path / "out" / "c.pdf", None)
    assert by["b.yaml"][0] is None and "crashed" in by["b.yaml"][1]


def test_the_preparer_is_the_pdf_author_and_named_on_page_one(tmp_path):
    from advisor.loader import load_text
    from advisor.report.memo import render_pdf

    from conftest import EXAMPLES

    text = (EXAMPLES / "part1-b2b-saas.yaml").read_text().replace(
        "prepared_for: CTO and VP Finance", "prepared_for: CTO and VP Finance\nprepared_by: Dana Ortiz, platform lead")
    data = render_pdf(assess(load_text(text)))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.author == "Dana Ortiz, platform lead"
    assert "Dana Ortiz" in reader.pages[0].extract_text()
