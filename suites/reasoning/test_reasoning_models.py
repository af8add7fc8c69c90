"""Reasoning models: reasoning token usage, effort, summaries, encrypted reasoning items (store=false).

All of it needs a reasoning deployment (`target.deployment_for("reasoning")`, o4-mini on the reference
server); without one the tests are not-applicable. Reasoning tokens count against `max_output_tokens`, so
the cap here is larger than elsewhere (REASONING_CAP) and an `incomplete` response is tolerated where the
behaviour under test does not need the final answer.

The tests judge one module-shared conversation (a live run pays per request), nothing of it stored: a plain
create on the target's own deployment; turn 1 on the reasoning deployment with
include=[reasoning.encrypted_content] (effort low); a streamed question with a detailed summary and no
include (effort medium); turn 2 carrying turn 1's encrypted reasoning item (effort high); and the same
turn 2 with that item tampered with. Each request is seen through both channels (raw and SDK, one request).
"""

from __future__ import annotations

import base64
import binascii
import json
from types import SimpleNamespace

import pytest

from respcheck.expect import accepted, fail_for, fail_on, finished_stream, prerequisite
from respcheck.validators import check_error_envelope, check_stream
from respcheck.verdicts import blocked, limit_of_model, model_limit

REASONING_CAP = 600
INCLUDE = ["reasoning.encrypted_content"]
PROMPT = "Is 91 a prime number? Answer yes or no."
NAME_TURN = "My name is Ada. Reply with OK."
EFFORTS = {"first": "low", "summary": "medium", "second": "high"}
"""The effort each exchange asks for: the three documented values, one per exchange, each echoed."""


def _reasoning_body(client, model: str, prompt, **fields) -> dict:
    return {**client.body(prompt, max_output_tokens=REASONING_CAP, store=False, **fields), "model": model}


def _tampered(item: dict) -> dict:
    blob = item["encrypted_content"]
    mid = len(blob) // 2
    return {**item, "encrypted_content": blob[:mid] + ("A" if blob[mid] != "A" else "B") + blob[mid + 1 :]}


@pytest.fixture(scope="module")
def turns(shared, target):
    """The module's exchanges, in one cassette (turn 2 carries turn 1's items). Steps after a failed one are
    left out (None); the tests say so."""
    model = target.deployment_for("reasoning")

    def make(c):
        first_input = [{"role": "user", "content": NAME_TURN}]
        out = SimpleNamespace(model=model, first_input=first_input, second=None, tampered=None)
        out.plain = c.create_both(c.body("Say hello in one word.", max_output_tokens=32, store=False))
        out.first = c.create_both(_reasoning_body(c, model, first_input, include=INCLUDE, reasoning={"effort": EFFORTS["first"]}))
        out.summary = c.stream_both(_reasoning_body(c, model, PROMPT, reasoning={"effort": EFFORTS["summary"], "summary": "detailed"}))
        items = [it for it in (out.first.json() or {}).get("output") or [] if it.get("type") in ("reasoning", "message")]
        question = [{"role": "user", "content": "What is my name?"}]
        if out.first.status == 200:
            out.second = c.create_both(_reasoning_body(c, model, first_input + items + question, include=INCLUDE,
                                                       reasoning={"effort": EFFORTS["second"]}))
        reasoning = [it for it in items if it.get("type") == "reasoning" and it.get("encrypted_content")]
        if reasoning:
            out.tampered = c.create_both(_reasoning_body(c, model, first_input + [_tampered(reasoning[0])] + question,
                                                         include=INCLUDE), retry=False)
        return out

    return shared("turns", make)


INCLUDE_ID = "reasoning.encrypted_content.include"
ROUNDTRIP_ID = "reasoning.encrypted_content.store_false_roundtrip"


def _sent(ex, what: str, by: str):
    """A step of the shared exchange: blocked by `by` (whose test reports the earlier step) when not sent."""
    if ex is None:
        blocked(by, f"{what} was not sent: an earlier step of the shared exchange was refused")
    return ex


def _final(stream, what: str, *claims: str) -> tuple[dict, object]:
    """The streamed response: the raw response.completed snapshot and the SDK's typed one (a refused stream
    fails `claims`; its grammar is the streaming behaviours', ambient)."""
    if stream.status != 200:
        message = f"{what}: HTTP {stream.status}: {stream.text[:200]}"
        if claims:
            fail_for(claims, message)
        raise AssertionError(message)
    last = finished_stream(stream.events, what)  # no terminal event: the grammar's finding, blocked here
    assert last.get("type") in ("response.completed", "response.incomplete"), f"{what}: stream ended with {last.get('type')!r}"
    typed = stream.sdk_events
    assert typed and typed[-1].type == last["type"], f"{what}: SDK stream ended with {typed[-1].type if typed else None!r}"
    return last.get("response") or {}, typed[-1].response


def _reasoning_items(resp: dict) -> list[dict]:
    return [it for it in resp.get("output") or [] if it.get("type") == "reasoning"]


def _reasoning_tokens(usage: dict | None, where: str) -> int:
    assert isinstance(usage, dict), f"{where}: no usage object"
    details = usage.get("output_tokens_details")
    assert isinstance(details, dict), f"{where}: usage.output_tokens_details missing: {usage}"
    value = details.get("reasoning_tokens")
    assert isinstance(value, int) and not isinstance(value, bool), (
        f"{where}: usage.output_tokens_details.reasoning_tokens missing or not an integer: {details}"
    )
    return value


@pytest.mark.behaviour("reasoning.usage.reasoning_tokens")
def test_reasoning_tokens_in_usage(turns, target, observe):
    """'"output_tokens_details": { "reasoning_tokens": 0 },' - present, 0 for a non-reasoning model and
    positive when a reasoning model thinks."""
    plain = accepted(turns.plain, f"{target.deployment}: plain create", "reasoning.usage.reasoning_tokens")
    plain_tokens = _reasoning_tokens(plain.get("usage"), f"{target.deployment}")
    thinks = target.capabilities.get("reasoning") or _reasoning_items(plain)  # live: capabilities may be unknown
    if not thinks:
        assert plain_tokens == 0, f"{target.deployment} is no reasoning model, yet reported {plain_tokens} reasoning tokens"
        sdk_details = turns.plain.sdk.usage.output_tokens_details if turns.plain.sdk.usage else None
        assert sdk_details is not None and sdk_details.reasoning_tokens == 0, f"SDK: plain reasoning_tokens {sdk_details!r}"

    model = turns.model
    raw, typed = _final(turns.summary, f"{model}: streamed question", "reasoning.usage.reasoning_tokens")
    tokens = _reasoning_tokens(raw.get("usage"), f"{model} (HTTP)")
    assert tokens > 0, f"{model}: reasoning_tokens is {tokens}, expected > 0 for a reasoning model"
    assert tokens <= raw["usage"]["output_tokens"], f"{model}: reasoning_tokens {tokens} > output_tokens"
    observe("reasoning.usage.reasoning_tokens", {"plain": plain_tokens, "reasoning": tokens})

    details = typed.usage.output_tokens_details if typed.usage else None
    assert details is not None and details.reasoning_tokens > 0, f"SDK: reasoning_tokens {details!r}"


@pytest.mark.behaviour("reasoning.effort.accepted")
def test_reasoning_effort_accepted_and_echoed(turns, observe):
    """'reasoning={"effort": "medium"},'

    low, medium and high, each asked for by one of the module's reasoning exchanges, are accepted and
    echoed in the response's reasoning.effort (raw and SDK)."""
    echoed = {}
    for step, effort in EFFORTS.items():
        ex = getattr(turns, step)
        if step == "summary":
            resp, typed = _final(ex, f"effort {effort}", "reasoning.effort.accepted")
        else:
            resp, typed = accepted(_sent(ex, f"effort {effort}", INCLUDE_ID), f"effort {effort}",
                                   "reasoning.effort.accepted"), ex.sdk
        assert resp.get("status") in ("completed", "incomplete"), f"effort {effort}: status {resp.get('status')!r}"
        echoed[effort] = (resp.get("reasoning") or {}).get("effort")
        assert echoed[effort] == effort, f"reasoning.effort {effort!r} echoed as {echoed[effort]!r}"
        assert typed.reasoning is not None and typed.reasoning.effort == effort, f"SDK: effort {effort!r}: reasoning {typed.reasoning!r}"
    observe("reasoning.effort.echo", echoed)


@pytest.mark.behaviour("reasoning.summary.available")
def test_reasoning_summary_returned(turns, observe):
    """'Gradio-based chatbot with conversation history, image upload, Reasoning Summary' - a summary asked
    for with reasoning.summary comes back in the reasoning item's summary (the final response), and streamed
    as reasoning_summary_text deltas and done events (raw SSE and the SDK's typed events, one stream)."""
    stream = turns.summary
    resp, typed = _final(stream, "summary stream", "reasoning.summary.available")
    observe("reasoning.summary.echo", (resp.get("reasoning") or {}).get("summary"))
    items = _reasoning_items(resp)
    assert items, f"no reasoning item in the output: {[it.get('type') for it in resp.get('output') or []]}"
    parts = [p for it in items for p in it.get("summary") or []]
    observe("reasoning.summary.where", "summary" if parts else sorted({c.get("type") for it in items for c in it.get("content") or []}) or "nowhere")
    assert parts, "reasoning.summary was requested, but every reasoning item has an empty summary"
    for p in parts:
        assert p.get("type") == "summary_text" and isinstance(p.get("text"), str) and p["text"].strip(), (
            f"summary part should be a non-empty summary_text, saw {p!r}"
        )
    typed_parts = [p for it in typed.output if it.type == "reasoning" for p in it.summary or []]
    assert [p.text for p in typed_parts] == [p["text"] for p in parts], "SDK: the typed summary differs from the wire's"

    deltas = [e for e in stream.sdk_events if e.type == "response.reasoning_summary_text.delta"]
    assert deltas, f"SDK stream: no response.reasoning_summary_text.delta events ({sorted({e.type for e in stream.sdk_events})})"
    fail_on(stream.parsed().findings + check_stream(stream.events), "summary stream", "reasoning.summary.available")
    done = [e for e in stream.events if e.get("type") == "response.reasoning_summary_text.done"]
    assert done and all(isinstance(e.get("text"), str) and e["text"].strip() for e in done), (
        "stream: no response.reasoning_summary_text.done with the summary text"
    )


@pytest.mark.behaviour("reasoning.encrypted_content.include")
def test_encrypted_content_included_and_opaque(turns, observe):
    """'To retain reasoning items across turns, add reasoning.encrypted_content to the include parameter. The
    response then contains an encrypted version of the reasoning trace, which you can pass to future
    requests.'

    Turn 1 (store=false, include) carries an opaque encrypted_content (raw and SDK); the streamed question,
    sent without include, carries none."""
    resp = accepted(turns.first, "turn 1 with include", INCLUDE_ID)
    items = _reasoning_items(resp)
    assert items, f"no reasoning item in the output: {[it.get('type') for it in resp.get('output') or []]}"
    blob = items[0].get("encrypted_content")
    observe("reasoning.encrypted_content.length", len(blob) if isinstance(blob, str) else 0)  # 0: the variant
    assert isinstance(blob, str) and blob, f"include=[reasoning.encrypted_content] gave no encrypted_content: {items[0]}"
    observe("reasoning.encrypted_content.length", len(blob))
    # opaque: not the reasoning state in plain (or merely base64-encoded) form
    assert "Ada" not in blob, "encrypted_content contains the conversation in plain text"
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decoded = decode(blob + "=" * (-len(blob) % 4))
        except (binascii.Error, ValueError):
            continue
        assert b"Ada" not in decoded, "encrypted_content is only base64: it decodes to the conversation"
        try:
            json.loads(decoded)
        except (UnicodeDecodeError, ValueError):
            continue
        raise AssertionError("encrypted_content is base64-encoded JSON, not an encrypted blob")

    typed_items = [it for it in turns.first.sdk.output if it.type == "reasoning"]
    assert typed_items and typed_items[0].encrypted_content == blob, "SDK: reasoning item without the wire's encrypted_content"

    without, typed = _final(turns.summary, "question without include", INCLUDE_ID)
    plain = _reasoning_items(without)
    assert plain, f"no reasoning item in the output without include: {[it.get('type') for it in without.get('output') or []]}"
    assert not any(it.get("encrypted_content") for it in plain), (
        "encrypted_content came back although include did not ask for it"
    )
    assert not any(it.encrypted_content for it in typed.output if it.type == "reasoning"), "SDK: encrypted_content without include"


@pytest.mark.behaviour("reasoning.encrypted_content.store_false_roundtrip")
def test_encrypted_reasoning_roundtrip_store_false(turns):
    """'When you use the Responses API in stateless mode (store=false), you must still preserve reasoning
    context across conversation turns. To do this, include encrypted reasoning items in your requests.'"""
    first = prerequisite(turns.first, "turn 1", by=INCLUDE_ID)
    carried = [it for it in first.get("output") or [] if it.get("type") in ("reasoning", "message")]
    if not any(it.get("type") == "reasoning" and it.get("encrypted_content") for it in carried):
        blocked(INCLUDE_ID, f"turn 1 returned no encrypted reasoning item to carry: {[it.get('type') for it in carried]}")
    second = _sent(turns.second, "turn 2", INCLUDE_ID)
    raw = accepted(second, "turn 2 carrying the encrypted reasoning item", ROUNDTRIP_ID)
    assert raw.get("status") in ("completed", "incomplete"), f"turn 2 status {raw.get('status')!r}"
    typed = second.sdk
    assert typed.status == raw["status"], f"SDK: turn 2 status {typed.status!r}, wire {raw['status']!r}"
    if "ada" not in typed.output_text.lower():  # the wording is the model's; the round trip was accepted
        why = limit_of_model(raw) or "the model did not recall it"
        model_limit(f"turn 2 (the encrypted item accepted) does not name 'Ada' ({why}): {typed.output_text[:160]!r}")


@pytest.mark.behaviour("reasoning.encrypted_content.store_false_roundtrip")
def test_tampered_encrypted_content_rejected(turns, observe):
    """'The response then contains an encrypted version of the reasoning trace, which you can pass to future
    requests.' - only the service's own blob: a modified one must be refused (400), not silently used."""
    first = prerequisite(turns.first, "turn 1", by=INCLUDE_ID)
    observe("reasoning.encrypted_content.store_false_turn2_status", turns.second.status)  # sent: turn 1 was 200
    items = _reasoning_items(first)
    if not (items and items[0].get("encrypted_content")):
        blocked(INCLUDE_ID, "turn 1 returned no encrypted reasoning item to tamper with")
    ex = _sent(turns.tampered, "the tampered turn 2", INCLUDE_ID)
    observe("reasoning.tampered.status", ex.status)
    assert ex.status == 400, (
        f"a tampered encrypted_content should be rejected with 400, got {ex.status}: {ex.http.text[:200]}"
    )
    # the envelope's types are errors.envelope.shape's (ambient); the refusal's status is this claim
    fail_on(check_error_envelope(ex.status, ex.json()), "tampered encrypted_content", ROUNDTRIP_ID)
    assert ex.error is not None and ex.error.status_code == 400, f"SDK: expected a 400 APIStatusError, got {ex.error!r}"
