"""The clean reference server, driven through the real openai SDK and raw httpx, checked by the project's
validators: every documented behaviour the issue lists, and zero findings on the server's own traffic."""

from __future__ import annotations

import time

import openai
import pytest
from server_wire import text_of

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_item_list, check_response, check_stream


def assert_clean(findings) -> None:
    assert findings == [], render(findings)


def test_create_via_sdk_has_azure_shape(wire):
    client = wire.sdk()
    r = client.responses.create(model="gpt-4.1", input="Hello there")
    assert r.output_text == "You said: Hello there"
    assert r.model == "gpt-4.1"  # Azure echoes the deployment name
    raw = wire.get(f"responses/{r.id}").json()
    assert_clean(check_response(raw))
    assert raw["content_filters"] and raw["content_filters"][0]["source_type"] == "prompt"
    assert raw["usage"]["total_tokens"] == raw["usage"]["input_tokens"] + raw["usage"]["output_tokens"]
    assert raw["store"] is True


def test_retrieve_delete_and_input_items(wire):
    r = wire.create(input="My name is Ada.")
    assert wire.get(f"responses/{r['id']}").json()["id"] == r["id"]
    items = wire.get(f"responses/{r['id']}/input_items").json()
    assert_clean(check_item_list(items))
    assert items["data"][0]["content"][0]["text"] == "My name is Ada."
    d = wire.http.delete(f"responses/{r['id']}")
    assert d.status_code == 200 and d.json() == {"id": r["id"], "object": "response.deleted", "deleted": True}
    gone = wire.get(f"responses/{r['id']}")
    assert gone.status_code == 404
    assert_clean(check_error_envelope(gone.status_code, gone.json()))


def test_store_false_not_retrievable_nor_chainable(wire):
    r = wire.create(input="My name is Bob.", store=False)
    assert r["store"] is False
    assert wire.get(f"responses/{r['id']}").status_code == 404
    chained = wire.post("responses", {"model": "gpt-4.1", "input": "What is my name?", "previous_response_id": r["id"]})
    assert chained.status_code == 400 and chained.json()["error"]["code"] == "previous_response_not_found"
    assert_clean(check_error_envelope(chained.status_code, chained.json()))


def test_previous_response_id_carries_context_via_sdk(wire):
    client = wire.sdk()
    first = client.responses.create(model="gpt-4.1", input="Hi, my name is Ada.")
    second = client.responses.create(model="gpt-4.1", input="What is my name?", previous_response_id=first.id)
    assert second.output_text == "Your name is Ada."
    assert second.previous_response_id == first.id
    assert second.usage.input_tokens_details.cached_tokens > 0
    alone = client.responses.create(model="gpt-4.1", input="What is my name?")
    assert alone.output_text == "I don't know your name yet."
    # input_items of the chained response include the earlier turn and the model's reply
    items = wire.get(f"responses/{second.id}/input_items", params={"order": "asc"}).json()["data"]
    assert [i.get("role") for i in items] == ["user", "assistant", "user"]


def test_unknown_previous_response_id_is_400_previous_response_not_found(wire):
    """As Azure answers it (microsoft/agent-framework#6419): 400, code previous_response_not_found."""
    with pytest.raises(openai.BadRequestError) as err:
        wire.sdk().responses.create(model="gpt-4.1", input="x", previous_response_id="resp_doesnotexist")
    assert err.value.code == "previous_response_not_found" and err.value.param == "previous_response_id"


def test_cross_deployment_chaining_rejected(wire):
    first = wire.create(input="My name is Cy.")
    r = wire.post("responses", {"model": "o4-mini", "input": "What is my name?", "previous_response_id": first["id"]})
    assert r.status_code == 400
    assert_clean(check_error_envelope(r.status_code, r.json()))


def test_manual_chaining_with_output_items(wire):
    first = wire.create(input="My name is Dee.", store=False)
    follow = [{"role": "user", "content": "My name is Dee."}, *first["output"], {"role": "user", "content": "What is my name?"}]
    second = wire.create(input=follow, store=False)
    assert text_of(second) == "Your name is Dee."


def test_stream_grammar_and_text(wire):
    parsed = wire.stream({"input": "count to 12"})
    assert parsed.findings == []
    events = parsed.events
    assert_clean(check_stream(events))
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert deltas == done["text"] == "1 2 3 4 5 6 7 8 9 10 11 12."
    assert events[0]["type"] == "response.created" and events[-1]["type"] == "response.completed"
    final = wire.get(f"responses/{events[-1]['response']['id']}").json()
    assert_clean(check_stream(events, final_response=final))


def test_stream_via_sdk(wire):
    with wire.sdk().responses.stream(model="gpt-4.1", input="say: streamed words") as stream:
        types = [e.type for e in stream]
        final = stream.get_final_response()
    assert final.output_text == "streamed words"
    assert types[-1] == "response.completed"


def test_stream_incomplete_ending(wire):
    events = wire.stream({"input": "count to 100", "max_output_tokens": 16}).events
    assert_clean(check_stream(events))
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert events[-1]["response"]["usage"]["output_tokens"] == 16


def test_stream_failure_has_error_event(wire):
    events = wire.stream({"input": "please RESPCHECK_FAIL now"}).events
    assert_clean(check_stream(events))
    assert [e["type"] for e in events][-2:] == ["error", "response.failed"]
    assert events[-1]["response"]["usage"]["output_tokens"] == 0


def test_background_lifecycle_and_cancel(wire):
    client = wire.sdk()
    r = client.responses.create(model="o4-mini", input="Write a long story", background=True)
    assert r.status == "queued"
    seen = {r.status}
    deadline = time.monotonic() + 10
    while r.status in ("queued", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.02)
        r = client.responses.retrieve(r.id)
        seen.add(r.status)
    assert r.status == "completed" and "in_progress" in seen
    assert_clean(check_response(wire.get(f"responses/{r.id}").json()))
    # cancel after completion: idempotent, returns the final object
    assert client.responses.cancel(r.id).status == "completed"
    # cancel while queued, twice
    q = client.responses.create(model="o4-mini", input="another", background=True)
    c1 = client.responses.cancel(q.id)
    c2 = client.responses.cancel(q.id)
    assert c1.status == c2.status == "cancelled"
    time.sleep(0.3)
    assert client.responses.retrieve(q.id).status == "cancelled"


def test_background_requires_store(wire):
    r = wire.post("responses", {"model": "o4-mini", "input": "x", "background": True, "store": False})
    assert r.status_code == 400
    assert_clean(check_error_envelope(r.status_code, r.json()))


def test_cancel_synchronous_response_refused(wire):
    r = wire.create(input="x")
    c = wire.post(f"responses/{r['id']}/cancel", None)
    assert c.status_code == 400


def test_background_stream_and_resume(wire):
    full = wire.stream({"model": "o4-mini", "input": "count to 8", "background": True}).events
    assert_clean(check_stream(full))
    assert [e["type"] for e in full[:3]] == ["response.created", "response.queued", "response.in_progress"]
    rid = full[0]["response"]["id"]
    n = 4
    resumed = wire.stream(get=f"responses/{rid}?stream=true&starting_after={n}").events
    assert resumed == full[n + 1 :]
    assert_clean(check_stream(resumed, starting_after=n))
    via_sdk = [e.sequence_number for e in wire.sdk().responses.retrieve(rid, stream=True, starting_after=n)]
    assert via_sdk == [e["sequence_number"] for e in full[n + 1 :]]
    # resuming needs the original request to have streamed
    plain = wire.create(model="o4-mini", input="x", background=True)
    assert wire.get(f"responses/{plain['id']}?stream=true").status_code == 400


def test_background_resume_while_running(wire):
    r = wire.http.post("responses", json={"model": "o4-mini", "input": "count to 30", "background": True, "stream": True})
    rid = r.text.split('"id":"', 1)[1].split('"', 1)[0]
    resumed = wire.stream(get=f"responses/{rid}?stream=true&starting_after=1").events
    assert resumed[0]["sequence_number"] == 2 and resumed[-1]["type"] == "response.completed"


def test_auth_api_key_bearer_and_401(wire, server):
    bearer = wire.http.post("responses", json={"model": "gpt-4.1", "input": "x"}, headers={"api-key": "", "authorization": f"Bearer {server.api_key}"})
    # an empty api-key header is a wrong key; drop it to use Bearer alone
    import httpx

    with httpx.Client(base_url=server.base_url) as raw:
        ok = raw.post("responses", json={"model": "gpt-4.1", "input": "x"}, headers={"Authorization": f"Bearer {server.api_key}"})
        assert ok.status_code == 200
        missing = raw.post("responses", json={"model": "gpt-4.1", "input": "x"})
        wrong = raw.post("responses", json={"model": "gpt-4.1", "input": "x"}, headers={"api-key": "nope"})
    assert bearer.status_code == 401
    for resp in (missing, wrong):
        assert resp.status_code == 401
        assert_clean(check_error_envelope(resp.status_code, resp.json()))
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.base_url, api_key="wrong", max_retries=0).responses.create(model="gpt-4.1", input="x")


def test_rate_limit_on_demand():
    from respcheck.server.run import start_in_thread

    with start_in_thread(rate_limit_per_minute=2) as srv, __import__("httpx").Client(base_url=srv.base_url, headers={"api-key": srv.api_key}) as http:
        codes = [http.post("responses", json={"model": "gpt-4.1", "input": "x"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = http.post("responses", json={"model": "gpt-4.1", "input": "x"})
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["x-ratelimit-remaining-requests"] == "0"
        assert_clean(check_error_envelope(r.status_code, r.json()))


def test_simulated_429_header(wire):
    r = wire.post("responses", {"model": "gpt-4.1", "input": "x"}, headers={"x-respcheck-simulate": "429"})
    assert r.status_code == 429 and "retry-after" in r.headers


def test_transient_failures_are_seeded():
    from respcheck.server.run import start_in_thread

    def run() -> list[int]:
        with start_in_thread(transient_rate=0.5, seed=7) as srv, __import__("httpx").Client(base_url=srv.base_url, headers={"api-key": srv.api_key}) as http:
            return [http.post("responses", json={"model": "gpt-4.1", "input": "x"}).status_code for _ in range(8)]

    first = run()
    assert first == run()
    assert {200, 429} <= set(first) or {200, 500} <= set(first)


def test_bad_input_is_400_with_envelope(wire):
    for body in ({"model": "gpt-4.1", "input": "x", "temperature": 5}, {"model": "nope", "input": "x"}, {"model": "gpt-4.1"}):
        r = wire.post("responses", body)
        assert r.status_code == 400, body
        assert_clean(check_error_envelope(r.status_code, r.json()))
    bad_json = wire.http.post("responses", content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400


def test_models_list_capabilities(wire):
    models = {m.id: m for m in wire.sdk().models.list()}
    assert {"gpt-4.1", "o4-mini", "o3-mini"} <= set(models)
    raw = {m["id"]: m for m in wire.get("models").json()["data"]}
    assert raw["o3-mini"]["capabilities"]["vision"] is False
    assert raw["gpt-4.1"]["capabilities"]["vision"] is True
