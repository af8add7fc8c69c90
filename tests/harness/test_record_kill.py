"""A ``--record`` run killed mid-way (SIGINT, SIGTERM, SIGKILL) loses no good cassette.

Each cassette the run had not finished re-recording when it died is the old one, whole; each it had
finished is a whole new recording. Checked on a copy of the shipped streaming cassettes, against the
reference server, with the signal sent once the first new cassette has landed (so a test is in flight).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from respcheck import paths

FAMILY = "streaming"


def _interactions(path: Path) -> int:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(data, dict) and isinstance(data.get("interactions"), list), f"{path} is not a whole cassette"
    return len(data["interactions"])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_killed_record_run_keeps_every_good_cassette(tmp_path, sig):
    shipped = paths.cassettes_dir() / "reference"
    root = tmp_path / "cassettes"
    shutil.copytree(shipped / FAMILY, root / "reference" / FAMILY)
    shutil.copy(shipped / "profile.yaml", root / "reference" / "profile.yaml")
    before = {p.name: (_interactions(p), p.stat().st_mtime_ns) for p in (root / "reference" / FAMILY).glob("*.yaml")}
    assert before, "no shipped cassettes to protect"

    cmd = [sys.executable, "-m", "pytest", str(paths.suites_dir() / FAMILY), "-q", "-p", "no:cacheprovider",
           "--target", "reference", "--record", "--cassette-dir", str(root), "--report-dir", str(tmp_path / "reports")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            landed = [n for n, (_c, m) in before.items()
                      if (root / "reference" / FAMILY / n).stat().st_mtime_ns != m]
            if landed:
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            pytest.skip("the record run ended before a signal could be sent (machine too fast to test this)")
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    after = {p.name: p for p in (root / "reference" / FAMILY).glob("*.yaml")}
    assert set(after) == set(before), f"cassettes lost: {sorted(set(before) - set(after))}"
    for name, (count, _mtime) in before.items():
        assert _interactions(after[name]) == count, f"{name}: {count} interactions before, " \
                                                    f"{_interactions(after[name])} after the {sig.name}"
