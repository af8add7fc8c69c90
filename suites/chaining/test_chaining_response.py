"""The response object of a plain create: shape, error fields, usage arithmetic, unique ids.

Checked through both channels: the SDK (typed `Response`, typed stream events) and raw httpx (the JSON and
the SSE bytes as sent), with `respcheck.validators` doing the structural checks.
"""

from __future__ import annotations

import pytest
from _chaining_helpers import ok_json, raw_output_text

from respcheck.findings import render
from respcheck.validators import check_response, check_stream

DOCUMENTED_FIELDS = (
    "id", "created_at", "error", "incomplete_details", "instructions", "metadata", "model", "object",
    "output", "previous_response_id", "status", "usage",
)  # fmt: skip
"""`chaining.response.object_shape` data.fields: the keys of the documented example response."""


@pytest.mark.behaviour("chaining.create.basic")
def test_create_with_string_input_completes(client):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'
    (POST /openai/v1/responses with a deployment and a string input gives a completed response.)"""
    body = client.body("Say: hello", max_output_tokens=32)

    typed = client.create(body)
    assert typed.status == "completed", f"SDK: expected status 'completed', saw {typed.status!r}"
    assert typed.output_text.strip(), "SDK: Response.output_text is empty for a completed response"

    raw = ok_json(client.http_post("responses", body), "POST /responses")
    assert raw.get("status") == "completed", f"HTTP: expected status 'completed', saw {raw.get('status')!r}"
    assert raw_output_text(raw).strip(), f"HTTP: no output_text in output {raw.get('output')!r:.300}"


@pytest.mark.behaviour("chaining.create.basic")
def test_create_with_message_array_input_completes(client):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.' (the input may also
    be a list of role/content messages, as in the how-to's `input=[{"role": "user", "content": ...}]`.)"""
    body = client.body(
        [{"role": "user", "content": [{"type": "input_text", "text": "Say: parts"}]}],
        max_output_tokens=32,
    )
    raw = ok_json(client.http_post("responses", body), "POST /responses (message array)")
    assert raw.get("status") == "completed", f"HTTP: status {raw.get('status')!r}"
    assert raw_output_text(raw).strip(), "HTTP: empty output text"
    typed = client.create(client.body([{"role": "user", "content": "Say: plain"}], max_output_tokens=32))
    assert typed.status == "completed" and typed.output_text.strip(), f"SDK: status {typed.status!r}, text {typed.output_text!r}"


@pytest.mark.behaviour("chaining.response.object_shape")
def test_response_object_shape(client, observe):
    """'"model": "gpt-4o-2024-08-06", "object": "response", "output": [' - the documented example response
    carries object "response", an id, a status, the output list and usage (plus created_at, error,
    incomplete_details, instructions, metadata, model, previous_response_id)."""
    body = client.body("Say: shape", max_output_tokens=32)

    raw = ok_json(client.http_post("responses", body), "POST /responses")
    findings = check_response(raw)
    assert not findings, render(findings)
    missing = [k for k in DOCUMENTED_FIELDS if k not in raw]
    assert not missing, f"HTTP: response object lacks documented keys {missing} (has {sorted(raw)})"
    assert isinstance(raw["created_at"], int | float), f"created_at is {raw['created_at']!r}, expected a Unix time"
    # Azure annotates every response with its content filter results (`content_filters`, a list of
    # prompt/completion annotations); an Azure response without the key is not Azure's wire shape.
    observe("chaining.response.content_filters_present", "content_filters" in raw)
    assert "content_filters" in raw, f"HTTP: Azure response has no 'content_filters' key (keys: {sorted(raw)})"
    assert isinstance(raw["content_filters"], list), f"content_filters is {type(raw['content_filters']).__name__}, expected a list"

    typed = client.create(body)
    assert typed.object == "response", f"SDK: object is {typed.object!r}, expected 'response'"
    assert typed.id and isinstance(typed.id, str), f"SDK: id is {typed.id!r}"
    assert typed.status == "completed", f"SDK: status {typed.status!r}"
    assert isinstance(typed.output, list) and typed.output, "SDK: output list is empty"
    assert typed.usage is not None, "SDK: usage is missing"


@pytest.mark.behaviour("chaining.response.object_shape")
def test_response_ids_are_unique(client):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.' - an id only works as a handle if every response gets its own."""
    body = client.body("Say: one", max_output_tokens=32)
    a = client.create(body)
    b = client.create(client.body("Say: two", max_output_tokens=32))
    raw = ok_json(client.http_post("responses", client.body("Say: three", max_output_tokens=32)), "POST /responses")
    ids = [a.id, b.id, raw.get("id")]
    assert len(set(ids)) == 3, f"three creates answered ids {ids}; expected three distinct ids"
    for rid in ids:
        assert isinstance(rid, str) and rid.startswith("resp"), f"response id {rid!r} does not look like a response id"


@pytest.mark.behaviour("chaining.response.error_null_on_success")
def test_completed_response_has_null_error_fields(client):
    """'"error": null, "incomplete_details": null,' (the documented completed response)."""
    body = client.body("Say: fine", max_output_tokens=32)

    raw = ok_json(client.http_post("responses", body), "POST /responses")
    assert raw.get("status") == "completed", f"HTTP: status {raw.get('status')!r}, expected 'completed'"
    for key in ("error", "incomplete_details"):
        assert key in raw, f"HTTP: key {key!r} absent; the docs show it as null"
        assert raw[key] is None, f"HTTP: {key} is {raw[key]!r} on a completed response, expected null"

    typed = client.create(body)
    assert typed.status == "completed", f"SDK: status {typed.status!r}"
    assert typed.error is None, f"SDK: error is {typed.error!r} on a completed response"
    assert typed.incomplete_details is None, f"SDK: incomplete_details is {typed.incomplete_details!r}"


def _usage_problems(usage: dict | None, where: str) -> list[str]:
    if not isinstance(usage, dict):
        return [f"{where}: usage is {usage!r}, expected an object"]
    out = []
    vals = {k: usage.get(k) for k in ("input_tokens", "output_tokens", "total_tokens")}
    for k, v in vals.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            out.append(f"{where}: usage.{k} is {v!r}, expected a non-negative integer")
    if not out:
        if vals["total_tokens"] != vals["input_tokens"] + vals["output_tokens"]:
            out.append(f"{where}: total_tokens {vals['total_tokens']} != input_tokens {vals['input_tokens']} + "
                       f"output_tokens {vals['output_tokens']}")
        if vals["input_tokens"] == 0 or vals["output_tokens"] == 0:
            out.append(f"{where}: a non-empty prompt and answer reported {vals}")
    return out


@pytest.mark.behaviour("chaining.response.usage_totals")
def test_usage_totals_add_up(client, observe):
    """'"usage": { "input_tokens": 405, "output_tokens": 285, "output_tokens_details": { "reasoning_tokens": 0 },
    "total_tokens": 690 },' - total_tokens is input_tokens plus output_tokens."""
    body = client.body("Say: usage", max_output_tokens=32)

    raw = ok_json(client.http_post("responses", body), "POST /responses")
    problems = _usage_problems(raw.get("usage"), "HTTP")
    details = (raw.get("usage") or {}).get("output_tokens_details")
    if not isinstance(details, dict) or not isinstance(details.get("reasoning_tokens"), int):
        problems.append(f"HTTP: usage.output_tokens_details.reasoning_tokens missing ({details!r})")
    assert not problems, "; ".join(problems)
    observe("chaining.response.usage", raw["usage"])

    typed = client.create(body)
    u = typed.usage
    assert u is not None, "SDK: usage is None"
    assert u.total_tokens == u.input_tokens + u.output_tokens, (
        f"SDK: total_tokens {u.total_tokens} != {u.input_tokens} + {u.output_tokens}"
    )


@pytest.mark.behaviour("chaining.response.usage_totals")
def test_streamed_completion_carries_usage(client):
    """'"usage": { "input_tokens": 405, "output_tokens": 285, ... "total_tokens": 690 },' - a streamed
    response's final response.completed snapshot is the same response object, usage included."""
    body = client.body("Say: streamed usage", max_output_tokens=32)

    wire = client.http_stream("responses", body)
    assert wire.status == 200, f"HTTP stream: {wire.status}: {wire.text[:300]}"
    findings = check_stream(wire.events)
    assert not findings, render(findings)
    last = wire.events[-1] if wire.events else {}
    assert last.get("type") == "response.completed", f"HTTP stream ended with {last.get('type')!r}"
    final = last.get("response") or {}
    problems = _usage_problems(final.get("usage"), "HTTP response.completed")
    assert not problems, "; ".join(problems)

    typed = client.sdk_stream(body)
    assert typed and typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type if typed else None!r}"
    u = typed[-1].response.usage
    assert u is not None, "SDK: response.completed carries usage None"
    assert u.total_tokens == u.input_tokens + u.output_tokens, f"SDK: total {u.total_tokens} != {u.input_tokens}+{u.output_tokens}"
