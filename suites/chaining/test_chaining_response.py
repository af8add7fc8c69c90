"""The response object of a plain create: shape, error fields, usage arithmetic, unique ids.

Checked through both channels from one request each: the SDK's typed `Response` / typed stream events and
the raw JSON / SSE bytes they were read from, with `respcheck.validators` doing the structural checks. Three
exchanges (a string input, a message-array input, a stream) are made once for the module and every test
judges its behaviour on them: a live run pays per request.
"""

from __future__ import annotations

import pytest
from _chaining_helpers import raw_output_text

from respcheck.expect import accepted, finished_stream, prerequisite
from respcheck.verdicts import limit_of_model, model_limit

DOCUMENTED_FIELDS = (
    "id", "created_at", "error", "incomplete_details", "instructions", "metadata", "model", "object",
    "output", "previous_response_id", "status", "usage",
)  # fmt: skip
"""`chaining.response.object_shape` data.fields: the keys of the documented example response."""


@pytest.fixture(scope="module")
def creates(shared):
    """Three creates, in one cassette (ids are normalised per cassette, and one test compares them): a plain
    string input, a list of role/content messages with typed parts, and a stream. None is stored: nothing
    here needs them later."""

    def make(c):
        parts = [{"role": "user", "content": [{"type": "input_text", "text": "Say: parts"}]}]
        return (c.create_both(c.body("Say: hello", max_output_tokens=32, store=False)),
                c.create_both(c.body(parts, max_output_tokens=32, store=False)),
                c.stream_both(c.body("Say: streamed usage", max_output_tokens=32, store=False)))

    return shared("creates", make)


@pytest.fixture(scope="module")
def hello(creates):
    return creates[0]


@pytest.fixture(scope="module")
def parts(creates):
    return creates[1]


@pytest.fixture(scope="module")
def streamed(creates):
    return creates[2]


def _completed(ex, what: str) -> dict:
    """Both views of a completed create: the raw JSON object (asserted completed, with text) after the SDK's."""
    raw = accepted(ex, what, "chaining.create.basic")
    _finished_or_limit(raw, what)
    assert raw.get("status") == "completed", f"HTTP: expected status 'completed', saw {raw.get('status')!r}"
    assert raw_output_text(raw).strip(), f"HTTP: no output_text in output {raw.get('output')!r:.300}"
    typed = ex.sdk
    assert typed.status == "completed", f"SDK: expected status 'completed', saw {typed.status!r}"
    assert typed.output_text.strip(), "SDK: Response.output_text is empty for a completed response"
    assert typed.output_text == raw_output_text(raw), (
        f"SDK output_text {typed.output_text!r:.100} differs from the wire's {raw_output_text(raw)!r:.100}"
    )
    return raw


def _finished_or_limit(raw: dict, what: str) -> None:
    """Inconclusive (a model limit) when the answer was cut by max_output_tokens: nothing wrong with the
    service, and a completed response cannot be judged."""
    why = limit_of_model(raw)
    if why:
        model_limit(f"{what}: {why}")


@pytest.mark.behaviour("chaining.create.basic")
def test_create_with_string_input_completes(hello):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'
    (POST /openai/v1/responses with a deployment and a string input gives a completed response.)"""
    _completed(hello, "POST /responses")


@pytest.mark.behaviour("chaining.create.basic")
def test_create_with_message_array_input_completes(parts):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.' (the input may also
    be a list of role/content messages, as in the how-to's `input=[{"role": "user", "content": ...}]`.)"""
    _completed(parts, "POST /responses (message array)")


@pytest.mark.behaviour("chaining.response.object_shape")
def test_response_object_shape(hello, observe):
    """'"model": "gpt-4o-2024-08-06", "object": "response", "output": [' - the documented example response
    carries object "response", an id, a status, the output list and usage (plus created_at, error,
    incomplete_details, instructions, metadata, model, previous_response_id)."""
    # the response object's findings this behaviour owns fail here (usage: usage_totals', ambient)
    raw = accepted(hello, "POST /responses", "chaining.response.object_shape")
    missing = [k for k in DOCUMENTED_FIELDS if k not in raw]
    assert not missing, f"HTTP: response object lacks documented keys {missing} (has {sorted(raw)})"
    assert isinstance(raw["created_at"], int | float), f"created_at is {raw['created_at']!r}, expected a Unix time"
    # Azure annotates every response with its content filter results (`content_filters`): a list of
    # prompt/completion annotations, or null - public reports show null in stream snapshots and in some
    # non-stream responses (maximhq/bifrost#6419, vercel/ai's Azure fixtures; catalogue `variants`). Both
    # are accepted and the form met is recorded; an Azure response without the key is not Azure's shape.
    observe("chaining.response.content_filters_present", "content_filters" in raw)
    assert "content_filters" in raw, f"HTTP: Azure response has no 'content_filters' key (keys: {sorted(raw)})"
    filters = raw["content_filters"]
    observe("chaining.response.content_filters_variant", "null" if filters is None else type(filters).__name__)
    assert filters is None or isinstance(filters, list), (
        f"content_filters is {type(filters).__name__}, expected a list or null")
    assert all(isinstance(f, dict) for f in filters or []), f"content_filters holds a non-object: {filters!r:.200}"

    typed = hello.sdk
    assert typed.object == "response", f"SDK: object is {typed.object!r}, expected 'response'"
    assert typed.id and isinstance(typed.id, str), f"SDK: id is {typed.id!r}"
    assert typed.status == raw.get("status"), f"SDK: status {typed.status!r}, the wire says {raw.get('status')!r}"
    assert isinstance(typed.output, list) and typed.output, "SDK: output list is empty"
    assert typed.usage is not None, "SDK: usage is missing"


@pytest.mark.behaviour("chaining.response.object_shape")
def test_response_ids_are_unique(hello, parts, streamed):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.' - an id only works as a handle if every response gets its own."""
    created = next((e for e in streamed.events if e.get("type") == "response.created"), {})
    ids = [hello.sdk.id, prerequisite(parts, "POST /responses", by="chaining.create.basic").get("id"), (created.get("response") or {}).get("id")]
    assert len(set(ids)) == 3, f"three creates answered ids {ids}; expected three distinct ids"
    for rid in ids:
        assert isinstance(rid, str) and rid.startswith("resp"), f"response id {rid!r} does not look like a response id"


@pytest.mark.behaviour("chaining.response.error_null_on_success")
def test_completed_response_has_null_error_fields(hello):
    """'"error": null, "incomplete_details": null,' (the documented completed response)."""
    raw = accepted(hello, "POST /responses", "chaining.response.error_null_on_success")
    _finished_or_limit(raw, "POST /responses")
    assert raw.get("status") == "completed", f"HTTP: status {raw.get('status')!r}, expected 'completed'"
    for key in ("error", "incomplete_details"):
        assert key in raw, f"HTTP: key {key!r} absent; the docs show it as null"
        assert raw[key] is None, f"HTTP: {key} is {raw[key]!r} on a completed response, expected null"

    typed = hello.sdk
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
def test_usage_totals_add_up(hello, observe):
    """'"usage": { "input_tokens": 405, "output_tokens": 285, "output_tokens_details": { "reasoning_tokens": 0 },
    "total_tokens": 690 },' - total_tokens is input_tokens plus output_tokens."""
    raw = accepted(hello, "POST /responses", "chaining.response.usage_totals")
    problems = _usage_problems(raw.get("usage"), "HTTP")
    details = (raw.get("usage") or {}).get("output_tokens_details")
    if not isinstance(details, dict) or not isinstance(details.get("reasoning_tokens"), int):
        problems.append(f"HTTP: usage.output_tokens_details.reasoning_tokens missing ({details!r})")
    assert not problems, "; ".join(problems)
    observe("chaining.response.usage", raw["usage"])

    u = hello.sdk.usage
    assert u is not None, "SDK: usage is None"
    assert u.total_tokens == u.input_tokens + u.output_tokens, (
        f"SDK: total_tokens {u.total_tokens} != {u.input_tokens} + {u.output_tokens}"
    )


@pytest.mark.behaviour("chaining.response.usage_totals")
def test_streamed_completion_carries_usage(streamed):
    """'"usage": { "input_tokens": 405, "output_tokens": 285, ... "total_tokens": 690 },' - a streamed
    response's final response.completed snapshot is the same response object, usage included."""
    assert streamed.status == 200, f"HTTP stream: {streamed.status}: {streamed.text[:300]}"
    # the stream's grammar is the streaming behaviours' (ambient checks); a cut answer still reports usage
    finished = ("response.completed", "response.incomplete")
    last = finished_stream(streamed.events, "HTTP stream")  # no terminal event: the grammar's, blocked here
    assert last.get("type") in finished, f"HTTP stream ended with {last.get('type')!r}"
    final = last.get("response") or {}
    problems = _usage_problems(final.get("usage"), "HTTP response.completed")
    assert not problems, "; ".join(problems)

    typed = streamed.sdk_events
    assert typed and typed[-1].type in finished, f"SDK stream ended with {typed[-1].type if typed else None!r}"
    u = typed[-1].response.usage
    assert u is not None, "SDK: response.completed carries usage None"
    assert u.total_tokens == u.input_tokens + u.output_tokens, f"SDK: total {u.total_tokens} != {u.input_tokens}+{u.output_tokens}"
