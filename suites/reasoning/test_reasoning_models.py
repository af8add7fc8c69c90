"""Reasoning models: reasoning token usage, effort, summaries, encrypted reasoning items (store=false).

All of it needs a reasoning deployment (`target.deployment_for("reasoning")`, o4-mini on the reference
server); without one the tests are not-applicable. Reasoning tokens count against `max_output_tokens`, so
the cap here is larger than elsewhere (REASONING_CAP) and an `incomplete` response is tolerated where the
behaviour under test does not need the final answer.
"""

from __future__ import annotations

import base64
import binascii
import json

import pytest

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_response, check_stream

REASONING_CAP = 600
INCLUDE = ["reasoning.encrypted_content"]
PROMPT = "Is 91 a prime number? Answer yes or no."
NAME_TURN = "My name is Ada. Reply with OK."


def _ok(raw) -> dict:
    assert raw.status_code == 200, f"expected HTTP 200, got {raw.status_code}: {raw.text[:300]}"
    return raw.json()


def _reasoning_body(client, model: str, prompt, **fields) -> dict:
    return {**client.body(prompt, max_output_tokens=REASONING_CAP, **fields), "model": model}


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
def test_reasoning_tokens_in_usage(client, target, observe):
    """'"output_tokens_details": { "reasoning_tokens": 0 },' - present, 0 for a non-reasoning model and
    positive when a reasoning model thinks."""
    plain = _ok(client.http_post("responses", client.body("Say hello in one word.", max_output_tokens=32)))
    findings = check_response(plain)
    assert not findings, render(findings)
    plain_tokens = _reasoning_tokens(plain.get("usage"), f"{target.deployment}")
    thinks = target.capabilities.get("reasoning") or _reasoning_items(plain)  # live: capabilities may be unknown
    if not thinks:
        assert plain_tokens == 0, f"{target.deployment} is no reasoning model, yet reported {plain_tokens} reasoning tokens"

    model = target.deployment_for("reasoning")
    body = _reasoning_body(client, model, PROMPT, reasoning={"effort": "low"})
    raw = _ok(client.http_post("responses", body))
    tokens = _reasoning_tokens(raw.get("usage"), f"{model} (HTTP)")
    assert tokens > 0, f"{model}: reasoning_tokens is {tokens}, expected > 0 for a reasoning model"
    assert tokens <= raw["usage"]["output_tokens"], f"{model}: reasoning_tokens {tokens} > output_tokens"
    observe("reasoning.usage.reasoning_tokens", {"plain": plain_tokens, "reasoning": tokens})

    typed = client.create(body)
    details = typed.usage.output_tokens_details if typed.usage else None
    assert details is not None and details.reasoning_tokens > 0, f"SDK: reasoning_tokens {details!r}"


@pytest.mark.behaviour("reasoning.effort.accepted")
def test_reasoning_effort_accepted_and_echoed(client, target, observe):
    """'reasoning={"effort": "medium"},'"""
    model = target.deployment_for("reasoning")
    echoed = {}
    for effort in ("low", "medium", "high"):
        raw = client.http_post("responses", _reasoning_body(client, model, PROMPT, reasoning={"effort": effort}))
        resp = _ok(raw)
        assert resp.get("status") in ("completed", "incomplete"), f"effort {effort}: status {resp.get('status')!r}"
        echoed[effort] = (resp.get("reasoning") or {}).get("effort")
        assert echoed[effort] == effort, f"reasoning.effort {effort!r} echoed as {echoed[effort]!r}"
    observe("reasoning.effort.echo", echoed)

    typed = client.create(_reasoning_body(client, model, PROMPT, reasoning={"effort": "medium"}))
    assert typed.reasoning is not None and typed.reasoning.effort == "medium", f"SDK: reasoning {typed.reasoning!r}"


@pytest.mark.behaviour("reasoning.summary.available")
def test_reasoning_summary_returned(client, target, observe):
    """'Gradio-based chatbot with conversation history, image upload, Reasoning Summary' - a summary asked
    for with reasoning.summary comes back in the reasoning item's summary."""
    model = target.deployment_for("reasoning")
    body = _reasoning_body(client, model, PROMPT, reasoning={"effort": "medium", "summary": "detailed"})
    resp = _ok(client.http_post("responses", body))
    observe("reasoning.summary.echo", (resp.get("reasoning") or {}).get("summary"))
    items = _reasoning_items(resp)
    assert items, f"no reasoning item in the output: {[it.get('type') for it in resp.get('output') or []]}"
    parts = [p for it in items for p in it.get("summary") or []]
    assert parts, "reasoning.summary was requested, but every reasoning item has an empty summary"
    for p in parts:
        assert p.get("type") == "summary_text" and isinstance(p.get("text"), str) and p["text"].strip(), (
            f"summary part should be a non-empty summary_text, saw {p!r}"
        )

    events = client.sdk_stream(body)
    deltas = [e for e in events if e.type == "response.reasoning_summary_text.delta"]
    assert deltas, f"SDK stream: no response.reasoning_summary_text.delta events ({sorted({e.type for e in events})})"

    wire = client.http_stream("responses", body)
    assert wire.status == 200, f"stream: HTTP {wire.status}: {wire.text[:200]}"
    findings = wire.parsed().findings + check_stream(wire.events)
    assert not findings, render(findings)
    done = [e for e in wire.events if e.get("type") == "response.reasoning_summary_text.done"]
    assert done and all(isinstance(e.get("text"), str) and e["text"].strip() for e in done), (
        "stream: no response.reasoning_summary_text.done with the summary text"
    )


@pytest.mark.behaviour("reasoning.encrypted_content.include")
def test_encrypted_content_included_and_opaque(client, target, observe):
    """'To retain reasoning items across turns, add reasoning.encrypted_content to the include parameter. The
    response then contains an encrypted version of the reasoning trace, which you can pass to future
    requests.'"""
    model = target.deployment_for("reasoning")
    body = _reasoning_body(client, model, NAME_TURN, store=False, include=INCLUDE)
    resp = _ok(client.http_post("responses", body))
    items = _reasoning_items(resp)
    assert items, f"no reasoning item in the output: {[it.get('type') for it in resp.get('output') or []]}"
    blob = items[0].get("encrypted_content")
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

    typed = client.create(body)
    typed_items = [it for it in typed.output if it.type == "reasoning"]
    assert typed_items and typed_items[0].encrypted_content, "SDK: reasoning item without encrypted_content"

    without = _ok(client.http_post("responses", _reasoning_body(client, model, NAME_TURN, store=False)))
    plain = _reasoning_items(without)
    assert not any(it.get("encrypted_content") for it in plain), (
        "encrypted_content came back although include did not ask for it"
    )


@pytest.mark.behaviour("reasoning.encrypted_content.store_false_roundtrip")
def test_encrypted_reasoning_roundtrip_store_false(client, target):
    """'When you use the Responses API in stateless mode (store=false), you must still preserve reasoning
    context across conversation turns. To do this, include encrypted reasoning items in your requests.'"""
    model = target.deployment_for("reasoning")
    first_input = [{"role": "user", "content": NAME_TURN}]
    first = _ok(client.http_post("responses", _reasoning_body(client, model, first_input, store=False, include=INCLUDE)))
    carried = [it for it in first.get("output") or [] if it.get("type") in ("reasoning", "message")]
    assert any(it.get("type") == "reasoning" and it.get("encrypted_content") for it in carried), (
        f"turn 1 returned no encrypted reasoning item: {[it.get('type') for it in carried]}"
    )
    second_input = first_input + carried + [{"role": "user", "content": "What is my name?"}]
    typed = client.create(_reasoning_body(client, model, second_input, store=False, include=INCLUDE))
    assert typed.status in ("completed", "incomplete"), f"SDK: turn 2 status {typed.status!r}"
    assert typed.status == "incomplete" or "ada" in typed.output_text.lower(), (
        f"turn 2 lost the context carried by the input items: {typed.output_text[:160]!r}"
    )


@pytest.mark.behaviour("reasoning.encrypted_content.store_false_roundtrip")
def test_tampered_encrypted_content_rejected(client, target, observe):
    """'The response then contains an encrypted version of the reasoning trace, which you can pass to future
    requests.' - only the service's own blob: a modified one must be refused (400), not silently used."""
    model = target.deployment_for("reasoning")
    first_input = [{"role": "user", "content": NAME_TURN}]
    first = _ok(client.http_post("responses", _reasoning_body(client, model, first_input, store=False, include=INCLUDE)))
    items = _reasoning_items(first)
    assert items and items[0].get("encrypted_content"), "turn 1 returned no encrypted reasoning item"
    blob = items[0]["encrypted_content"]
    mid = len(blob) // 2
    tampered = blob[:mid] + ("A" if blob[mid] != "A" else "B") + blob[mid + 1 :]
    item = {**items[0], "encrypted_content": tampered}
    second_input = first_input + [item] + [{"role": "user", "content": "What is my name?"}]
    raw = client.http_post(
        "responses", _reasoning_body(client, model, second_input, store=False, include=INCLUDE), retry=False
    )
    observe("reasoning.tampered.status", raw.status_code)
    assert raw.status_code == 400, (
        f"a tampered encrypted_content should be rejected with 400, got {raw.status_code}: {raw.text[:200]}"
    )
    findings = check_error_envelope(raw.status_code, raw.json())
    assert not findings, render(findings)
