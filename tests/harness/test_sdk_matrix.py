"""`respcheck sdk-matrix`: bad input is one line; a real older openai release shows up as regression rows.

The integration test installs openai 2.0.0 into a venv of its own (once: the venv is kept under the user
cache and reused) and replays the compaction suite through it and through the installed release. openai
2.0.0 has no ``responses.compact``, so the SDK channel of every compaction-endpoint behaviour that passes
with today's release regresses: a real SDK behaviour change between two releases, found by the matrix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from respcheck.cli import main
from respcheck.runner.sdk_matrix import check_versions

OLD = "2.0.0"


@pytest.mark.parametrize("argv, says", [
    (["--openai", "3.0.0"], "at least two different"),
    (["--openai", "3.0.0", "--openai", "3.0.0"], "at least two different"),
    (["--openai", "0.28.1", "--openai", "3.0.0"], "outside the supported range"),
    (["--openai", "4.0.0", "--openai", "3.0.0"], "outside the supported range"),
    (["--openai", "three", "--openai", "3.0.0"], "not a version number"),
])
def test_bad_versions_are_one_line_exit_2(capsys, argv, says):
    assert main(["sdk-matrix", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_versions_keep_the_given_order_the_first_is_the_baseline():
    assert check_versions(["3.57.0", "2.0.0", "3.57.0", "1.99.9"]) == ["3.57.0", "2.0.0", "1.99.9"]


def test_an_older_sdk_without_compact_regresses_the_compaction_rows(tmp_path):
    venvs = Path(os.environ.get("RESPCHECK_SDK_VENVS", Path.home() / ".cache" / "respcheck" / "sdk-venvs"))
    current = openai.__version__
    if current == OLD:
        pytest.skip(f"the installed openai is {OLD} itself")
    out = tmp_path / "sdk"
    cmd = [sys.executable, "-m", "respcheck", "sdk-matrix", "--openai", current, "--openai", OLD,
           "-k", "compact", "--venvs", str(venvs), "--report-dir", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1500, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, f"expected exit 1 (regressions), got {done.returncode}:\n{done.stdout}\n{done.stderr}"
    diff = (out / f"diff-openai-{current}-to-{OLD}.md").read_text(encoding="utf-8")
    assert "compaction.endpoint.compact" in diff, diff[:2000]
    m = json.loads((out / "matrix" / "matrix.json").read_text(encoding="utf-8"))
    assert [c["versions"]["openai"] for c in m["columns"]] == [current, OLD]
    row = next(r for r in m["rows"] if r["id"] == "compaction.endpoint.compact")
    assert row["cells"][0] == "pass" and row["cells"][1] == "fail", row  # -k keeps every test of this behaviour
    failed = [json.loads(line) for line in next((out / f"openai-{OLD}").glob("*/results.jsonl")).read_text().splitlines()]
    assert all("compact" in r["message"] for r in failed if r["verdict"] == "fail"), failed
