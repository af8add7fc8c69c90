"""The response object against the request that made it (issue 14): echoed request fields compared with
what was sent, `created_at` in seconds, `include=["message.output_text.logprobs"]` honoured, and the cut
message of an `incomplete` response not claiming `completed`.

Two module-shared exchanges, not stored: ``echo`` sends non-default temperature, top_p, metadata and
tool_choice (with a declared function so `none` means something) and asks for logprobs; ``plain`` sends
none of them. Every test judges one of the two (raw and SDK), so the live cost is two small requests, plus
one for the cut answer.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from respcheck.expect import accepted, fail_for

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"],
                   "additionalProperties": False},
    "strict": True,
}
SENT = {"temperature": 0.3, "top_p": 0.9, "metadata": {"respcheck_probe": "echo"}, "tool_choice": "none", "top_logprobs": 2}
"""Values no default equals: a response that reports defaults (or drops them) instead of the request shows."""
LOGPROBS = "message.output_text.logprobs"
LOGPROBS_ID = "chaining.include.output_text_logprobs"
SECONDS_RANGE = (1_500_000_000, 10_000_000_000)
"""Unix seconds from 2017 to 2286; a millisecond timestamp of today is about 1.8e12."""


@pytest.fixture(scope="module")
def echo(shared):
    return shared("echo", lambda c: c.create_both(c.body("Say: one two three", tools=[WEATHER], include=[LOGPROBS],
                                                          max_output_tokens=32, store=False, **SENT)))


@pytest.fixture(scope="module")
def plain(shared):
    return shared("plain", lambda c: c.create_both(c.body("Say: one two three", max_output_tokens=32, store=False)))


def _spelt(probs: list[dict[str, Any]]) -> str:
    """What the logprob entries spell: their UTF-8 `bytes` joined and decoded when every entry has them (a
    character split over several tokens is only whole in the bytes - the API reference: 'Useful in instances
    where characters are represented by multiple tokens and their byte representations must be combined'),
    else their tokens joined."""
    if all(isinstance(p.get("bytes"), list) for p in probs):
        return b"".join(bytes(p["bytes"]) for p in probs).decode("utf-8", errors="replace")
    return "".join(str(p.get("token", "")) for p in probs)


def _text_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for it in body.get("output") or [] if it.get("type") == "message"
            for p in it.get("content") or [] if p.get("type") == "output_text"]


@pytest.mark.behaviour("chaining.response.echoes_request")
def test_response_echoes_the_request_fields(echo, observe):
    """'"temperature": 1.0, "tool_choice": null, "tools": [], "top_p": 1.0,'

    The response reports temperature, top_p, metadata and tool_choice as the request sent them (not the
    defaults), and carries presence_penalty and frequency_penalty as numbers, as recorded Azure responses
    do. Raw and SDK."""
    body = accepted(echo, "echo create", "chaining.response.echoes_request")
    seen = {k: body.get(k) for k in (*SENT, "presence_penalty", "frequency_penalty") if k != "top_logprobs"}
    observe("chaining.response.echoed", seen)
    for key in ("temperature", "top_p", "metadata", "tool_choice"):
        assert body.get(key) == SENT[key], f"{key}: sent {SENT[key]!r}, the response reports {body.get(key)!r}"
    for key in ("presence_penalty", "frequency_penalty"):
        value = body.get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (
            f"{key} is {value!r}: recorded Azure responses carry it as a number (0.0 when not sent)")
    sdk = echo.sdk
    assert (sdk.temperature, sdk.top_p, sdk.metadata, sdk.tool_choice) == (
        SENT["temperature"], SENT["top_p"], SENT["metadata"], SENT["tool_choice"]), (
        f"SDK reads temperature {sdk.temperature!r}, top_p {sdk.top_p!r}, metadata {sdk.metadata!r}, tool_choice {sdk.tool_choice!r}")


@pytest.mark.behaviour("chaining.response.created_at_seconds")
def test_created_at_is_unix_seconds(plain, target, observe):
    """'description: Unix timestamp (in seconds) of when this Response was created.'

    created_at is an integer number of seconds since the epoch (not milliseconds); live and on the reference
    server it is within a day of this machine's clock (replay normalises recorded timestamps)."""
    body = accepted(plain, "plain create", "chaining.response.created_at_seconds")
    created = body.get("created_at")
    observe("chaining.response.created_at", created)
    assert isinstance(created, int) and not isinstance(created, bool), f"created_at is {created!r}, not an integer"
    lo, hi = SECONDS_RANGE
    assert lo <= created < hi, f"created_at {created} is not a Unix time in seconds (milliseconds?)"
    if target.mode != "replay":
        assert abs(created - time.time()) < 86_400, f"created_at {created} is more than a day from the clock ({int(time.time())})"
    assert plain.sdk.created_at == created, f"SDK reads created_at {plain.sdk.created_at!r}"


@pytest.mark.behaviour("chaining.include.output_text_logprobs")
def test_logprobs_included_when_asked(echo, plain, observe):
    """'- `message.output_text.logprobs`: Include logprobs with assistant messages.'

    With the include, every output_text part carries a non-empty logprobs list, one entry per token with a
    numeric logprob <= 0 and as many top_logprobs as asked (2, fewer tolerated "in rare cases"); the entries
    spell the text (their UTF-8 bytes, which carry a character split over tokens whole; their tokens when
    bytes are absent). Without it the list is empty or absent."""
    parts = _text_parts(accepted(echo, "echo create", LOGPROBS_ID))
    assert parts, "the echo create answered no output_text"
    for part in parts:
        probs = part.get("logprobs")
        assert isinstance(probs, list) and probs, f"include={LOGPROBS!r} but output_text.logprobs is {probs!r}"
        assert all(isinstance(p.get("logprob"), int | float) and p["logprob"] <= 0 for p in probs), (
            f"a logprob is not a number <= 0: {probs[:3]}")
        assert all(isinstance(p.get("top_logprobs"), list) and 1 <= len(p["top_logprobs"]) <= SENT["top_logprobs"]
                   for p in probs), f"top_logprobs do not match top_logprobs={SENT['top_logprobs']}: {probs[:2]}"
        spelt = _spelt(probs)
        if spelt != part.get("text"):
            empty = sum(1 for p in probs if not p.get("token") and not p.get("bytes"))
            fail_for(LOGPROBS_ID, f"the logprob entries spell {spelt!r:.120}, the text is {part.get('text')!r:.120} "
                                  f"({empty} of {len(probs)} entries have an empty token and no bytes)")
    observe("chaining.include.logprobs_count", sum(len(p["logprobs"]) for p in parts))
    sdk_parts = [c for it in echo.sdk.output if it.type == "message" for c in it.content if c.type == "output_text"]
    assert sdk_parts and all(c.logprobs for c in sdk_parts), "SDK: output_text.logprobs empty"
    for part in _text_parts(accepted(plain, "plain create", LOGPROBS_ID)):
        assert not part.get("logprobs"), f"logprobs without the include: {part.get('logprobs')[:2]}"


@pytest.mark.behaviour("chaining.response.incomplete_message_status")
def test_cut_message_is_incomplete(client, observe):
    """'The status of the item. One of `in_progress`, `completed`, or `incomplete`. Populated when items are
    returned via API.'

    A long answer cut by max_output_tokens 16 ends status incomplete (reason max_output_tokens), and its
    message item agrees: status incomplete, not completed. Raw and SDK."""
    ex = client.create_both(client.body("Count to 200, separated by spaces.", max_output_tokens=16, store=False))
    body = accepted(ex, "cut create", "chaining.response.incomplete_message_status")
    messages = [o for o in body.get("output") or [] if o.get("type") == "message"]
    observe("chaining.response.cut", {"status": body.get("status"), "messages": [m.get("status") for m in messages]})
    assert body.get("status") == "incomplete", f"a 200-number count in 16 tokens ended {body.get('status')!r}"
    assert (body.get("incomplete_details") or {}).get("reason") == "max_output_tokens", body.get("incomplete_details")
    if not all(m.get("status") == "incomplete" for m in messages):
        fail_for("chaining.response.incomplete_message_status", "the response is incomplete (max_output_tokens) but its "
                 f"message items say status {[m.get('status') for m in messages]}")
    sdk_messages = [o for o in ex.sdk.output if o.type == "message"]
    assert all(m.status == "incomplete" for m in sdk_messages), f"SDK: message statuses {[m.status for m in sdk_messages]}"
