"""POST /responses/compact: the compacted object, its opaque compaction item, and using it as the next input."""

from __future__ import annotations

import base64
import binascii

import pytest
from _compaction_helpers import (
    NAME,
    as_input,
    assistant,
    compaction_items,
    item_type,
    long_conversation,
    output_text,
    short_conversation,
    user,
)

from respcheck.findings import render
from respcheck.validators import check_compaction, check_response
from respcheck.verdicts import inconclusive


def _compact_raw(client, items):
    raw = client.http_post("responses/compact", {"model": client.target.deployment, "input": items})
    assert raw.status_code == 200, f"POST /responses/compact: HTTP {raw.status_code}: {raw.text[:200]}"
    return raw.json()


def _compact_sdk(client, items):
    return client.sdk_call("POST /responses/compact (sdk)",
                           lambda: client.sdk.responses.compact(model=client.target.deployment, input=items))


@pytest.mark.behaviour("compaction.endpoint.compact")
def test_compact_endpoint_returns_compaction_object(client, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    POST /responses/compact with a model and an input array (a user turn and an assistant message) answers
    the compacted object: `object: "response.compaction"`, an id, created_at, usage, and an output list that
    holds a compaction item with encrypted_content (raw: `check_compaction`; SDK: typed CompactedResponse)."""
    data = _compact_raw(client, short_conversation())
    findings = check_compaction(data)
    assert not findings, render(findings)
    kinds = [item_type(it) for it in data["output"]]
    observe("compaction.endpoint.output_types", kinds)
    assert kinds.count("compaction") >= 1, f"compacted output has item types {kinds}, no compaction item"

    typed = _compact_sdk(client, short_conversation())
    assert typed.object == "response.compaction", f"SDK: compacted object is {typed.object!r}"
    items = compaction_items(typed.output)
    assert items, f"SDK: compacted output has types {[item_type(i) for i in typed.output]}, no compaction item"
    assert isinstance(items[-1].encrypted_content, str) and items[-1].encrypted_content, "SDK: empty encrypted_content"
    assert typed.usage is not None and typed.usage.input_tokens > 0, f"SDK: usage {typed.usage!r}"


@pytest.mark.behaviour("compaction.endpoint.output_as_input", "compaction.endpoint.compact")
def test_compacted_output_is_the_next_input(client):
    """'# Use the compacted output as input for the next turn.' (`input=[*compacted.output, {"role": "user",
    "content": "Add opening hours."}]`)

    The compacted output, followed by a new user question, is accepted by responses.create and the
    conversation carries on: the model still knows the name stated before compaction (SDK output items as
    input, then the raw JSON items as input)."""
    typed = _compact_sdk(client, short_conversation())
    question = user("What is my name? Answer with the name only.")
    nxt = client.create(client.body([*as_input(typed.output), question], max_output_tokens=32))
    assert nxt.status == "completed", f"SDK: create from compacted output ended {nxt.status!r}"
    assert NAME.lower() in nxt.output_text.lower(), (
        f"SDK: after compaction the model lost the context: {nxt.output_text[:120]!r}")

    data = _compact_raw(client, short_conversation())
    raw = client.http_post("responses", client.body([*data["output"], question], max_output_tokens=32))
    assert raw.status_code == 200, f"raw create from compacted output: HTTP {raw.status_code}: {raw.text[:200]}"
    body = raw.json()
    findings = check_response(body)
    assert not findings, render(findings)
    assert NAME.lower() in output_text(body).lower(), f"raw: context lost after compaction: {output_text(body)[:120]!r}"


def _decoded(text: str) -> str:
    """The content as text after a base64 / base64url decode attempt (what a curious reader would try)."""
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(text + "=" * (-len(text) % 4)).decode("latin-1")
        except (binascii.Error, ValueError):
            continue
    return ""


@pytest.mark.behaviour("compaction.item.encrypted")
def test_compaction_item_is_encrypted_and_opaque(client, observe):
    """'The response includes an encrypted compaction item.' and 'It is opaque and not intended to be
    human-readable.'

    The compaction item carries a non-empty encrypted_content string; neither it nor its base64 decoding
    contains the conversation's words ("Lisbon"; "my name is" after decoding), and the item exposes no
    readable text fields (content/summary/text)."""
    data = _compact_raw(client, short_conversation())
    items = compaction_items(data.get("output"))
    assert items, f"no compaction item in {[item_type(i) for i in data.get('output') or []]}"
    item = items[-1]
    content = item.get("encrypted_content")
    assert isinstance(content, str) and len(content) >= 16, f"encrypted_content is {content!r:.80}"
    observe("compaction.item.encrypted_content_len", len(content))
    readable = [k for k in ("content", "summary", "text") if item.get(k)]
    assert not readable, f"compaction item exposes readable fields {readable}: {[item[k] for k in readable]}"
    # (a three-letter name could occur in random base64 by chance; these words cannot, in practice)
    assert "lisbon" not in content.lower(), "encrypted_content contains the plain word 'lisbon'"
    decoded = _decoded(content).lower()
    for secret in ("lisbon", f"my name is {NAME.lower()}"):
        assert secret not in decoded, f"base64-decoded encrypted_content contains {secret!r}"


@pytest.mark.behaviour("compaction.item.fewer_tokens")
def test_continuing_from_compaction_costs_fewer_input_tokens(client, observe):
    """'The compaction item carries forward the essential prior state and reasoning into the next turn using
    fewer tokens.'

    A history whose bulk is a long assistant turn (~1,300 tokens): the next turn sent with the full history
    is compared with the same turn sent with the compacted output; the compacted one must report fewer
    usage.input_tokens (raw channel for the compact call, SDK for both follow-ups)."""
    history = long_conversation()
    question = user("What is my name? Answer with the name only.")
    full = client.create(client.body([*history, question], max_output_tokens=16))
    data = _compact_raw(client, history)
    assert compaction_items(data["output"]), "compacted output has no compaction item"
    compacted = client.create(client.body([*data["output"], question], max_output_tokens=16))
    observe("compaction.item.fewer_tokens", {"full_history_input_tokens": full.usage.input_tokens,
                                             "compacted_input_tokens": compacted.usage.input_tokens})
    assert compacted.usage.input_tokens < full.usage.input_tokens, (
        f"continuing from the compacted output cost {compacted.usage.input_tokens} input tokens, the full "
        f"history {full.usage.input_tokens}: not fewer")


def _function_call_history() -> list[dict]:
    return [
        user("What is the weather in Paris? Use the get_weather tool."),
        {"type": "function_call", "call_id": "call_weather_1", "name": "get_weather",
         "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "call_weather_1", "output": '{"temp_c": 21, "sky": "clear"}'},
        assistant("It is 21 degrees and clear in Paris."),
    ]


@pytest.mark.behaviour("compaction.endpoint.compact")
def test_compact_accepts_function_call_items(client, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    A history with a function_call and its function_call_output between the messages is compacted (raw
    `check_compaction`, SDK typed): 200, object response.compaction, a compaction item in the output."""
    history = _function_call_history()
    data = _compact_raw(client, history)
    findings = check_compaction(data)
    assert not findings, render(findings)
    observe("compaction.endpoint.function_call_output_types", [item_type(i) for i in data["output"]])

    typed = _compact_sdk(client, history)
    assert typed.object == "response.compaction", f"SDK: object {typed.object!r}"
    assert compaction_items(typed.output), f"SDK: output types {[item_type(i) for i in typed.output]}"


@pytest.mark.behaviour("compaction.endpoint.compact", "compaction.endpoint.output_as_input")
def test_compact_accepts_reasoning_items_from_a_previous_response(client, target, observe):
    """'You can compact all items returned from previous requests like reasoning, message, function call, etc.'

    On the target's reasoning deployment: a response's output (its reasoning item and message, with
    reasoning.encrypted_content included) is compacted together with the user turn (raw), the result holds a
    compaction item, and the next turn from the compacted output still knows the name (SDK)."""
    model = target.deployment_for("reasoning")
    first = client.create(client.body([user(f"My name is {NAME}. Reply with OK.")], model=model,
                                      include=["reasoning.encrypted_content"], reasoning={"effort": "low"},
                                      max_output_tokens=200))
    kinds = [item_type(i) for i in first.output]
    observe("compaction.endpoint.reasoning_turn_types", kinds)
    history = [user(f"My name is {NAME}. Reply with OK."), *as_input(first.output)]
    raw = client.http_post("responses/compact", {"model": model, "input": history})
    assert raw.status_code == 200, f"compacting {kinds} items: HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    findings = check_compaction(data)
    assert not findings, render(findings)

    nxt = client.create(client.body([*data["output"], user("What is my name? Answer with the name only.")],
                                    model=model, reasoning={"effort": "low"}, max_output_tokens=200))
    assert nxt.status in ("completed", "incomplete"), f"turn after compaction ended {nxt.status!r}"
    if nxt.status == "incomplete" and not nxt.output_text.strip():
        inconclusive("the reasoning model spent max_output_tokens=200 before answering")
    assert NAME.lower() in nxt.output_text.lower(), f"context lost after compacting reasoning items: {nxt.output_text[:120]!r}"
