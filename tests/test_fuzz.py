"""Mutation fuzzing of the bundled examples through validate -> score -> memo HTML (issue 13 item 8).

Each case takes a bundled example, deletes keys, swaps types, writes extremes
(NaN, 1e300, 46-digit counts, negative and zero values, text, lists, maps) and
adds custom catalog options and threshold overrides; then runs the real
command line in-process. Every case must end with exit 0 or 1, every message
must name the file, and no case may end in "internal error".

`make test` runs a short, derandomized pass (a few seconds); `make fuzz` runs
for about ten minutes:

    ADVISOR_FUZZ_SECONDS=600 pytest -s -p no:xdist tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES

SECONDS = float(os.environ.get("ADVISOR_FUZZ_SECONDS", "0"))  # 0: the short run
LONG = SECONDS > 0
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
BASES = [yaml.safe_load(p.read_text()) for p in EXAMPLE_FILES]

EXTREMES = [
    0, -1, 1, 0.5, 1.5, 3, 100, -1e-320, 1e-12, 1e14, 9.99e14, 1e15, 1e300, -1e300, 10**46,
    float("nan"), float("inf"), float("-inf"), "", "text", "5%", "1e300", True, False, None, [], {}, [1, 2], {"value": 1e300},
    {"value": 0.5, "confidence": "measured"}, {"value": "x"}, "x" * 300, "low", "high", 4,
]
PARAMETERS = [
    "complexity.standard_lead_time_months", "complexity.standard_engineer_weeks", "complexity.simple_max_score",
    "stage.one_above_monthly_spend", "stage.dedicated_above_output_tokens_per_day", "red_flag.traffic_growth_multiple",
    "red_flag.cache_hit_drop_points_negative", "revert.dedicated_utilization_below", "no.such_parameter",
]
DEPLOYMENTS = ["closed_api", "serverless", "managed_dedicated", "dedicated", "bogus"]

stats = {"cases": 0, "accepted": 0, "refused": 0, "failed": 0}
_started = time.monotonic()


def _paths(node, prefix=()):
    """Every path into the document (maps and lists), the root excluded."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            out.extend(_paths(v, prefix + (i,)))
    return out


def _parent(doc, path):
    cur = doc
    for part in path[:-1]:
        cur = cur[part]
    return cur


@st.composite
def mutated(draw):
    doc = yaml.safe_load(yaml.safe_dump(draw(st.sampled_from(BASES))))  # a deep copy
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 2, 3, 4]))):
        op = draw(st.sampled_from(["delete", "extreme", "swap", "custom", "threshold", "duplicate", "price"]))
        paths = _paths(doc)
        if op in ("delete", "extreme", "swap", "duplicate") and paths:
            path = draw(st.sampled_from(paths))
            parent = _parent(doc, path)
            if op == "delete":
                del parent[path[-1]]
            elif op == "extreme":
                parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(EXTREMES)))  # never share a list or map between cases
            elif op == "swap":
                value = parent[path[-1]]
                parent[path[-1]] = {"x": copy.deepcopy(value)} if not isinstance(value, dict) else [copy.deepcopy(value)]
            elif isinstance(parent, list):
                parent.append(yaml.safe_load(yaml.safe_dump(parent[path[-1]])))
        elif op == "custom" and isinstance(doc, dict):
            option = {"id": draw(st.sampled_from(["acme/m1", "acme/m2", "openai/gpt-5.5", "Bad Id"])), "provider": "acme", "model": "m",
                      "deployment": draw(st.sampled_from(DEPLOYMENTS))}
            for key in draw(st.sets(st.sampled_from(["input_per_mtok", "output_per_mtok", "gpu_hourly_rate", "tokens_per_second"]))):
                option[key] = draw(st.sampled_from([0, 0.5, 2.0, 1e14, 1e300, -1, float("nan"), 1e-300]))
            catalog = doc.setdefault("catalog", {}) if isinstance(doc.get("catalog", {}), dict) else {}
            if isinstance(catalog.get("options", []), list):
                catalog.setdefault("options", []).append(option)
            workloads = doc.get("workloads")
            if draw(st.booleans()) and isinstance(workloads, list) and workloads and isinstance(workloads[0], dict):
                profile = workloads[0].get("profile")
                if isinstance(profile, dict):
                    profile[draw(st.sampled_from(["current", "candidates"]))] = option["id"] if draw(st.booleans()) else [option["id"]]
        elif op == "threshold" and isinstance(doc, dict):
            settings_ = doc.setdefault("settings", {})
            if isinstance(settings_, dict):
                thresholds = settings_.setdefault("thresholds", {})
                if isinstance(thresholds, dict):
                    thresholds[draw(st.sampled_from(PARAMETERS))] = copy.deepcopy(draw(st.sampled_from(EXTREMES)))
        elif op == "price" and isinstance(doc, dict):
            catalog = doc.setdefault("catalog", {})
            if isinstance(catalog, dict) and isinstance(catalog.setdefault("prices", {}), dict):
                catalog["prices"][draw(st.sampled_from(["lambda/h100", "together/deepseek-v3", "openai/gpt-5.5"]))] = {
                    draw(st.sampled_from(["input_per_mtok", "output_per_mtok", "gpu_hourly_rate", "tokens_per_second"])): copy.deepcopy(draw(st.sampled_from(EXTREMES)))
                }
    return doc


def _run(*args: str) -> tuple[int, str]:
    from advisor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    elapsed = time.monotonic() - _started
    print(f"\nfuzz: {stats['cases']} cases in {elapsed:.0f} s: {stats['accepted']} accepted and scored"
          f"{' (boundaries, memo HTML)' if LONG else ''}, {stats['refused']} refused with a located message, {stats['failed']} failed")


def _check(doc) -> None:
    stats["cases"] += 1
    try:
        _check_one(doc)
    except AssertionError:
        stats["failed"] += 1
        raise


def _check_one(doc) -> None:
    os.environ.pop("ADVISOR_DEBUG", None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        code, out = _run("validate", str(path))
        assert "internal error" not in out and "Traceback" not in out, out
        assert code in (0, 1), out
        if code == 1:
            stats["refused"] += 1
            lines = [line for line in out.splitlines() if line.strip()]
            assert lines and all(line.startswith(f"{path}:") for line in lines), out
            return
        stats["accepted"] += 1
        # the short run skips the slow parts (boundaries re-run the rules; the memo builds charts)
        code, out = _run("score", "--format", "json", *([] if LONG else ["--no-boundaries"]), str(path))
        assert "internal error" not in out and code == 0, out
        if LONG:
            _memo_html(path)


_COMMON = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck),
               phases=[Phase.explicit, Phase.generate])  # no shrinking: a failure prints the whole mutated file
def _with(base: int, mutate) -> dict:
    doc = copy.deepcopy(BASES[base])
    mutate(doc)
    return doc


def _first_profile(doc) -> dict:
    return doc["workloads"][0]["profile"]


# Accepted files that stress the economics, so the short run always scores and renders some.
ACCEPTED = [
    _with(6, lambda d: d.setdefault("settings", {}).update(thresholds={"complexity.standard_lead_time_months": 0})),
    _with(1, lambda d: (d.setdefault("catalog", {}).update(options=[{"id": "acme/m1", "provider": "acme", "model": "m", "deployment": "dedicated", "gpu_hourly_rate": 1e-9, "tokens_per_second": 1e9}]),
                        _first_profile(d).update(candidates=["acme/m1"]))),
    _with(2, lambda d: _first_profile(d).update(requests_per_month=1, input_tokens=0, output_tokens=0)),
    _with(6, lambda d: _first_profile(d).update(requests_per_month=10**9, input_tokens=10**4, output_tokens=10**3, retry_rate=1, quality_pass_rate=1e-6)),
]

_short = settings(max_examples=int(os.environ.get("ADVISOR_FUZZ_EXAMPLES", 12)), derandomize=True, **_COMMON)(given(doc=mutated())(_check))
for _doc in ACCEPTED:
    _short = example(doc=_doc)(_short)
_batch = settings(max_examples=50, derandomize=False, **_COMMON)(given(doc=mutated())(_check))


def test_no_mutation_of_an_example_ends_in_an_internal_error():
    """Short: a fixed set of cases. Long (ADVISOR_FUZZ_SECONDS): fresh random batches until the time is up."""
    if not LONG:
        _short()
        return
    while time.monotonic() - _started < SECONDS:
        _batch()


def _memo_html(path: Path) -> None:
    """Whatever validate accepts, the memo renders (HTML: the PDF step is WeasyPrint's, timed elsewhere)."""
    from advisor.assess import assess
    from advisor.engine.registry import known_parameters
    from advisor.loader import load_questionnaire
    from advisor.report.memo import render_html

    html = render_html(assess(load_questionnaire(path, known_parameters)), deterministic=True)
    assert "<html" in html.lower()
