"""advisor/roundtrip.py and the write side of yamlio: a hand-written questionnaire keeps its shape."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from advisor.roundtrip import rewrite
from advisor.tui import draft as D
from advisor.yamlio import read_yaml, write_atomic
from test_tui_support import REPO

EXAMPLES = sorted((REPO / "questionnaires" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_unchanged_answers_give_back_the_file_byte_for_byte(path):
    text = path.read_text()
    data = read_yaml(path).data
    assert rewrite(text, D.model_ordered(data)) == text


def test_a_new_answer_goes_where_the_model_puts_it_in_the_interviews_style():
    path = REPO / "questionnaires" / "examples" / "part1-b2b-saas.yaml"
    text = path.read_text()
    data = copy.deepcopy(read_yaml(path).data)
    profile = data["workloads"][0]["profile"]
    assert "output_tokens" in profile
    profile["output_tokens"] = {"value": 520, "confidence": "measured", "note": "P50, Nov logs"}
    del data["prepared_for"]
    out = rewrite(text, D.model_ordered(data))
    assert out is not None
    assert "      output_tokens: {value: 520, confidence: measured, note: 'P50, Nov logs'}\n" in out
    assert "prepared_for" not in out
    assert yaml.safe_load(out) == data
    # every comment line of the original is still there
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert all(c in out for c in comments)


def test_a_key_the_file_lacks_is_inserted_after_its_neighbour_in_model_order():
    text = "# mine\nadvisor: 1\norganization: Acme  # the client\nworkloads:\n  - name: a\n    kind: chat\n    profile: {}\n"
    data = yaml.safe_load(text)
    data["prepared_for"] = "CTO"
    out = rewrite(text, D.model_ordered(data))
    assert out == ("# mine\nadvisor: 1\norganization: Acme  # the client\nprepared_for: CTO\nworkloads:\n"
                   "  - name: a\n    kind: chat\n    profile: {}\n")


def test_writes_keep_the_files_mode_and_new_files_follow_the_umask(tmp_path):
    p = tmp_path / "q.yaml"
    p.write_text("a: 1\n")
    os.chmod(p, 0o644)
    write_atomic(p, "a: 2\n")
    assert p.stat().st_mode & 0o777 == 0o644 and p.read_text() == "a: 2\n"
    os.chmod(p, 0o600)
    write_atomic(p, "a: 3\n")
    assert p.stat().st_mode & 0o777 == 0o600
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "new.yaml"
        write_atomic(fresh, "a: 1\n")
        assert fresh.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_removing_a_named_workload_takes_its_comments_with_it():
    text = ("advisor: 1\norganization: Acme\nworkloads:\n"
            "  # the chat assistant\n  - name: chat\n    kind: chat  # the default\n    profile: {}\n"
            "  # nightly batch\n  - name: batch\n    kind: batch  # runs at night\n    profile: {}\n")
    data = yaml.safe_load(text)
    del data["workloads"][0]
    out = rewrite(text, D.model_ordered(data))
    assert yaml.safe_load(out) == data
    assert "kind: batch  # runs at night" in out
    assert "# the default" not in out


def test_when_round_trip_cannot_be_faithful_the_original_is_kept_once_as_orig(tmp_path, monkeypatch):
    import shutil

    from advisor import roundtrip
    from advisor.tui.session import open_session

    target = tmp_path / "q.yaml"
    shutil.copy(REPO / "questionnaires" / "examples" / "part1-b2b-saas.yaml", target)
    before = target.read_bytes()
    monkeypatch.setattr(roundtrip, "rewrite", lambda *a, **k: None)
    session, _ = open_session(target)
    session.data["prepared_for"] = "CTO"
    session.write()
    assert (tmp_path / "q.yaml.orig").read_bytes() == before
    assert read_yaml(target).data["prepared_for"] == "CTO"
    assert D.HEADER in target.read_text()
