"""Templates are data, not code (issue 13 item 3): the memo renders in Jinja's
sandbox, so a template that walks to ``os`` through a global is refused cleanly."""

from __future__ import annotations

from advisor.assess import assess
from advisor.errors import AdvisorError
from advisor.loader import load_questionnaire
from advisor.report import memo
from advisor.resources import data_path

import re

import pytest
from pathlib import Path


def _part1():
    return assess(load_questionnaire(data_path("questionnaires", "examples", "part1-b2b-saas.yaml")))


def test_a_template_that_would_run_a_shell_command_is_refused(tmp_path):
    tpl = tmp_path / "evil"
    tpl.mkdir()
    marker = tmp_path / "ran"
    (tpl / "memo.html.j2").write_text(
        "<html><body>{{ cycler.__init__.__globals__.os.popen('id; touch " + str(marker) + "').read() }}</body></html>"
    )
    with pytest.raises(AdvisorError) as exc:
        memo.render_html(_part1(), template_dir=tpl, deterministic=True)
    assert "template" in str(exc.value).lower()
    assert not marker.exists()


def test_a_plain_template_still_renders_in_the_sandbox(tmp_path):
    tpl = tmp_path / "plain"
    tpl.mkdir()
    (tpl / "memo.html.j2").write_text("<html><body><h1>{{ r.organization }}</h1></body></html>")
    html = memo.render_html(_part1(), template_dir=tpl, deterministic=True)
    assert "<h1>" in html


# ---------------------------------------------------------------- inputs are regular files (item 5)

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


@pytest.mark.parametrize("kind", ["fifo", "zero", "urandom"])
def test_pipes_and_devices_are_refused_without_hanging(tmp_path, kind):
    path = tmp_path / "q.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(f"/dev/{kind}")
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr + proc.stdout
    assert "not a regular file" in proc.stderr + proc.stdout


def test_a_symlink_loop_is_not_called_missing(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", str(a)], capture_output=True, text=True, timeout=60)
    out = proc.stderr + proc.stdout
    assert proc.returncode == 1 and "loop" in out and "not found" not in out


@pytest.mark.parametrize("chosen", ["/", "/etc", "../elsewhere", "~"])
def test_a_questionnaire_cannot_pick_a_template_folder_outside_its_own(tmp_path, chosen):
    import yaml

    (tmp_path / "elsewhere").mkdir()
    sub = tmp_path / "q"
    sub.mkdir()
    doc = yaml.safe_load(data_path("questionnaires", "examples", "part1-b2b-saas.yaml").read_text())
    doc.setdefault("settings", {})["memo_template"] = chosen
    path = sub / "q.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(AdvisorError) as exc:
        memo.render_html(assess(load_questionnaire(path)), deterministic=True)
    assert "memo_template" in str(exc.value) or "--template" in str(exc.value)


def test_the_fetcher_never_serves_from_a_filesystem_root():
    from advisor.report import pdf

    policy = pdf.FetchPolicy(roots=[Path("/")])
    with pytest.raises(pdf.RefusedURL):
        policy.resolve("file:///etc/passwd")


# ---------------------------------------------------------------- validation is the contract (item 1)


@pytest.mark.parametrize(
    "value, words",
    [(0, "greater than 0"), (1e300, "below"), (10**46, "below"), (800000.5, "800000.5")],
)
def test_validate_refuses_what_the_economics_cannot_carry(tmp_path, value, words):
    import yaml

    doc = yaml.safe_load(data_path("questionnaires", "examples", "part1-b2b-saas.yaml").read_text())
    wl = doc["workloads"][0] if "workloads" in doc else doc["workload"]
    wl["profile"]["requests_per_month"] = value
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(doc))
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", str(path)], capture_output=True, text=True, timeout=60)
    out = proc.stderr + proc.stdout
    assert proc.returncode == 1, out
    assert "requests_per_month" in out and words in out and "q.yaml:" in out


@pytest.mark.parametrize(
    "args",
    [
        ["breakeven", "--dedicated", "lambda/h100", "--serverless", "together/deepseek-v3", "--utilization", "nan"],
        ["lcpr", "--requests", "1" * 400, "--input-tokens", "100", "--output-tokens", "100"],
        ["lcpr", "--requests", "1000", "--input-tokens", "100", "--output-tokens", "100", "--eng-hours", "inf"],
        ["lcpr", "--requests", "1000", "--input-tokens", "100", "--output-tokens", "100", "--eng-hours", "1e-320"],
    ],
)
def test_cli_numbers_must_be_finite_and_in_range(args):
    proc = subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- whatever validate accepts, score completes on (item 1)


def _custom(**kw):
    return {"id": "acme/m1", "provider": "acme", "model": "m1", **kw}


def _p(d):
    return d["workloads"][0]["profile"]


CONTRACT_CASES = {
    # mutation of the Part 1 example -> the field a refusal must name (None: it must be accepted)
    "custom option without prices": (lambda d: d["catalog"].update(options=[_custom(deployment="serverless")]), "catalog.options[0]"),
    "custom dedicated option without a rate": (lambda d: d["catalog"].update(options=[_custom(deployment="dedicated")]), "catalog.options[0]"),
    "duplicate custom ids": (lambda d: d["catalog"].update(options=[_custom(deployment="dedicated", gpu_hourly_rate=r) for r in (2, 3)]), "catalog.options[1].id"),
    "custom option priced and used": (lambda d: (d["catalog"].update(options=[_custom(deployment="dedicated", gpu_hourly_rate=2)]), _p(d)["candidates"].append("acme/m1")), None),
    "threshold NaN": (lambda d: d["settings"].update(thresholds={"stage.one_above_monthly_spend": float("nan")}), "settings.thresholds.stage.one_above_monthly_spend"),
    "threshold inf": (lambda d: d["settings"].update(thresholds={"stage.one_above_monthly_spend": float("inf")}), "settings.thresholds.stage.one_above_monthly_spend"),
    "threshold 1e300": (lambda d: d["settings"].update(thresholds={"stage.one_above_monthly_spend": 1e300}), "settings.thresholds.stage.one_above_monthly_spend"),
    "negative lead time": (lambda d: d["settings"].update(thresholds={"complexity.standard_lead_time_months": -2}), "settings.thresholds.complexity.standard_lead_time_months"),
    "a negative drop threshold stays allowed": (lambda d: d["settings"].update(thresholds={"red_flag.cache_hit_drop_points_negative": -20}), None),
    "contract price 1e300": (lambda d: d["catalog"].update(prices={"lambda/h100": {"gpu_hourly_rate": 1e300}}), "catalog.prices.lambda/h100.gpu_hourly_rate"),
    "contract price too high for the economics": (lambda d: d["catalog"].update(prices={"lambda/h100": {"gpu_hourly_rate": 9e14}}), "workloads[0].profile.requests_per_month"),
    "tokens per second 1e-300": (lambda d: d["catalog"].update(prices={"lambda/h100": {"tokens_per_second": 1e-300}}), "workloads[0].profile.requests_per_month"),
    "volume x tokens beyond 1e15": (lambda d: _p(d).update(requests_per_month=9 * 10**14, input_tokens=9 * 10**14), "workloads[0].profile.requests_per_month"),
    "migration weeks x rate beyond 1e15": (lambda d: _p(d).update(migration_engineer_weeks=9e14), "workloads[0].profile.migration_engineer_weeks"),
    "tier weeks threshold x rate beyond 1e15": (lambda d: (_p(d).pop("migration_engineer_weeks"), d["settings"].update(thresholds={"complexity.standard_engineer_weeks": 9e14})), "settings.thresholds.complexity.standard_engineer_weeks"),
    "near-free output price (break-even beyond 1e15, found by make fuzz)": (lambda d: d["catalog"].update(prices={"together/deepseek-v3": {"output_per_mtok": 1e-12}}), "workloads[0].profile.requests_per_month"),
    "traffic growth 1e300": (lambda d: d["operations"].update(traffic_growth={"document-assistant": 1e300}), "operations.traffic_growth.document-assistant"),
    "zero requests": (lambda d: _p(d).update(requests_per_month=0), "workloads[0].profile.requests_per_month"),
    "largest accepted volume": (lambda d: _p(d).update(requests_per_month=10**9, input_tokens=10**5, output_tokens=10**4), None),
}


@pytest.mark.parametrize("case", list(CONTRACT_CASES))
def test_whatever_validate_accepts_score_completes_on(tmp_path, case, capsys, monkeypatch):
    """`validate` either refuses (exit 1, file:line:column: field: sentence) or `score` completes:
    never an internal error from either."""
    import yaml

    from advisor.cli import main

    monkeypatch.delenv("ADVISOR_DEBUG", raising=False)
    mutate, field = CONTRACT_CASES[case]
    doc = yaml.safe_load(data_path("questionnaires", "examples", "part1-b2b-saas.yaml").read_text())
    doc.setdefault("catalog", {})
    doc.setdefault("operations", {})
    mutate(doc)
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))

    def run(*args):
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsys.readouterr()
        assert "internal error" not in out + err
        return exc.value.code, out + err

    code, out = run("validate", str(path))
    if field is None:
        assert code == 0, out
        code, out = run("score", "--format", "json", str(path))
        assert code == 0, out
    else:
        assert code == 1, out
        assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: {re.escape(field)}: \S", out, re.M), out
        code, out = run("score", "--no-boundaries", "--format", "csv", str(path))
        assert code == 1 and f"{path}:" in out


def test_the_schema_states_the_bounds():
    import json

    from advisor.model.answers import MAX_VALUE
    from advisor.model.questionnaire import Questionnaire

    text = json.dumps(Questionnaire.model_json_schema())
    defs = Questionnaire.model_json_schema()["$defs"]
    assert defs["Settings"]["properties"]["thresholds"]["additionalProperties"]["exclusiveMaximum"] == MAX_VALUE
    price = defs["CustomOption"]["properties"]["gpu_hourly_rate"]["anyOf"][0]
    assert price["minimum"] == 0 and price["exclusiveMaximum"] == MAX_VALUE
    assert "must stay 0 or more" in text


# ---------------------------------------------------------------- honest messages (item 6)


def _validate(path) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", str(path)], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_called_utf16_not_binary(tmp_path, encoding):
    path = tmp_path / "q.yaml"
    path.write_bytes(data_path("questionnaires", "examples", "part1-b2b-saas.yaml").read_text().encode(encoding))
    code, out = _validate(path)
    assert code == 1 and "is UTF-16 text; save it as UTF-8" in out and "binary" not in out


def test_1e300_is_a_number_too_big_not_text(tmp_path):
    path = tmp_path / "q.yaml"
    text = data_path("questionnaires", "examples", "part1-b2b-saas.yaml").read_text()
    path.write_text(text.replace("retry_rate: 0.05", "retry_rate: 1e300"))
    code, out = _validate(path)
    assert code == 1 and "retry_rate: must be a finite number below 1e+15" in out and "got text" not in out
    path.write_text(text.replace("input_tokens: 1000", "input_tokens: 1e3"))  # YAML 1.1 reads this as text
    assert _validate(path)[0] == 0


def test_an_output_path_that_cannot_be_written_is_exit_1_with_the_reason(tmp_path):
    q = data_path("questionnaires", "examples", "part1-b2b-saas.yaml")
    proc = subprocess.run([sys.executable, "-m", "advisor", "memo", str(q), "-o", "/proc/x.pdf"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "cannot write /proc/x.pdf" in proc.stderr and "internal error" not in proc.stderr


def test_a_200_character_workload_name_stays_inside_every_memo_page(tmp_path):
    """A valid name can be one long word (issue 13, Layout): checked by text positions
    within the page box on every page of the PDF."""
    import pypdfium2 as pdfium

    source = Path(data_path("questionnaires", "examples", "part1-b2b-saas.yaml")).read_text()
    name = "document-assistant-" + "x" * 181
    q = tmp_path / "long.yaml"
    q.write_text(source.replace("name: document-assistant", f"name: {name}"))
    pdf_path = tmp_path / "long.pdf"
    proc = subprocess.run([sys.executable, "-m", "advisor", "memo", str(q), "-o", str(pdf_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pdf = pdfium.PdfDocument(str(pdf_path))
    seen_name = False
    for i in range(len(pdf)):
        page = pdf[i]
        width, _ = page.get_size()
        text = page.get_textpage()
        seen_name |= "xxxxxxxxxx" in text.get_text_range()
        for j in range(text.count_rects()):
            left, _, right, _ = text.get_rect(j)
            assert 0 <= left and right <= width, f"page {i + 1}: text from x={left:.0f} to {right:.0f} on a {width:.0f} pt page"
    assert seen_name
