"""A batch never stops for one file (issue 13 item 2).

`advisor score good.yaml bad.yaml` must print good.yaml's result AND bad.yaml's
error (file, line, message) in every output format, and exit 1. A failure of
any kind (bad input, a bug while assessing, a result that cannot be written)
is that file's error; an unreadable file or folder too.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
import yaml

from conftest import EXAMPLES, run_advisor

GOOD_ORG = "B2B SaaS (field guide Part 1, Volume Gate)"
FORMATS = ["table", "json", "yaml", "csv"]


def _good_and_bad(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text((EXAMPLES / "part1-b2b-saas.yaml").read_text())
    text = good.read_text().replace("requests_per_month: 800000", "requests_per_month: lots")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "requests_per_month: lots" in row)
    return good, bad, line


def _parsed(fmt: str, stdout: str):
    """(organizations scored, errors as {file, line, message}) from one output format."""
    if fmt == "json":
        data = json.loads(stdout)
    elif fmt == "yaml":
        data = yaml.safe_load(stdout)
    else:
        raise AssertionError(fmt)
    return [r["organization"] for r in data["results"]], data["errors"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_bad_file_does_not_hide_the_good_one(tmp_path, fmt):
    good, bad, line = _good_and_bad(tmp_path)
    proc = run_advisor("score", "--no-boundaries", "--format", fmt, str(good), str(bad))
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr
    if fmt in ("json", "yaml"):
        orgs, errors = _parsed(fmt, proc.stdout)
        assert orgs == [GOOD_ORG]
        assert [(e["file"], e["line"], e["field"]) for e in errors] == [
            (str(bad), line, "workloads[0].profile.requests_per_month")
        ]
    elif fmt == "csv":
        table = list(csv.DictReader(io.StringIO(proc.stdout)))
        assert [r["file"] for r in table] == [str(good)]
        assert f"{bad}:{line}:" in proc.stderr and "requests_per_month" in proc.stderr
    else:
        assert GOOD_ORG in proc.stdout and "migrate" in proc.stdout
        assert "Errors (1 file(s) not scored)" in proc.stdout
        assert f"{bad}:{line}:" in proc.stdout


def test_csv_with_out_writes_an_errors_file(tmp_path):
    good, bad, line = _good_and_bad(tmp_path)
    out = tmp_path / "out"
    proc = run_advisor("score", "--format", "csv", "--out", str(out), str(good), str(bad))
    assert proc.returncode == 1, proc.stderr
    scored = list(csv.DictReader((out / "scores.csv").open()))
    assert [r["file"] for r in scored] == [str(good)]
    errors = list(csv.DictReader((out / "errors.csv").open()))
    assert [(e["file"], e["line"], e["field"]) for e in errors] == [(str(bad), str(line), "workloads[0].profile.requests_per_month")]
    assert f"{bad}:{line}:" in proc.stderr


def test_csv_with_out_and_no_errors_writes_an_empty_errors_file(tmp_path):
    good, _, _ = _good_and_bad(tmp_path)
    out = tmp_path / "out"
    proc = run_advisor("score", "--format", "csv", "--out", str(out), str(good))
    assert proc.returncode == 0, proc.stderr
    assert (out / "errors.csv").read_text().strip() == "file,line,column,field,message"


# ---------------------------------------------------------------- failures that are not bad input


def _run_in_process(capsys, *args: str) -> tuple[int, str, str]:
    from advisor.cli import main

    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bug_while_assessing_one_file_is_that_files_error(tmp_path, monkeypatch, capsys, fmt):
    """A failure that is not the input's fault still stops only its own file."""
    import advisor.assess

    good, _, _ = _good_and_bad(tmp_path)
    doomed = tmp_path / "doomed.yaml"
    doomed.write_text(good.read_text().replace("organization: B2B SaaS", "organization: Doomed"))
    real = advisor.assess.assess

    def assess(loaded, *a, **kw):
        if loaded.questionnaire.organization.startswith("Doomed"):
            raise ZeroDivisionError("float division by zero")
        return real(loaded, *a, **kw)

    monkeypatch.delenv("ADVISOR_DEBUG", raising=False)
    monkeypatch.setattr(advisor.assess, "assess", assess)
    code, out, err = _run_in_process(capsys, "score", "--no-boundaries", "--format", fmt, str(doomed), str(good))
    assert code == 1
    where = out if fmt in ("table", "json", "yaml") else err
    assert str(doomed) in where and "internal error while scoring this file: ZeroDivisionError" in where
    if fmt in ("json", "yaml"):
        orgs, errors = _parsed(fmt, out)
        assert orgs == [GOOD_ORG] and [e["file"] for e in errors] == [str(doomed)]
    elif fmt == "csv":
        assert [r["file"] for r in csv.DictReader(io.StringIO(out))] == [str(good)]
    else:
        assert GOOD_ORG in out


@pytest.mark.parametrize("fmt", ["json", "yaml", "table", "csv"])
def test_a_result_that_cannot_be_written_is_that_files_error(tmp_path, monkeypatch, capsys, fmt):
    """Writing the output fails for one file (a bug, simulated by spoiling its result):
    the rest are still written."""
    import advisor.render.result as result_mod

    good, _, _ = _good_and_bad(tmp_path)
    odd = tmp_path / "odd.yaml"
    odd.write_text(good.read_text().replace("organization: B2B SaaS", "organization: Odd"))
    real = result_mod.assessment_dict

    def assessment_dict(a, *args, **kw):
        d = real(a, *args, **kw)
        if d["organization"].startswith("Odd"):
            if fmt == "json":
                d["summary"]["total_monthly_spend"] = float("nan")  # JSON has no NaN
            elif fmt == "yaml":
                d["summary"]["total_monthly_spend"] = object()  # the safe YAML writer refuses it
            else:
                del d["workloads"][0]["record"]["decision"]  # the row builder cannot find it
        return d

    monkeypatch.delenv("ADVISOR_DEBUG", raising=False)
    monkeypatch.setattr(result_mod, "assessment_dict", assessment_dict)
    code, out, err = _run_in_process(capsys, "score", "--no-boundaries", "--format", fmt, str(odd), str(good))
    assert code == 1
    where = err if fmt == "csv" else out
    assert str(odd) in where and f"internal error while writing {fmt} for this file" in where
    if fmt in ("json", "yaml"):
        orgs, errors = _parsed(fmt, out)
        assert orgs == [GOOD_ORG] and [e["file"] for e in errors] == [str(odd)]
    elif fmt == "csv":
        assert [r["file"] for r in csv.DictReader(io.StringIO(out))] == [str(good)]
    else:
        assert GOOD_ORG in out and "Odd" not in out.split("Errors")[0]


# ---------------------------------------------------------------- unreadable paths


def test_a_path_that_cannot_be_reached_is_that_files_error_not_a_usage_error(tmp_path):
    good, _, _ = _good_and_bad(tmp_path)
    unreachable = good / "inside-a-file.yaml"  # a parent that is a file: the OS refuses (ENOTDIR), even for root
    proc = run_advisor("score", "--format", "csv", str(good), str(unreachable))
    assert proc.returncode == 1, proc.stderr
    assert f"{unreachable}: cannot read file: Not a directory" in proc.stderr
    assert [r["file"] for r in csv.DictReader(io.StringIO(proc.stdout))] == [str(good)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_named_on_the_command_line_is_that_files_error(tmp_path):
    good, _, _ = _good_and_bad(tmp_path)
    locked = tmp_path / "locked.yaml"
    locked.write_text(good.read_text())
    locked.chmod(0)
    proc = run_advisor("score", "--format", "json", "--no-boundaries", str(good), str(locked))
    assert proc.returncode == 1, proc.stderr
    orgs, errors = _parsed("json", proc.stdout)
    assert orgs == [GOOD_ORG] and errors[0]["file"] == str(locked) and "ermission" in errors[0]["message"]


def test_an_unreadable_sub_folder_is_reported_not_skipped(tmp_path, monkeypatch):
    """A folder that cannot be listed is an error for that folder; the readable files are still found.
    (The refusal is simulated: tests may run as root, which lists any folder.)"""
    from advisor.batch import expand_paths

    root = tmp_path / "batch"
    (root / "team-a").mkdir(parents=True)
    (root / "team-b").mkdir()
    (root / "team-a" / "q.yaml").write_text("advisor: 1\n")
    (root / "team-b" / "q.yaml").write_text("advisor: 1\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("team-b"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    paths, problems = expand_paths([str(root)])
    assert paths == [root / "team-a" / "q.yaml"]
    assert [(p.file, p.message) for p in problems] == [(str(root / "team-b"), "cannot read folder: Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists folders whatever their mode")
def test_an_unreadable_sub_folder_is_reported_by_score(tmp_path):
    root = tmp_path / "batch"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "good.yaml").write_text((EXAMPLES / "part1-b2b-saas.yaml").read_text())
    (root / "b").chmod(0)
    try:
        proc = run_advisor("score", "--format", "csv", str(root))
    finally:
        (root / "b").chmod(0o755)
    assert proc.returncode == 1
    assert f"{root / 'b'}: cannot read folder" in proc.stderr
    assert len(list(csv.DictReader(io.StringIO(proc.stdout)))) == 1


def test_a_symlinked_folder_loop_ends(tmp_path):
    from advisor.batch import expand_paths

    root = tmp_path / "batch"
    root.mkdir()
    (root / "q.yaml").write_text("advisor: 1\n")
    (root / "again").symlink_to(root)
    paths, problems = expand_paths([str(root)])
    assert paths == [root / "q.yaml"] and problems == []


def test_the_parallel_path_keeps_good_results_and_bad_files_errors(tmp_path, monkeypatch):
    """Large batches run across worker processes; one bad file stays that file's error there too."""
    import advisor.scoring as scoring

    good, bad, line = _good_and_bad(tmp_path)
    monkeypatch.setattr(scoring, "PARALLEL_FROM", 2)
    report = scoring.score_paths([bad, good], jobs=2, include_trace=False)
    assert [r["organization"] for r in report["results"]] == [GOOD_ORG]
    assert [(e["file"], e["line"]) for e in report["errors"]] == [(str(bad), line)]
