"""`respcheck cleanup` deletes only what it can prove is the ledger run's own, files included.

The adversarial case behind it: a ledger (stale, copied or edited) lists an object that is not the run's.
Responses are proven by their ``metadata.respcheck_run`` tag; files (no metadata on the Files API) by the
upload answer the ledger kept (filename, bytes, created_at) still matching the service, and by being
created after the run started. Whatever cannot be proven stays on the service, "not ours".
"""

from __future__ import annotations

import time

import httpx
import pytest

from respcheck.cleanup import run_started, sweep
from respcheck.cli import main
from respcheck.ledger import Created, Ledger, file_proof, outstanding, read_entries
from respcheck.server.run import start_in_thread

KEY = "respcheck-local-key"


@pytest.fixture
def server():
    srv = start_in_thread(port=0)
    yield srv
    srv.stop()


def _run_id(seconds_ago: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - seconds_ago)) + "-live-p-0000"


def _upload(http: httpx.Client, name: str, data: bytes = b"abc") -> dict:
    r = http.post("files", files={"file": (name, data, "text/plain")}, data={"purpose": "assistants"})
    assert r.status_code == 200, r.text
    return r.json()


def test_run_started_reads_the_run_id():
    assert run_started("20260101T000000Z-live-x-ab12") == 1_767_225_600
    assert run_started("old-run") is None


def test_cleanup_never_deletes_a_foreign_file_the_ledger_lists(server, tmp_path, monkeypatch):
    base = server.base_url
    run_id = _run_id(60)
    with httpx.Client(base_url=base, headers={"api-key": KEY}) as http:
        ours = _upload(http, "ours.txt")
        foreign_plain = _upload(http, "theirs.txt")  # listed without proof (a hand-edited ledger)
        foreign_forged = _upload(http, "theirs2.txt")  # listed with a proof copied from our upload
        foreign_resp = http.post("responses", json={"model": "gpt-4.1", "input": "hi",
                                                    "metadata": {"owner": "someone"}}).json()["id"]
    run_dir = tmp_path / "reports" / run_id
    led = Ledger(run_dir / "created.jsonl", run_id=run_id, base_url=base, masked_endpoint=base)
    led.created("file", ours["id"], proof=file_proof(ours))
    led.created("file", foreign_plain["id"])
    led.created("file", foreign_forged["id"], proof=file_proof(ours))
    led.created("response", foreign_resp)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    assert main(["cleanup", "--endpoint", base, "--reports", str(tmp_path / "reports")]) == 0
    with httpx.Client(base_url=base, headers={"api-key": KEY}) as http:
        assert http.get(f"files/{ours['id']}").status_code == 404, "the run's own upload is deleted"
        for foreign in (foreign_plain["id"], foreign_forged["id"]):
            assert http.get(f"files/{foreign}").status_code == 200, "a foreign file must never be deleted"
        assert http.get(f"responses/{foreign_resp}").status_code == 200
    left = {c.id for c in outstanding(read_entries(run_dir / "created.jsonl"))}
    assert left == {foreign_plain["id"], foreign_forged["id"], foreign_resp}, "not-ours stays listed, not struck off"


def test_a_file_older_than_the_run_is_not_its_own(server):
    """Same filename, size and timestamp recorded, but created before the run started: not provably ours."""
    with httpx.Client(base_url=server.base_url, headers={"api-key": KEY}) as http:
        old = _upload(http, "old.txt")
        later_run = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(old["created_at"] + 3600)) + "-live-p-0000"
        item = Created("file", old["id"], proof=tuple(sorted(file_proof(old).items())))
        result = sweep(http, [item], require_tag=later_run)
        assert result.skipped == [old["id"]] and not result.deleted
        assert http.get(f"files/{old['id']}").status_code == 200
        same_run = _run_id(60)
        result = sweep(http, [item], require_tag=same_run)
        assert result.deleted == [old["id"]]


def test_the_client_keeps_the_upload_proof_in_the_ledger(server, tmp_path):
    """The client writes filename/bytes/created_at of every upload it registers (what the check needs)."""
    from respcheck.client import DualClient
    from respcheck.target import reference_target

    target = reference_target(server.base_url, KEY)
    led = Ledger(tmp_path / "created.jsonl", run_id=_run_id(0), base_url=target.base_url, masked_endpoint="x")
    with DualClient(target, ledger=led, run_id=led.run_id) as client:
        r = client.http_post("files", files={"file": ("p.txt", b"hello", "text/plain")}, data={"purpose": "assistants"})
        assert r.status_code == 200
        (item,) = outstanding(read_entries(led.path))
        assert dict(item.proof) == {"filename": "p.txt", "bytes": 5, "created_at": r.json()["created_at"]}
        client.run_cleanup()
    assert outstanding(read_entries(led.path)) == []
