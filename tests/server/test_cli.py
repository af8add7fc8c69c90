"""`respcheck serve` / `respcheck faults` as a user runs them, plus the start-time figure (printed, not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx

from respcheck.cli import main
from respcheck.server.faults import ALL_FAULTS


def test_faults_json_lists_catalogue(capsys):
    assert main(["faults", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [f["name"] for f in listed] == list(ALL_FAULTS)
    families = {f["family"] for f in listed}
    assert {"stream", "store", "chaining", "background", "mcp", "images", "files"} <= families


def test_faults_text(capsys):
    assert main(["faults"]) == 0
    out = capsys.readouterr().out
    assert "stream.missing_sequence_number" in out and f"{len(ALL_FAULTS)} faults" in out


def test_unknown_fault_is_one_clear_line(capsys):
    assert main(["serve", "--fault", "no.such_fault"]) == 2
    err = capsys.readouterr().err
    assert "unknown fault 'no.such_fault'" in err and "Traceback" not in err


def test_serve_starts_and_answers_benchmark():
    """Start `respcheck serve` as a user would; print how long until it answers (goal: under 2 s)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "respcheck", "serve", "--port", "0", "--fault", "response.model_not_deployment", "--api-key", "k-test"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready = proc.stdout.readline()
        base = proc.stdout.readline().split()[-1]
        key_line = proc.stdout.readline()
        assert "ready" in ready and base.endswith("/openai/v1/")
        assert "k-test" not in key_line  # the key is never printed
        r = httpx.post(base + "responses", json={"model": "gpt-4.1", "input": "hi"}, headers={"api-key": "k-test"})
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200 and r.json()["model"] == "gpt-4.1-2025-04-14"
        print(f"\nrespcheck serve: first response {elapsed:.2f}s after launch ({ready.strip()})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
