"""The shipped replay of every generated case is independent of the generator and of the worker count.

Why: a fresh install brings whatever hypothesis/schemathesis the pins allow, and their draws differ between
releases; the replay must give the same verdicts anyway (issue: "a cassette is the source of truth for the
cases it holds"). With every hypothesis draw made to raise, the property tests still pass from their
cassettes, and a serial and a ``-n 2`` replay give the same verdict per test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from respcheck import paths

GENERATED = ["suites/contract", "suites/limits/test_limits_images_property.py"]
"""Every suite test that draws its cases (the property tests), and the shared chain whose queries are drawn."""


def _replay(tmp_path: Path, *extra: str) -> dict[str, str]:
    out = tmp_path / f"reports{len(list(tmp_path.iterdir()))}"
    root = paths.project_root()
    cmd = [sys.executable, "-m", "pytest", *(str(root / g) for g in GENERATED), "-q", "-p", "no:cacheprovider",
           "--block-network", "--report-dir", str(out), *extra]
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=600)
    results = list(out.glob("*/results.jsonl"))
    assert results, f"no results written:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    verdicts = {json.loads(line)["nodeid"]: json.loads(line)["verdict"] for line in results[0].read_text().splitlines()}
    assert done.returncode == 0, f"replay exited {done.returncode}:\n{done.stdout[-3000:]}"
    return verdicts


def test_replay_never_draws_and_serial_equals_two_workers(tmp_path):
    serial = _replay(tmp_path, "-p", "tests.harness.forbid_generation")
    assert len(serial) >= 10 and set(serial.values()) == {"pass"}, serial
    parallel = _replay(tmp_path, "-p", "tests.harness.forbid_generation", "-n", "2")
    assert parallel == serial
