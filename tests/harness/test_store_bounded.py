"""The reference server's store is bounded: oldest responses and items go first, a running background
response is spared, and an evicted response is simply absent (404), never an error."""

from __future__ import annotations

import httpx

from respcheck.server.run import start_in_thread
from respcheck.server.store import Record, ResponseStore


def _rec(rid: str, *, background: bool = False, items: int = 1) -> Record:
    out = [{"id": f"{rid}_msg{i}", "type": "message"} for i in range(items)]
    return Record(rid, {"id": rid, "output": out}, [], [], [], stored=True, background=background)


def test_oldest_records_and_items_are_evicted_first():
    store = ResponseStore(max_records=3, max_items=4)
    for n in range(5):
        store.put(_rec(f"r{n}", items=2))
    assert len(store) == 3 and store.evicted == 2
    assert store.get("r0") is None and store.get("r1") is None and store.get("r4") is not None
    assert store.item("r4_msg1") is not None and store.item("r3_msg0") is not None
    assert store.item("r2_msg0") is None  # beyond the item bound


def test_a_running_background_response_is_spared():
    store = ResponseStore(max_records=2)
    store.put(_rec("bg", background=True))
    for n in range(4):
        store.put(_rec(f"r{n}"))
    assert store.get("bg") is not None and store.get("r3") is not None and len(store) == 2
    frozen = _rec("bg2", background=True)
    frozen.frozen_count = 1  # cancelled: no longer running, evicted like any other
    store.put(frozen)
    store.put(_rec("r9"))
    assert store.get("bg2") is None and store.get("bg") is not None


def test_the_server_answers_404_for_an_evicted_response():
    srv = start_in_thread(port=0)
    try:
        srv._server.config.app.state.respcheck.store.max_records = 2
        with httpx.Client(base_url=srv.base_url, headers={"api-key": srv.api_key}) as http:
            ids = [http.post("responses", json={"model": "gpt-4.1", "input": f"n{n}"}).json()["id"] for n in range(3)]
            assert http.get(f"responses/{ids[0]}").status_code == 404
            assert http.get(f"responses/{ids[2]}").status_code == 200
    finally:
        srv.stop()
