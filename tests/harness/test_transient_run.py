"""The whole suite, live, against a reference server that fails 10% of create requests transiently (429 with
Retry-After, 500, or an `error` event inside the stream) and answers every create slowly: not one false
failure, the run finishes, and the server holds nothing afterwards. What a live run against a rate-limited,
billed service needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from respcheck.server.run import start_in_thread


def test_live_run_survives_injected_transient_faults_and_leaves_nothing_behind(tmp_path):
    srv = start_in_thread(port=0, transient_rate=0.1, slow_first_byte_s=0.02, seed=7)
    try:
        env = {**os.environ, "AZURE_OPENAI_API_KEY": srv.api_key}
        proc = subprocess.run(
            [sys.executable, "-m", "respcheck", "run", "--endpoint", srv.base_url, "--deployment", "gpt-4.1",
             "--deployment-role", "reasoning=o4-mini", "--deployment-role", "text_only=o3-mini",
             "--deployment-role", "other=gpt-4.1-mini", "--allow-expensive", "--report-dir", str(tmp_path)],
            env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1500)
        held = httpx.get(srv.base_url.split("/openai/")[0] + "/respcheck/info").json()["held"]
    finally:
        srv.stop()
    run_dir = next(tmp_path.iterdir())
    results = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    fails = [f"{r['nodeid']}: {r['message'][:300]}" for r in results if r["verdict"] == "fail"]
    assert not fails, "\n".join(fails)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-1000:]
    verdicts = {r["verdict"] for r in results}
    assert "not-run" not in verdicts, "the run did not finish"
    assert sum(r["verdict"] == "pass" for r in results) >= 0.7 * len(results)
    assert held == {"responses": 0, "background_running": 0, "files": 0}, held
    run = json.loads((run_dir / "run.json").read_text())
    assert run["cleanup"]["left_over"] == []
