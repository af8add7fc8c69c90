"""Live runs a platform team can trust: nothing left behind (also after Ctrl-C), budgets, cleanup command.

The "live" target here is the reference server on loopback, started by the test, so that what it still
holds after a run can be read from ``/respcheck/info`` (stored responses, running background tasks, files).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from respcheck.budget import Budget, parse_prices
from respcheck.cleanup import sweep
from respcheck.cli import main
from respcheck.ledger import Created, Ledger, file_proof, outstanding, read_entries
from respcheck.server.run import start_in_thread

KEY = "respcheck-local-key"

# A suite of its own (behaviour ids from the catalogue): each test stores responses, starts a slow
# background task and uploads a file, then waits long enough to be interrupted mid-way.
SLOW_SUITE = '''
import time
import pytest


@pytest.mark.behaviour("background.create.queued")
@pytest.mark.parametrize("n", range(6))
def test_creates_then_waits(client, n):
    """'fixture suite for the interrupt test'"""
    client.create(client.body(f"Say {n}."))
    client.create(client.body(f"Say {n} slowly.", background=True))
    client.http_post("files", files={"file": (f"n{n}.txt", b"hello", "text/plain")}, data={"purpose": "assistants"})
    time.sleep(3)
'''


@pytest.fixture
def server():
    srv = start_in_thread(port=0, background_queued_s=30.0)  # background tasks stay queued: cancel must happen
    yield srv
    srv.stop()


def held(srv) -> dict:
    return httpx.get(srv.base_url.split("/openai/")[0] + "/respcheck/info").json()["held"]


def _write_suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suites" / "fixture"
    suite.mkdir(parents=True)
    (suite / "test_slow.py").write_text(textwrap.dedent(SLOW_SUITE), encoding="utf-8")
    return tmp_path / "suites"


def _run_argv(srv, suites: Path, reports: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "respcheck", "run", "--endpoint", srv.base_url, "--deployment", "gpt-4.1",
            "--suites", str(suites), "--report-dir", str(reports), *extra]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_run_killed_midway_leaves_nothing_on_the_service(server, tmp_path, sig):
    suites, reports = _write_suite(tmp_path), tmp_path / "reports"
    env = {**os.environ, "AZURE_OPENAI_API_KEY": KEY}
    proc = subprocess.Popen(_run_argv(server, suites, reports), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and held(server)["background_running"] == 0:
            time.sleep(0.1)
        during = held(server)
        assert during["responses"] >= 2 and during["background_running"] >= 1 and during["files"] >= 1, during
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, out[-1500:]
    assert held(server) == {"responses": 0, "background_running": 0, "files": 0}, out[-1500:]
    run_dir = next(reports.iterdir())
    run = json.loads((run_dir / "run.json").read_text())
    assert run["cleanup"]["left_over"] == []
    verdicts = [json.loads(line)["verdict"] for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert "not-run" in verdicts and "fail" not in verdicts, verdicts


def test_ledger_records_creates_and_deletes_and_survives_a_torn_line(tmp_path):
    path = tmp_path / "created.jsonl"
    led = Ledger(path, run_id="r1", base_url="http://x/openai/v1/", masked_endpoint="http://x/openai/v1/")
    led.created("response", "resp_1")
    led.created("response", "resp_2", background=True)
    led.created("file", "assistant-1")
    led.deleted("response", "resp_1")
    with path.open("a") as f:
        f.write('{"op": "created", "kind": "resp')  # a writer killed mid-line
    assert outstanding(read_entries(path)) == [Created("response", "resp_2", True), Created("file", "assistant-1")]
    assert "http://x" not in path.read_text().split("\n")[0].replace("http://x/openai/v1/", "")  # only the masked form


def test_cleanup_command_removes_only_what_the_tag_says_is_ours(server, tmp_path, monkeypatch, capsys):
    base = server.base_url
    old_run = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 60)) + "-live-old-run"
    with httpx.Client(base_url=base, headers={"api-key": KEY}) as http:
        ours = http.post("responses", json={"model": "gpt-4.1", "input": "hi", "metadata": {"respcheck_run": old_run}}).json()["id"]
        theirs = http.post("responses", json={"model": "gpt-4.1", "input": "hi", "metadata": {"owner": "someone"}}).json()["id"]
        upload = http.post("files", files={"file": ("a.txt", b"abc", "text/plain")}, data={"purpose": "assistants"}).json()
    fid = upload["id"]
    run_dir = tmp_path / "reports" / old_run
    led = Ledger(run_dir / "created.jsonl", run_id=old_run, base_url=base, masked_endpoint=base)
    for kind, oid in (("response", ours), ("response", theirs)):
        led.created(kind, oid)  # type: ignore[arg-type]
    led.created("file", fid, proof=file_proof(upload))  # what the client keeps of an upload
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    assert main(["cleanup", "--endpoint", base, "--reports", str(tmp_path / "reports"), "--dry-run"]) == 0
    assert held(server) == {"responses": 2, "background_running": 0, "files": 1}
    assert main(["cleanup", "--endpoint", base, "--reports", str(tmp_path / "reports")]) == 0
    out = capsys.readouterr().out
    assert old_run[:16] in out  # the run is listed (its id wraps in the table)
    with httpx.Client(base_url=base, headers={"api-key": KEY}) as http:
        assert http.get(f"responses/{ours}").status_code == 404
        assert http.get(f"responses/{theirs}").status_code == 200, "an id without our tag must never be deleted"
        assert http.get(f"files/{fid}").status_code == 404
    # a second sweep has nothing left but the foreign id, which stays skipped
    assert [c.id for c in outstanding(read_entries(run_dir / "created.jsonl"))] == [theirs]


def test_cleanup_command_bad_input_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    (tmp_path / "r").mkdir()
    assert main(["cleanup", "--endpoint", "not a url", "--reports", str(tmp_path / "r")]) == 2
    assert main(["cleanup", "--endpoint", "https://x.openai.azure.com/", "--reports", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("respcheck: error:") == 2


def test_sweep_cancels_background_then_deletes(server):
    with httpx.Client(base_url=server.base_url, headers={"api-key": KEY}) as http:
        rid = http.post("responses", json={"model": "gpt-4.1", "input": "slow", "background": True}).json()["id"]
        assert held(server)["background_running"] == 1
        result = sweep(http, [Created("response", rid, True)])
    assert result.deleted == [rid] and not result.left
    assert held(server) == {"responses": 0, "background_running": 0, "files": 0}


def test_max_cost_stops_the_budget():
    b = Budget(max_cost=0.01, prices=parse_prices("2,8"))
    assert b.exhausted() is None
    b.charge_usage({"input_tokens": 1000, "output_tokens": 1000})  # 0.002 + 0.008 USD
    assert b.cost() == pytest.approx(0.01)
    assert "--max-cost 0.01 USD reached" in (b.exhausted() or "")
    with pytest.raises(ValueError):
        parse_prices("cheap")


def test_chat_completions_usage_is_charged_too():
    b = Budget()
    assert b.charge_usage({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}) == (7, 3)
    assert b.charge_usage({"input_tokens": 2, "output_tokens": 1}) == (2, 1)
    assert (b.spent()["input_tokens"], b.spent()["output_tokens"]) == (9, 4)


def test_max_cost_run_marks_the_rest_not_run(server, tmp_path):
    suites, reports = _write_suite(tmp_path), tmp_path / "reports"
    (suites / "fixture" / "test_slow.py").write_text(textwrap.dedent(SLOW_SUITE).replace("time.sleep(3)", "pass"))
    env = {**os.environ, "AZURE_OPENAI_API_KEY": KEY}
    proc = subprocess.run(_run_argv(server, suites, reports, "--max-cost", "0.00001"), env=env,
                          capture_output=True, text=True, timeout=120)
    run_dir = next(reports.iterdir())
    results = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    verdicts = [r["verdict"] for r in results]
    # the first create already costs more than the cap: the request after it is refused, and that test and
    # every later one are not-run (never fail, never pass)
    assert set(verdicts) == {"not-run"}, (verdicts, proc.stdout[-800:])
    assert all("--max-cost" in r["message"] for r in results)
    assert proc.returncode == 0
    run = json.loads((run_dir / "run.json").read_text())
    assert run["spent"]["est_cost_usd"] > 0 and run["limits"]["max_cost_usd"] == 0.00001
    assert run["spent"]["requests"] <= 4, run["spent"]
    assert held(server) == {"responses": 0, "background_running": 0, "files": 0}


def test_transient_failures_cycle_429_500_and_an_error_event_inside_the_stream():
    """The reference server's transient injection (what the whole-suite transient test relies on): with every
    request hit, the 1st answers 429 with Retry-After, the 2nd 500, the 3rd (a stream) is cut by an `error`
    event and response.failed; the client reads that event's code as transient, and with its default retries
    a request that never gets through ends inconclusive, never as a failure."""
    from respcheck.client import TRANSIENT_CODES, DualClient, stream_error_code
    from respcheck.target import reference_target
    from respcheck.verdicts import Inconclusive

    srv = start_in_thread(port=0, transient_rate=1.0)
    try:
        with DualClient(reference_target(srv.base_url, srv.api_key)) as c:
            body = c.body("Count to three.", max_output_tokens=16)
            r1 = c.http_post("responses", body, retry="never")
            assert r1.status_code == 429 and int(r1.headers["retry-after"]) >= 1
            assert c.http_post("responses", body, retry="never").status_code == 500
            status, _h, _t, events = c.http_stream("responses", body, retry="never")
            assert status == 200 and [e["type"] for e in events][-2:] == ["error", "response.failed"]
            assert stream_error_code(events) in TRANSIENT_CODES
            assert [e["sequence_number"] for e in events] == list(range(len(events)))
            c.backoff_s = 0.0
            with pytest.raises(Inconclusive):
                c.http_stream("responses", body)
    finally:
        srv.stop()
