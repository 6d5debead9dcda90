"""A plain (non-editable) install must find rules/, questionnaires/ and reports/."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_the_bundled_data_and_finds_it(tmp_path: Path):
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(out.glob("advisor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("advisor/_data/rules/catalog.yaml", "advisor/_data/rules/volume_gate.yaml",
                   "advisor/_data/questionnaires/examples/part1-b2b-saas.yaml", "advisor/_data/questionnaires/template.yaml"):
        assert needed in names
    root = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(root)
    probe = (
        "import advisor.resources as r, json;"
        "from advisor.catalog import load_catalog;"
        "from advisor.engine.rulebook import load_rulebook;"
        "print(json.dumps([str(r.data_root()), len(load_catalog().options), len(load_rulebook().all_rules())]))"
    )
    # run from an unrelated folder with only the unpacked wheel first on the path
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    data_root, options, rules = json.loads(run.stdout)
    assert data_root == str(root / "advisor" / "_data")
    assert options >= 19 and rules > 60
