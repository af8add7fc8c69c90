"""The dual client's cross-cutting jobs: retries → inconclusive, SDK parse failures, budget, cleanup."""

from __future__ import annotations

import openai
import pytest

from respcheck.budget import Budget, BudgetExhausted
from respcheck.client import DualClient, SdkParseError
from respcheck.target import Target
from respcheck.verdicts import Inconclusive


def _client(service, **kw) -> DualClient:
    return DualClient(Target("fake", "reference", service.base_url, "fake-1", api_key="k"), backoff_s=0.0, **kw)


def test_transient_429_is_retried_then_succeeds(service):
    service.state.fail_next = [429, 503]
    with _client(service) as c:
        assert c.create(c.body("x")).status == "completed"
        service.state.fail_next = [500]
        assert c.http_post("responses", c.body("y")).status_code == 200
    assert len([m for m, _ in service.state.log if m == "POST"]) == 5


def test_persistent_5xx_is_inconclusive_not_a_fail(service):
    service.state.fail_next = [503] * 10
    with _client(service, retries=2) as c:
        with pytest.raises(Inconclusive, match="still failing after 3 attempt"):
            c.create(c.body("x"))
        with pytest.raises(Inconclusive):
            c.http_post("responses", c.body("x"))


def test_retry_never_returns_the_error_to_the_test(service):
    service.state.fail_next = [429]
    with _client(service) as c:
        assert c.http_post("responses", c.body("x"), retry="never").status_code == 429
        service.state.fail_next = [429]
        with pytest.raises(openai.RateLimitError):
            c.create(c.body("x"), retry="never")


def test_retry_false_looks_past_a_transient_answer_but_returns_a_persistent_one(service):
    """A test probing an error answer must not mistake an injected 429 for it, yet must see a 500 that the
    service gives on every attempt (that is the service's answer to the input, e.g. bad input → 500)."""
    with _client(service) as c:
        service.state.fail_next = [429]
        assert c.http_post("responses", c.body("x"), retry=False).status_code == 200
        service.state.fail_next = [500] * 10
        assert c.http_post("responses", c.body("x"), retry=False).status_code == 500
        service.state.fail_next = [500] * 10
        with pytest.raises(openai.InternalServerError):
            c.create(c.body("x"), retry=False)


def test_sdk_parse_failure_is_its_own_finding(service):
    service.state.garbage_stream = True
    with _client(service) as c:
        with pytest.raises(SdkParseError) as info:
            c.sdk_stream(c.body("x"))
        status, _h, text, events = c.http_stream("responses", c.body("x"))  # the wire itself is readable
    finding = info.value.finding
    assert finding.check == "sdk_parse_error"
    assert finding.extra["openai_version"] == openai.__version__
    assert openai.__version__ in finding.message
    assert status == 200 and "{not json" in text and events == []


def test_budget_stops_before_the_request_that_would_exceed_it(service):
    budget = Budget(max_requests=2)
    with _client(service, budget=budget) as c:
        c.create(c.body("a"))
        c.http_get("models")
        with pytest.raises(BudgetExhausted, match="--max-requests 2"):
            c.create(c.body("b"))
    assert budget.spent()["requests"] == 2
    assert budget.spent()["input_tokens"] == 5 and budget.spent()["output_tokens"] == 3


def test_token_budget_and_shared_ledger(service, tmp_path):
    ledger = tmp_path / "ledger.json"
    a, b = Budget(max_tokens=10, ledger=ledger), Budget(max_tokens=10, ledger=ledger)  # two "workers"
    with _client(service, budget=a) as c:
        c.create(c.body("a"))  # 8 tokens
    with _client(service, budget=b) as c:
        c.create(c.body("b"))  # 16 ≥ 10 now
        with pytest.raises(BudgetExhausted, match="--max-tokens 10"):
            c.create(c.body("c"))
    assert a.spent() == b.spent() and a.spent()["requests"] == 2


def test_created_objects_are_cleaned_and_tagged(service):
    with _client(service, run_id="run-xyz") as c:
        kept = c.create(c.body("a"))
        raw = c.http_post("responses", c.body("b")).json()
        c.create(c.body("c", store=False))
        c.sdk_stream(c.body("d"))
        assert service.state.stored[kept.id]["metadata"] == {"respcheck_run": "run-xyz"}
        left = c.run_cleanup()
    assert left == []
    assert kept.id in service.state.deleted and raw["id"] in service.state.deleted
    assert len(service.state.deleted) == 3  # store=false was not stored, so not deleted


def test_request_ids_and_channels_are_evidence(service):
    with _client(service) as c:
        c.create(c.body("a"))
        assert c.evidence.channel() == "sdk"
        c.http_post("responses", c.body("b"))
    assert c.evidence.channel() == "both"
    assert len(c.evidence.request_ids) == 2


def _posts(service) -> int:
    return len([m for m, _ in service.state.log if m == "POST"])


def test_create_both_reads_one_wire_answer_through_both_channels(service):
    """One request, two views: the SDK's typed object is read from the very bytes the raw view holds."""
    with _client(service) as c:
        ex = c.create_both(c.body("a"))
        assert _posts(service) == 1
        assert ex.status == 200 and ex.error is None
        assert ex.sdk.id == ex.json()["id"] and ex.sdk.output_text == ex.json()["output"][0]["content"][0]["text"]
        assert c.evidence.channel() == "both" and c.evidence.requests == 1
        assert c.run_cleanup() == []
    assert service.state.deleted == [ex.sdk.id]


def test_create_both_hands_back_error_answers_and_retries_transient_ones(service):
    with _client(service) as c:
        service.state.fail_next = [400]
        ex = c.create_both(c.body("a"))
        assert ex.status == 400 and ex.sdk is None and isinstance(ex.error, openai.BadRequestError)
        assert ex.json()["error"]["message"] == "busy"
        service.state.fail_next = [429]
        assert c.create_both(c.body("b")).status == 200  # the 429 was retried
        service.state.fail_next = [503] * 10
        assert c.create_both(c.body("c"), retry=False).status == 503  # persistent: the answer under test
        service.state.fail_next = [503] * 10
        with pytest.raises(Inconclusive):
            c.create_both(c.body("d"))
    assert _posts(service) == 1 + 2 + 4 + 4


def test_stream_both_decodes_the_same_bytes_twice(service):
    with _client(service) as c:
        ex = c.stream_both(c.body("a"))
        assert _posts(service) == 1
        assert ex.status == 200 and "event: response.created" in ex.text
        assert [e["type"] for e in ex.events] == [e.type for e in ex.sdk_events]
        assert ex.sdk_events[-1].response.id == ex.events[-1]["response"]["id"]
        assert ex.wire.events == ex.events
        service.state.garbage_stream = True
        with pytest.raises(SdkParseError) as info:
            c.stream_both(c.body("b"))
    assert info.value.finding.check == "sdk_parse_error"


def test_extra_headers_reach_the_wire_and_billed_sdk_calls_are_charged(service):
    with _client(service) as c:
        c.create_both(c.body("a"), headers={"x-ms-oai-image-generation-deployment": "img"})
        c.stream_both(c.body("b"), headers={"x-ms-oai-image-generation-deployment": "img"})
        assert [h.get("x-ms-oai-image-generation-deployment") for h in service.state.create_headers] == ["img", "img"]
        before = c.evidence.input_tokens
        c.sdk_call("a call not marked billed", lambda: c.sdk.responses.create(model="fake-1", input="c"))
        assert c.evidence.input_tokens == before  # not billed: nothing charged
        c.sdk_call("create", lambda: c.sdk.responses.create(model="fake-1", input="c"), billed=True)
        assert c.evidence.input_tokens > before


def test_call_both_serves_any_sdk_call_once(service):
    with _client(service) as c:
        made = c.create_both(c.body("a"))
        got = c.call_both("GET /responses/{id}", lambda sdk: sdk.responses.with_raw_response.retrieve(made.sdk.id))
        missing = c.call_both("GET /responses/{id}", lambda sdk: sdk.responses.with_raw_response.retrieve("resp_nope"))
    assert got.status == 200 and got.sdk.id == made.sdk.id == got.json()["id"]
    assert missing.status == 404 and missing.sdk is None and isinstance(missing.error, openai.NotFoundError)
    assert c.evidence.requests == 3 and c.evidence.input_tokens == made.sdk.usage.input_tokens  # a GET is not billed


def test_cleanup_skips_what_the_test_already_finished_or_deleted(service):
    """A background response seen finished is deleted without a cancel; one the test deleted itself is not
    deleted again; one never seen finished is cancelled first."""
    with _client(service) as c:
        done = c.create_both(c.body("a", background=True))  # the fake answers completed at once
        gone = c.create_both(c.body("b"))
        assert c.http_delete(f"responses/{gone.sdk.id}").status_code == 200
        c.cleanup.add_response("resp_never_seen", background=True)
        posts = _posts(service)
        c.run_cleanup()
        cancels = [u for m, u in service.state.log[posts:] if m == "POST"]
    assert cancels == [f"{service.base_url}responses/resp_never_seen/cancel"]
    assert service.state.deleted.count(gone.sdk.id) == 1 and done.sdk.id in service.state.deleted


def test_stream_both_times_the_first_chunk(service):
    with _client(service) as c:
        c.stream_both(c.body("a"))
    first, total = c.last_stream_timing
    assert first is not None and 0 <= first <= total


def test_with_credentials_shares_budget_evidence_and_cleanup(service):
    budget = Budget()
    with _client(service, budget=budget) as c:
        with c.with_credentials("wrong-key") as wrong:
            assert wrong.http_get("models").request.headers["api-key"] == "wrong-key"
            made = wrong.create_both(wrong.body("a"))  # the fake accepts any key: "wrongly accepted"
            assert made.http.request.headers["authorization"] == "Bearer wrong-key"
        with c.with_credentials(None) as anonymous:
            sent = anonymous.http_get("models").request.headers
            assert "api-key" not in sent and "authorization" not in sent
        with c.with_credentials(token="tok") as entra:
            assert entra.http_get("models").request.headers["authorization"] == "Bearer tok"
        assert c.evidence.requests == budget.spent()["requests"] == 4
        c.run_cleanup()  # deletes what the other credentials created, with this client's own
    assert service.state.deleted == [made.sdk.id]
