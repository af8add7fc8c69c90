"""Chaining by previous_response_id and what one stored conversation shows: context carried over one and
several turns (also streamed), the id echoed, retrieve by id, input items (order, paging, earlier model
items), manual chaining with output items, store=false, no chaining across deployments, and what chaining
does to the prompt-side token count.

A live run pays per request, so the module makes one conversation (one cassette: ids are normalised per
cassette, and these tests compare them) and every test judges its behaviour on it:

* turn 1: "My name is Ada.", a weather question and "Remember: teal.", `get_weather` forced: a
  function_call; store=true; retrieved by id right away (`stored`: the probe that the target stores a
  response at all);
* turn 2: the function_call_output and "What is my name?", chained to turn 1; stored by default (store
  omitted); retrieved by id; its input items listed (default order, then paged with order=asc);
* turn 3: "What did I ask you to remember?", chained to turn 2 (which did not repeat it), streamed and
  stored (store omitted); retrieved by id through `respcheck.lag.after_write` (a GET right after a streamed
  create may meet read-after-write lag on Azure: a lag that outlasts the attempts is inconclusive);
* turn 2 again without chaining: turn 1's input, its output items carried forward by hand, the same new
  input; store=false: manual chaining and the resent transcript; then retrieved (404) and named as
  previous_response_id (refused);
* turn 2's input chained to turn 1 on another deployment (refused).

A test whose step was not sent, or whose step's input (another test's subject) failed, is inconclusive with
the reason ("blocked by" the behaviour whose test reports the failure). One behaviour owns "a stored
response is retrievable": when turn 1, created with store=true and not streamed, answers 404 to the GET
right after its create, the target stores nothing; `chaining.retrieve.by_id` fails once, and turns 2 and 3
(which need the stored turn) are not sent: every chained test is blocked by it, without waiting for a lag
that a target with no store never ends. An unknown previous_response_id is refused in its own test.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import openai
import pytest
from _chaining_helpers import (
    MISSING_RESPONSE_ID,
    expect_error,
    expect_not_found,
    raw_output_text,
    user,
)

from respcheck.expect import accepted, fail_for, fail_on, finished_stream, prerequisite
from respcheck.lag import Lag, after_write, is_lag_answer
from respcheck.validators import check_item_list
from respcheck.verdicts import blocked, inconclusive, limit_of_model, model_limit, truncated

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}
FIRST_INPUT = [user("My name is Ada. What is the weather in Paris? Use get_weather. Remember: teal.")]
NAME_QUESTION = "What is my name? Answer in a few words."
WORD_QUESTION = "What did I ask you to remember? Answer in a few words."
WEATHER = '{"temperature_c": 21}'
STORED = "chaining.retrieve.by_id"
"""The behaviour that owns "a stored response is retrievable": every step that needs a stored turn is blocked by it."""
CONTEXT = "chaining.previous_response_id.carries_context"
ECHOED = "chaining.previous_response_id.echoed"
OWNERS = {"first": "chaining.create.basic", "second": CONTEXT, "third": CONTEXT,
          "resent": "chaining.manual.output_items_as_input", "retrieved": STORED, "third_get": STORED,
          "items": "chaining.input_items.list"}
"""Which behaviour's own test judges each step's answer (what a test that only builds on it is blocked by)."""


@dataclass
class Conversation:
    """What the module's conversation left. A step whose input an earlier step did not deliver is not sent
    (None); ``skipped`` says why."""

    first: Any = None
    stored: Any = None
    unstored: str = ""
    """Why turn 1 counts as not stored ('' when its GET answered 200): the target keeps no response."""
    call: dict | None = None
    second: Any = None
    second_body: dict | None = None
    third: Any = None
    third_get: Any = None
    third_lag: Lag | None = None
    retrieved: Any = None
    items: Any = None
    asc_limit: int = 0
    asc_pages: tuple = ()
    resent: Any = None
    resent_body: dict | None = None
    forgotten_get: Any = None
    forgotten_chain: Any = None
    other: str | None = None
    cross: Any = None
    skipped: str = ""

    def need(self, name: str) -> Any:
        """The step `name`; inconclusive when it was not sent (an earlier step failed: that step's test says
        so), blocked by `STORED` when it was not sent because the target did not store turn 1."""
        value = getattr(self, name)
        if value is None:
            if self.unstored:
                blocked(STORED, f"{name} was not sent: {self.unstored}")
            inconclusive(f"{name} was not sent: {self.skipped or 'no reason recorded'}")
        return value

    def given(self, name: str) -> Any:
        """A step this test builds on but does not judge: blocked by the step's owner unless it answered 200."""
        ex = self.need(name)
        prerequisite(ex, name, by=OWNERS.get(name, "chaining.create.basic"))
        return ex


def _ok_id(ex: Any) -> str | None:
    """The id of a 200 create answer (None otherwise)."""
    data = ex.json() if ex.status == 200 else None
    return data.get("id") if isinstance(data, dict) else None


def _failed(what: str, ex: Any) -> str:
    return f"{what} answered HTTP {ex.status}: {ex.http.text[:200]}. "


def _list_input_items(c: Any, rid: str) -> tuple[Any, int, tuple]:
    """The input items of `rid`: one default listing, then order=asc in pages of about half of it (two
    pages, the second reached with `after`). Returns (listing, the page limit, the pages)."""

    def listing(**query: Any) -> Any:
        return lambda sdk: sdk.responses.input_items.with_raw_response.list(rid, **query)

    full = c.call_both("GET /responses/{id}/input_items", listing())
    listed = (full.json() or {}).get("data") if full.status == 200 else None
    limit = max(1, math.ceil(len(listed or []) / 2))
    pages: list[Any] = []
    after: dict[str, str] = {}
    for _ in range(len(listed or []) + 1):
        page = c.call_both(f"GET input_items order=asc limit={limit} {after}", listing(order="asc", limit=limit, **after))
        pages.append(page)
        data = page.json() if page.status == 200 else None
        if not isinstance(data, dict) or not data.get("has_more") or not data.get("last_id"):
            break
        after = {"after": data["last_id"]}
    return full, limit, tuple(pages)


def _converse(c: Any) -> Conversation:
    cv = Conversation(other=c.target.deployments.get("other"))
    # store=true said outright: the default (store omitted) is turn 2's to show, retrieved by id
    cv.first = c.create_both(c.body(FIRST_INPUT, tools=[WEATHER_TOOL], max_output_tokens=32, store=True,
                                    tool_choice={"type": "function", "name": "get_weather"}))
    first_id = _ok_id(cv.first)
    if first_id is None:
        cv.skipped = _failed("turn 1", cv.first)
        return cv
    # the store probe: a non-streamed create is visible at once (no lag to wait for); a 404 here means the
    # target keeps nothing, and the steps that need a stored turn are not sent (chaining.retrieve.by_id fails)
    cv.stored = c.call_both("GET /responses/{id} of turn 1 (store=true)",
                            lambda sdk: sdk.responses.with_raw_response.retrieve(first_id), retry=False)
    if cv.stored.status != 200:
        cv.unstored = (f"GET /responses/{{id}} of turn 1 (store=true, not streamed) right after its create answered "
                       f"HTTP {cv.stored.status}: {cv.stored.http.text[:160]}")
    cv.call = next((o.model_dump() for o in cv.first.sdk.output if o.type == "function_call"), None)
    # a model that does not follow the forced tool_choice (a model limit) made no call to answer: turn 2
    # then asks its question alone, so the chaining tests still judge the chain
    output = {"type": "function_call_output", "call_id": (cv.call or {}).get("call_id"), "output": WEATHER}
    new_input = [output, user(NAME_QUESTION)] if cv.call is not None else [user(NAME_QUESTION)]

    cv.second_body = c.body(new_input, previous_response_id=first_id, tools=[WEATHER_TOOL], max_output_tokens=32)
    if not cv.unstored:
        _chain(c, cv)

    # turn 2 without chaining: turn 1's input and its output items carried forward by hand, as the docs'
    # `inputs += response.output` (the SDK's typed items, dumped), then the same new input
    carried = [o.model_dump(exclude_none=True) for o in cv.first.sdk.output]
    cv.resent_body = c.body([*FIRST_INPUT, *carried, *new_input], tools=[WEATHER_TOOL], max_output_tokens=32,
                            store=False)
    cv.resent = c.create_both(cv.resent_body)
    resent_id = _ok_id(cv.resent)
    if resent_id is not None:
        cv.forgotten_get = c.call_both("GET /responses/{id} (store=false)",
                                       lambda sdk: sdk.responses.with_raw_response.retrieve(resent_id), retry=False)
        cv.forgotten_chain = c.create_both(c.body(NAME_QUESTION, previous_response_id=resent_id, max_output_tokens=32,
                                                  store=False), retry=False)
    else:
        cv.skipped += _failed("the resent turn 2", cv.resent)
    if cv.other and not cv.unstored:
        cv.cross = c.create_both({"model": cv.other, "input": new_input, "previous_response_id": first_id,
                                  "tools": [WEATHER_TOOL], "max_output_tokens": 32, "store": False}, retry=False)
    return cv


def _chain(c: Any, cv: Conversation) -> None:
    """Turns 2 and 3 on the stored turn 1, and what reads them back: turn 2's GET and input items (after a
    non-streamed create: no lag), turn 3 streamed and its GET through `after_write` (the documented lag)."""
    cv.second = c.create_both(cv.second_body)
    second_id = _ok_id(cv.second)
    if second_id is None:
        cv.skipped += _failed("turn 2", cv.second)
        return
    cv.third = c.stream_both(c.body(WORD_QUESTION, previous_response_id=second_id, max_output_tokens=32))
    cv.retrieved = c.call_both("GET /responses/{id}", lambda sdk: sdk.responses.with_raw_response.retrieve(second_id))
    cv.items, cv.asc_limit, cv.asc_pages = _list_input_items(c, second_id)
    third_id = _streamed_id(cv.third)
    if third_id is not None:
        cv.third_get, cv.third_lag = after_write(
            lambda: c.call_both("GET /responses/{id} of the streamed turn 3",
                                lambda sdk: sdk.responses.with_raw_response.retrieve(third_id), retry=False),
            mode=c.target.mode)


def _streamed_id(stream: Any) -> str | None:
    """The response id a 200 stream announced (response.created), None otherwise."""
    if stream.status != 200:
        return None
    created = next((e for e in stream.events if e.get("type") == "response.created"), {})
    rid = (created.get("response") or {}).get("id")
    return rid if isinstance(rid, str) else None


@pytest.fixture(scope="module")
def conversation(shared):
    return shared("conversation", _converse)


FINISHED = ("response.completed", "response.incomplete")
"""A chained answer cut by max_output_tokens (a model limit) still shows what the chain carried."""


def _streamed_final(stream: Any, what: str, *claims: str) -> tuple[dict, Any]:
    """The final response of a stream: the raw terminal snapshot and the SDK's typed one (a refused or
    unfinished stream fails `claims`; the stream's grammar is the streaming behaviours', ambient)."""
    if stream.status != 200:
        fail_for(claims or CONTEXT, f"{what}: HTTP {stream.status}: {stream.text[:300]}")
    last = finished_stream(stream.events, what)  # no terminal event: the grammar's finding, blocked here
    if last.get("type") not in FINISHED:
        fail_for(claims or CONTEXT, f"HTTP {what}: stream ended with {last.get('type')!r}")
    typed = stream.sdk_events
    if not typed or typed[-1].type not in FINISHED:
        fail_for(claims or CONTEXT, f"SDK {what}: stream ended with {typed[-1].type if typed else None!r}")
    return last.get("response") or {}, typed[-1].response


def _input_tokens(obj: Any) -> int | None:
    usage = obj.get("usage") if isinstance(obj, dict) else None
    value = usage.get("input_tokens") if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _carried(earlier: Any, later: Any, what: str, items: Any = None, earlier_text: str = "", *,
             claim: str = CONTEXT) -> str:
    """Protocol evidence that `later` carried `earlier` (raw response objects): its usage.input_tokens
    grew beyond the earlier turn's (the stitched history is billed as input) and, when its input_items
    were listed, they show the earlier turn's message. Fails `claim` otherwise; returns the evidence as text."""
    before, after = _input_tokens(earlier), _input_tokens(later)
    if before is None or after is None:
        fail_for(claim, f"{what}: usage.input_tokens missing (earlier {before!r}, chained {after!r}): no protocol "
                        "evidence of the chain")
    if after <= before:
        fail_for(claim, f"{what}: usage.input_tokens {after} is not more than the earlier turn's {before}: the earlier "
                        "turn was not carried into the chained input")
    evidence = f"input_tokens {before} -> {after}"
    if items is not None and items.status == 200 and earlier_text:
        texts = [_item_text(i) for i in (items.json() or {}).get("data", []) if isinstance(i, dict)]
        if not any(earlier_text.lower() in t.lower() for t in texts):
            fail_for(claim, f"{what}: input_items do not list the earlier turn's message {earlier_text!r} (listed {texts})")
        evidence += f", input_items list {earlier_text!r}"
    return evidence


def _recalled(text: str, word: str, what: str, response: Any, evidence: str, control: str | None = None, *,
              claim: str = CONTEXT) -> None:
    """The answer's wording, a supporting signal only: a chained answer without `word` is a model limit
    (inconclusive), unless the `control` answer (the same transcript sent by hand) shows the model
    recalls it - then the chain did not carry what the model needs, a failure of `claim`."""
    if word in text.lower():
        return
    if control is not None and word in control.lower():
        fail_for(claim, f"{what}: the answer {text[:160]!r} lacks {word!r}, while the same transcript sent by hand "
                        f"(control) recalls it ({control[:80]!r}): the chain did not carry the earlier turn")
    why = "the answer was cut by max_output_tokens" if truncated(response) else "the model did not recall it"
    model_limit(f"{what}: the answer {text[:120]!r} lacks {word!r} ({why}); the protocol carried the context "
                f"({evidence})")


def _item_text(item: dict) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    return " ".join(str(p.get("text", "")) for p in content or [] if isinstance(p, dict))


@pytest.mark.behaviour("chaining.previous_response_id.carries_context")
def test_chained_response_sees_earlier_turn(conversation):
    """'Note from the output that even though we never shared the first input question with the
    second_response API call, by passing the previous_response_id the model has full context of previous
    question and response to answer the new question.'"""
    second = conversation.need("second")
    raw = accepted(second, "turn 2 (previous_response_id = turn 1)", CONTEXT)
    first = conversation.first.json()
    evidence = _carried(first, raw, "turn 2", conversation.items, "My name is Ada")
    resent = conversation.resent
    control = raw_output_text(resent.json()) if resent is not None and resent.status == 200 else None
    _recalled(raw_output_text(raw), "ada", "HTTP turn 2", raw, evidence, control)
    _recalled(second.sdk.output_text, "ada", "SDK turn 2", raw, evidence, control)


@pytest.mark.behaviour("chaining.previous_response_id.carries_context")
def test_chain_is_carried_over_several_turns(conversation):
    """'Pass that ID asprevious_response_id in the next call and the service stitches the history together
    for you.' - a fact from the first of three turns is still known at the third."""
    final, typed = _streamed_final(conversation.need("third"), "turn 3")
    evidence = _carried(conversation.given("second").json(), final, "turn 3")
    _recalled(raw_output_text(final), "teal", "HTTP turn 3 (a fact from two turns back)", final, evidence)
    _recalled(typed.output_text, "teal", "SDK turn 3 (a fact from two turns back)", final, evidence)


@pytest.mark.behaviour("chaining.previous_response_id.carries_context")
def test_unknown_previous_response_id_is_refused(client, observe):
    """'Pass that ID asprevious_response_id in the next call and the service stitches the history together
    for you.' - an id that names no stored response has no history to stitch: the request is refused (4xx),
    never answered as if it were a fresh conversation."""
    body = client.body("What is my name?", previous_response_id=MISSING_RESPONSE_ID, max_output_tokens=32, store=False)
    ex = client.create_both(body, retry=False)
    err = expect_error(ex.http, (400, 404), "POST /responses with an unknown previous_response_id")
    code = (err.get("error") or {}).get("code")
    observe("chaining.previous_response_id.unknown_status", ex.status)
    observe("chaining.previous_response_id.unknown_code", code)
    # public reports: Azure answers 400 previous_response_not_found (microsoft/agent-framework#6419); 404 is
    # the other reading of "not found" - both refuse, the one met is recorded
    observe("chaining.previous_response_id.unknown_variant", f"HTTP {ex.status} {code or 'no code'}")
    assert isinstance(ex.error, openai.NotFoundError | openai.BadRequestError), (
        f"SDK: expected NotFoundError or BadRequestError, got {type(ex.error).__name__ if ex.error else 'no error'}"
    )


def _echoes(ex: Any, what: str, expected: str | None, by: str | None = None) -> None:
    """Both views of one answer report ``previous_response_id == expected``. `by`: the answer is a step
    whose own test is that behaviour's (a GET): a refusal blocks instead of failing the echo."""
    raw = prerequisite(ex, what, by=by) if by else accepted(ex, what, ECHOED)
    if raw.get("previous_response_id") != expected:
        fail_for(ECHOED, f"HTTP {what}: previous_response_id is {raw.get('previous_response_id')!r}, expected {expected!r}")
    if ex.sdk.previous_response_id != expected:
        fail_for(ECHOED, f"SDK {what}: previous_response_id is {ex.sdk.previous_response_id!r}, expected {expected!r}")


@pytest.mark.behaviour("chaining.previous_response_id.echoed")
def test_chained_response_echoes_previous_response_id(conversation):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.' - the chained response reports the id it was chained to."""
    first = conversation.given("first")
    first_id = first.json().get("id")
    _echoes(first, "turn 1 (not chained)", None)
    _echoes(conversation.need("second"), "turn 2 (chained to turn 1)", first_id)
    _echoes(conversation.need("retrieved"), "GET of the stored turn 2", first_id, by=STORED)


@pytest.mark.behaviour("chaining.previous_response_id.same_deployment_only")
def test_cross_deployment_chaining_not_supported(conversation, target, observe):
    """'Cross-model chaining isn't supported yet.' (previous_response_id from a response made by another
    deployment is rejected, or at least its history is not carried into the other model.)"""
    other = target.deployment_for("other")
    ex = conversation.need("cross")
    if ex.status == 200:
        text = raw_output_text(ex.json())
        observe("chaining.previous_response_id.same_deployment_only", {"status": 200, "context_carried": "ada" in text.lower()})
        assert "ada" not in text.lower(), (
            f"HTTP: chaining from deployment {target.deployment!r} to {other!r} was accepted and carried the "
            f"earlier turn (answer {text[:120]!r}); the docs say cross-model chaining is not supported"
        )
        assert "ada" not in ex.sdk.output_text.lower(), f"SDK: the other deployment answered from the chain: {ex.sdk.output_text[:120]!r}"
    else:
        expect_error(ex.http, (400, 404, 409), f"POST /responses on {other!r} chained to a {target.deployment!r} response")
        observe("chaining.previous_response_id.same_deployment_only", {"status": ex.status, "context_carried": False})
        assert isinstance(ex.error, openai.APIStatusError) and ex.error.status_code == ex.status, (
            f"SDK raised {ex.error!r} for the raw channel's {ex.status}"
        )


@pytest.mark.behaviour("chaining.previous_response_id.saves_input_tokens")
def test_chaining_versus_resending_transcript(conversation, observe):
    """'Because you're not shipping the full transcript every time, you often cut prompt-side tokens by
    70-90 %.' - measured: the request body of a chained turn is a fraction of the resent transcript, and the
    chained turn is not billed more input tokens than resending the transcript; the input token ratio and
    the claimed 70-90 % saving are recorded (observe), since usage.input_tokens counts the stitched history."""
    chained_last = conversation.given("second").json()  # whether it carried turn 1 is the context tests' claim
    resent_last = conversation.given("resent").json()
    chained_bytes = len(json.dumps(conversation.second_body))
    resent_bytes = len(json.dumps(conversation.resent_body))

    chained_in = chained_last["usage"]["input_tokens"]
    resent_in = resent_last["usage"]["input_tokens"]
    cached = ((chained_last["usage"].get("input_tokens_details") or {}).get("cached_tokens")) or 0
    ratio = chained_in / resent_in if resent_in else None
    saving = round(100 * (1 - ratio), 1) if ratio is not None else None
    observe(
        "chaining.previous_response_id.saves_input_tokens",
        {
            "chained_input_tokens": chained_in,
            "resent_input_tokens": resent_in,
            "chained_cached_tokens": cached,
            "input_token_ratio": round(ratio, 3) if ratio is not None else None,
            "input_token_saving_percent": saving,
            "claimed_saving_percent": [70, 90],
            "claim_met": saving is not None and saving >= 70,
            "chained_request_bytes": chained_bytes,
            "resent_request_bytes": resent_bytes,
        },
    )
    assert chained_bytes < resent_bytes, (
        f"the chained turn's request ({chained_bytes} B) is not smaller than the resent transcript ({resent_bytes} B)"
    )
    assert chained_in <= resent_in * 1.25 + 16, (
        f"a chained turn was billed {chained_in} input tokens, more than resending the transcript ({resent_in})"
    )


@pytest.mark.behaviour("chaining.previous_response_id.carries_context", "chaining.previous_response_id.echoed")
def test_streamed_chained_response(conversation):
    """'Pass that ID asprevious_response_id in the next call and the service stitches the history together
    for you.' - also when the chained turn is streamed: the stream's response snapshots echo the id and
    the streamed answer knows the earlier turn."""
    wire = conversation.need("third")
    second_id = conversation.second.sdk.id
    final, typed = _streamed_final(wire, "turn 3", CONTEXT, ECHOED)
    snapshots = [e["response"] for e in wire.events if isinstance(e.get("response"), dict)]
    echoed = [s.get("previous_response_id") for s in snapshots]
    if not all(v == second_id for v in echoed):
        fail_for(ECHOED, f"HTTP stream snapshots echo previous_response_id {echoed}, expected {second_id!r}")
    if typed.previous_response_id != second_id:
        fail_for(ECHOED, f"SDK: previous_response_id {typed.previous_response_id!r}, expected {second_id!r}")
    evidence = _carried(conversation.given("second").json(), final, "streamed turn 3")
    deltas = "".join(str(e.get("delta", "")) for e in wire.events if e.get("type") == "response.output_text.delta")
    _recalled(deltas, "teal", "HTTP stream turn 3", final, evidence)
    typed_deltas = "".join(ev.delta for ev in wire.sdk_events if ev.type == "response.output_text.delta")
    _recalled(typed_deltas, "teal", "SDK stream turn 3", final, evidence)


@pytest.mark.behaviour("chaining.retrieve.by_id")
def test_retrieve_stored_response(conversation, observe):
    """'To retrieve a response from a previous call to the responses API.' (a response created with
    store=true, then one created without `store` - it defaults to true - and a streamed one can be fetched
    by id.)

    The owner of "the response is stored": turn 1's GET right after its (non-streamed) create must answer
    200 with that response; every chained test is blocked by this one when it does not. The streamed turn
    3's GET may meet the documented read-after-write lag: resent a bounded number of times, a lag that
    outlasts them is inconclusive."""
    first = conversation.given("first")
    stored = conversation.need("stored")
    observe("chaining.retrieve.stored_status", stored.status)
    if is_lag_answer(stored):
        fail_for(STORED, f"GET /responses/{{id}} of turn 1 (store=true, not streamed) right after its create answered "
                         f"HTTP {stored.status}: the target did not store the response: {stored.http.text[:200]}")
    raw = accepted(stored, "GET /responses/{id} of turn 1", STORED)  # its shape: chaining.response.object_shape
    assert raw.get("id") == first.sdk.id, f"HTTP GET of turn 1: id {raw.get('id')!r}, expected {first.sdk.id!r}"

    created, got = conversation.given("second"), conversation.need("retrieved")
    # whether the response echoes store is chaining.response.echoes_request's: recorded, not judged here
    observe("chaining.retrieve.default_store_echo", created.json().get("store", "absent"))
    raw = accepted(got, "GET /responses/{id}", STORED)
    assert raw.get("id") == created.sdk.id, f"HTTP GET: id {raw.get('id')!r}, expected {created.sdk.id!r}"
    assert raw_output_text(raw) == created.sdk.output_text, "HTTP GET: stored output differs from the created response"

    assert got.sdk.id == created.sdk.id, f"SDK retrieve: id {got.sdk.id!r}, expected {created.sdk.id!r}"
    assert got.sdk.status == created.sdk.status, f"SDK retrieve: status {got.sdk.status!r}, created {created.sdk.status!r}"
    assert got.sdk.output_text == created.sdk.output_text, (
        f"SDK retrieve: output_text {got.sdk.output_text[:80]!r} differs from the create's {created.sdk.output_text[:80]!r}"
    )

    streamed, lag = conversation.need("third_get"), conversation.third_lag or Lag()
    observe("chaining.read_after_write.lag", lag.record())
    if lag.unresolved:
        inconclusive(lag.reason("GET /responses/{id} right after the streamed turn 3"))
    raw = accepted(streamed, "GET /responses/{id} of the streamed turn 3", STORED)
    third_id = _streamed_id(conversation.third)
    assert raw.get("id") == third_id, f"HTTP GET of turn 3: id {raw.get('id')!r}, expected {third_id!r}"
    assert streamed.sdk.id == third_id, f"SDK retrieve of turn 3: id {streamed.sdk.id!r}, expected {third_id!r}"


@pytest.mark.behaviour("chaining.store_false.not_retrievable")
def test_store_false_response_is_not_retrievable(conversation, observe):
    """'When using the Responses API in stateless mode - either by setting store to false or when your
    organization is enrolled in zero data retention - ...' - a store=false response is not kept: GET by
    its id answers 404. (Whether the response echoes store=false is chaining.response.echoes_request's:
    recorded here, not judged.)"""
    created = conversation.given("resent")
    observe("chaining.store_false.store_echo", created.json().get("store", "absent"))

    got = conversation.need("forgotten_get")
    observe("chaining.store_false.get_status", got.status)
    expect_not_found(got, "GET /responses/{id} of a store=false response", "chaining.store_false.not_retrievable")


@pytest.mark.behaviour("chaining.store_false.not_retrievable")
def test_store_false_response_cannot_be_chained(conversation, observe):
    """'When using the Responses API in stateless mode - either by setting store to false or when your
    organization is enrolled in zero data retention - you must still preserve reasoning context across
    conversation turns.' - nothing is kept server-side, so previous_response_id cannot name it."""
    conversation.given("resent")  # its store echo: chaining.response.echoes_request's, recorded by the GET test
    ex = conversation.need("forgotten_chain")
    observe("chaining.store_false.chain_status", ex.status)
    if ex.status == 200:
        text = raw_output_text(ex.json())
        raise AssertionError(f"chaining to a store=false response was accepted (answer {text[:120]!r}); expected 400/404")
    expect_error(ex.http, (400, 404), "previous_response_id naming a store=false response")
    assert isinstance(ex.error, openai.NotFoundError | openai.BadRequestError), f"SDK: unexpected error {ex.error!r}"


@pytest.mark.behaviour("chaining.input_items.list")
def test_input_items_list(conversation, observe):
    """'Retrieve the input items that were sent to a response.' - a list object (data, first_id, last_id,
    has_more), newest first by default (the API reference: order defaults to desc)."""
    ex = conversation.need("items")
    page = accepted(ex, "GET /responses/{id}/input_items", "chaining.input_items.list")
    fail_on(check_item_list(page), "GET /responses/{id}/input_items", "chaining.input_items.list")
    for key in ("data", "has_more", "object", "first_id", "last_id"):
        assert key in page, f"input_items page lacks {key!r} (keys {sorted(page)})"
    data = page["data"]
    kinds = [i.get("type", "message") for i in data]
    observe("chaining.input_items.default_order_texts", [_item_text(i) for i in data])
    # turn 2 was sent [function_call_output, user message]: newest first lists the message, then the output
    assert len(data) >= 2, f"input_items listed {len(data)} item(s) for a request with 2 input items: {kinds}"
    assert data[0].get("role") == "user" and "my name" in _item_text(data[0]).lower(), (
        f"default order should be newest first (desc): the first item listed is {kinds[0]} {_item_text(data[0])[:60]!r}, "
        "expected the user message sent last"
    )
    if conversation.call is not None:  # turn 2 sent an output only for a call turn 1 made
        assert kinds[1] == "function_call_output", f"default order should be newest first (desc): listed {kinds}"

    asc = [i.get("id") for p in conversation.asc_pages if p.status == 200 for i in p.json().get("data", [])]
    assert asc == [i.get("id") for i in reversed(data)], "order=asc is not the reverse of the default listing"

    sdk_ids = [item.id for item in ex.sdk.data]
    assert sdk_ids == [i.get("id") for i in data], f"SDK listed ids {sdk_ids}, raw listed {[i.get('id') for i in data]}"


@pytest.mark.behaviour("chaining.input_items.list")
def test_input_items_pagination(conversation, observe):
    """'Retrieve the input items that were sent to a response.' (the list page's first_id, last_id and
    has_more: `limit` pages through the items, `after` continues after an item id.)"""
    full = accepted(conversation.need("items"), "GET input_items", "chaining.input_items.list")
    all_ids = [i.get("id") for i in full.get("data", [])]
    assert len(all_ids) >= 2, f"input_items listed {len(all_ids)} item(s) for a request with 2 input items"
    assert full.get("has_more") is False, f"has_more is {full.get('has_more')!r} with every item on one page"

    limit, pages = conversation.asc_limit, conversation.asc_pages
    walked: list[str] = []
    for n, ex in enumerate(pages):
        what = f"input_items page {n + 1} (order=asc, limit={limit})"
        page = accepted(ex, what, "chaining.input_items.list")
        fail_on(check_item_list(page), what, "chaining.input_items.list")
        ids = [i.get("id") for i in page.get("data", [])]
        assert 0 < len(ids) <= limit, f"limit={limit} returned {len(ids)} items on page {n + 1}"
        assert page.get("first_id") == ids[0] and page.get("last_id") == ids[-1], (
            f"page {n + 1}: first_id {page.get('first_id')!r}, last_id {page.get('last_id')!r}, items {ids}"
        )
        last = n + 1 == len(pages)
        assert page.get("has_more") is not last, f"page {n + 1} of {len(pages)} says has_more={page.get('has_more')!r}"
        walked += ids
        # SDK channel: the cursor page read from the same bytes, and where its auto-paging would go next
        assert [item.id for item in ex.sdk.data] == ids, f"SDK page {n + 1} lists {[i.id for i in ex.sdk.data]}, raw {ids}"
        assert ex.sdk.has_next_page() is not last, f"SDK: page {n + 1} has_next_page() is {not last!r} against has_more"
        if not last:
            info = ex.sdk.next_page_info()
            assert info is not None and info.params.get("after") == page["last_id"], (
                f"SDK auto-paging would continue with {info!r}, expected after={page['last_id']!r}"
            )
    observe("chaining.input_items.pages", len(pages))
    assert len(pages) >= 2, f"limit={limit} on {len(all_ids)} items gave {len(pages)} page(s), expected two"
    # each item once, in listing order (which direction is the list test's to judge)
    assert walked in (all_ids, all_ids[::-1]), (
        f"paging with order=asc/limit/after listed {walked}, the one-page listing is {all_ids}"
    )


@pytest.mark.behaviour("chaining.input_items.includes_model_items")
def test_input_items_include_earlier_model_items(conversation, observe):
    """'This is useful for inspecting the full conversation context, including any items added by the model
    (for example, function calls or compaction items).' - the input items of a chained response list the
    function call the model made in the earlier turn."""
    ex = conversation.need("items")
    call = conversation.call
    if call is None:
        first = conversation.first.json()
        why = limit_of_model(first)
        if why:  # cut before the call was complete: the model's limit
            model_limit(f"turn 1 with a forced tool_choice made no function_call ({why}), so there is no model item to list")
        # the forced function is enforced by the service: its absence is the tools family's to fail
        blocked("tools.function_calling.supported", "turn 1 with tool_choice forcing get_weather answered no "
                f"function_call (status {first.get('status')!r}, output types "
                f"{[o.get('type') for o in first.get('output') or []]}): no model item to list")
    page = prerequisite(ex, "GET input_items of turn 2", by="chaining.input_items.list")  # the page: its owner's
    types = [i.get("type", "message") for i in page.get("data", [])]
    observe("chaining.input_items.includes_model_items", types)
    assert "function_call_output" in types, f"input_items lack the function_call_output sent in turn 2: {types}"
    listed = [i for i in page["data"] if i.get("type") == "function_call"]
    assert listed, f"input_items of the chained response lack the model's earlier function_call: {types}"
    assert listed[0].get("call_id") == call["call_id"], (
        f"listed function_call has call_id {listed[0].get('call_id')!r}, expected {call['call_id']!r}"
    )
    assert "function_call" in [item.type for item in ex.sdk.data], "SDK: input_items lack the earlier function_call"


@pytest.mark.behaviour("chaining.manual.output_items_as_input")
def test_manual_chaining_with_output_items(conversation):
    """'Alternatively, you can manually carry forward output items in the next request.'"""
    ex = conversation.need("resent")
    raw = accepted(ex, "the conversation resent with its output items carried by hand", "chaining.manual.output_items_as_input")
    assert raw.get("previous_response_id") is None, "manual chaining must not involve previous_response_id"
    assert ex.sdk.previous_response_id is None, "SDK: manual chaining must not involve previous_response_id"
    # protocol evidence: the carried items are billed as input (more than turn 1's input alone)
    evidence = _carried(conversation.first.json(), raw, "the resent transcript", claim="chaining.manual.output_items_as_input")
    # control: the chained turn 2 asked the same question of the same history
    second = conversation.second
    control = raw_output_text(second.json()) if second is not None and second.status == 200 else None
    _recalled(raw_output_text(raw), "ada", "HTTP manual chaining", raw, evidence, control,
              claim="chaining.manual.output_items_as_input")
    _recalled(ex.sdk.output_text, "ada", "SDK manual chaining", raw, evidence, control,
              claim="chaining.manual.output_items_as_input")
