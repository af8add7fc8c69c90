"""A stream that outlives the cancel of its background task fails the suite within a bound, never hangs.

`suites/background/test_background_cancel_stream.py` cancels a background task while its stream is open; the
reference server's `background.stream_outlives_cancel` fault keeps such a stream open (keep-alive comments,
30 s). The test must fail with ``stream_not_ended_after_cancel`` within its bound (3 s after the cancel
answered against the reference server), and `background.stream_completes_after_cancel` (the stream goes on
to the end) must fail it too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from respcheck.paths import project_root

TEST = "suites/background/test_background_cancel_stream.py"


@pytest.mark.parametrize("fault", ["background.stream_outlives_cancel", "background.stream_completes_after_cancel"])
def test_cancel_stream_test_fails_within_its_bound(tmp_path, fault):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST, "--target", "reference",
         "--reference-fault", fault, "--report-dir", str(tmp_path)],
        cwd=project_root(), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    run_dir = next(tmp_path.iterdir())
    results = {r["nodeid"]: r for r in map(json.loads, (run_dir / "results.jsonl").read_text().splitlines())}
    mine = results[f"{TEST}::test_cancel_ends_the_attached_background_stream"]
    assert mine["verdict"] == "fail", (mine, proc.stdout[-1500:])
    assert "stream_not_ended_after_cancel" in mine["message"] or "finished" in mine["message"], mine["message"]
    assert mine["duration_s"] < 10.0, mine["duration_s"]  # the 3 s bound plus the task's start, not 30 s
    assert mine["observed"]["background.cancel.stream_end"]["ended"] is False or "finished" in mine["message"]
