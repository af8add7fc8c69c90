"""Function calling: a declared function yields a function_call item (call_id, name, JSON arguments), and a
function_call_output fed back (by previous_response_id or as manual input) lets the model finish its answer.

The prompts ask plainly for the one declared function and the tool output carries a distinctive value
(21 degrees) so that "the answer used the output" is checkable on any model.

Each request is seen through both channels at once (`stream_both` / `create_both`). The round trips share
one first call: the `rounds` exchange makes it (streamed, so its argument deltas are judged too; stored, so
follow-ups can chain on it) and then every follow-up that answers its call_id - chained by
previous_response_id and streamed, as manual input, and one for a call_id nobody made. A streamed turn's
response object is the one its response.completed event carries (raw and the SDK's typed `Response`).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import jsonschema
import pytest
from tools_helpers import (
    assert_error_envelope,
    completed_response,
    items,
    output_text,
    parse_arguments,
    typed_items,
)

from respcheck import contract
from respcheck.findings import render
from respcheck.lag import after_write
from respcheck.validators import check_response, check_stream
from respcheck.verdicts import inconclusive

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city name, e.g. Paris"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}
PROMPT = "What is the weather in Paris right now? Use the get_weather function."
USER = {"role": "user", "content": PROMPT}
FORCED = {"type": "function", "name": "get_weather"}
TOOL_OUTPUT = json.dumps({"location": "Paris", "temperature_c": 21, "condition": "sunny"})
UNKNOWN_CALL_ID = "call_respcheck_unknown_1"


class Rounds(NamedTuple):
    """The first call and the follow-ups answering it (None when the first turn gave no call_id to answer)."""

    first: Any
    """`StreamExchange`: the first turn, streamed and stored."""
    chained: Any
    """`StreamExchange`: its output chained by previous_response_id, streamed."""
    manual: Any
    unknown: Any
    lag: Any = None
    """`respcheck.lag.Lag` of the chained follow-ups (read-after-write lag after the streamed first turn)."""


def _output(call_id: Any) -> list[dict[str, Any]]:
    return [{"type": "function_call_output", "call_id": call_id, "output": TOOL_OUTPUT}]


def _final(ex: Any) -> dict[str, Any]:
    """The raw response object a stream ended with ({} when none): what the follow-ups are built from."""
    last = ex.events[-1] if ex.events else {}
    response = last.get("response")
    return response if isinstance(response, dict) else {}


@pytest.fixture(scope="module")
def rounds(shared):
    """One unforced first turn, streamed (the prompt asks for the function; stored: the chained follow-up
    needs it) and, in the same cassette (they compare its ids), the follow-ups with its call_id: chained by
    previous_response_id (streamed: one request judges the chained answer and its events), the call and its
    output as manual input, and an output for a call_id no call carries. Follow-ups are not stored."""

    def make(c) -> Rounds:
        first = c.stream_both(c.body(PROMPT, tools=[WEATHER], max_output_tokens=100))
        data = _final(first) if first.error is None else {}
        rid = data.get("id")
        if not rid:
            return Rounds(first, None, None, None)
        # chained right after a streamed create: resent while the new id is not yet visible (live lag)
        unknown, lag = after_write(lambda: c.create_both(c.body(_output(UNKNOWN_CALL_ID), previous_response_id=rid,
                                                                tools=[WEATHER], store=False, max_output_tokens=50),
                                                         retry=False), mode=c.target.mode)
        calls = items(data, "function_call")
        if not calls or not calls[0].get("call_id"):
            return Rounds(first, None, None, unknown, lag)
        out = _output(calls[0]["call_id"])
        chained_body = c.body(out, previous_response_id=rid, tools=[WEATHER], store=False, max_output_tokens=120)
        chained, lag2 = after_write(lambda: c.stream_both(chained_body), mode=c.target.mode)
        lag.attempts, lag.waited_s, lag.unresolved = (lag.attempts + lag2.attempts - 1, lag.waited_s + lag2.waited_s,
                                                      lag.unresolved or lag2.unresolved)
        call = {k: calls[0].get(k) for k in ("type", "call_id", "name", "arguments")}
        manual = c.body([USER, call, *out], tools=[WEATHER], store=False, max_output_tokens=120)
        return Rounds(first, chained, c.create_both(manual), unknown, lag)

    return shared("rounds", make)


def _check_call(item: dict, where: str) -> dict:
    """One function_call item on the wire: contract shape, call_id, name, JSON arguments naming Paris."""
    assert item.get("call_id"), f"{where}: function_call has no call_id: {json.dumps(item)[:200]}"
    errors = contract.validate("OpenAI.FunctionToolCallItemResource", item)
    assert not errors, f"{where}: function_call item off-contract: {errors[:3]}"
    assert item.get("name") == "get_weather", f"{where}: expected name 'get_weather', saw {item.get('name')!r}"
    args = parse_arguments(item.get("arguments"))
    errors = [e.message for e in jsonschema.Draft202012Validator(WEATHER["parameters"]).iter_errors(args)]
    assert not errors, f"{where}: strict function arguments do not match the parameters schema: {errors[:3]} in {args}"
    assert "paris" in str(args.get("location", "")).lower(), f"{where}: expected location Paris in {args}"
    return args


def _ok(ex, where: str) -> dict:
    """The raw JSON of a 200 exchange, conforming to the response contract."""
    assert ex is not None, f"{where}: not sent (the first turn gave no function_call with a call_id to answer)"
    assert ex.status == 200, f"{where}: HTTP {ex.status}: {ex.http.text[:200]}"
    data = ex.json()
    findings = check_response(data)
    assert not findings, f"{where}: " + render(findings)
    return data


def _settled(rounds: Rounds, observe: Any, what: str) -> None:
    """Record the read-after-write lag the chained follow-ups met; inconclusive when it never cleared."""
    if rounds.lag is None:
        return
    observe("chaining.read_after_write.lag", rounds.lag.record())
    if rounds.lag.unresolved:
        inconclusive(rounds.lag.reason(what))


def _first_call(rounds: Rounds) -> tuple[dict, Any]:
    """The first turn's function_call, checked on the wire and in the SDK's typed reading of it; returns the
    raw call and the SDK's typed first-turn `Response` (both from the stream's response.completed event)."""
    data, typed_response = completed_response(rounds.first, "turn 1")
    found = items(data, "function_call")
    assert found, f"turn 1: no function_call item; output types {[o.get('type') for o in data['output']]}"
    _check_call(found[0], "turn 1 (raw)")
    typed = typed_items(typed_response, "function_call")
    assert typed, f"turn 1 SDK: no function_call item; output types {[o.type for o in typed_response.output]}"
    assert typed[0].call_id == found[0]["call_id"] and typed[0].name == "get_weather", (
        f"turn 1 SDK saw call_id={typed[0].call_id!r} name={typed[0].name!r}, the wire {found[0]['call_id']!r}")
    return found[0], typed_response


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_tool_yields_function_call_item(rounds):
    """'The responses API supports function calling.' (ja: '応答 API では、関数呼び出しがサポートされています。')"""
    _call, first = _first_call(rounds)  # asked for in the prompt, not forced: the model chose the function itself
    parse_arguments(typed_items(first, "function_call")[0].arguments)
    data, _typed = completed_response(rounds.first, "turn 1")
    echoed = [t.get("name") for t in data.get("tools") or []]
    assert echoed == ["get_weather"], f"response.tools should echo the declared function, saw {echoed}"
    assert [t.name for t in first.tools or []] == ["get_weather"], "SDK: Response.tools lost the declared function"


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_call_streams_argument_events(rounds):
    """'The responses API supports function calling.' - streamed, the arguments arrive as
    response.function_call_arguments.delta events that add up to the .done arguments and the item's.
    (Judged on the round trips' first turn: streamed, and not forced - the prompt asks for the function.)"""
    ex = rounds.first
    assert ex.status == 200, f"HTTP {ex.status}: {ex.text[:200]}"
    findings = ex.parsed().findings + check_stream(ex.events)
    assert not findings, render(findings)
    final, typed_response = completed_response(ex, "stream")
    calls = items(final, "function_call")
    assert calls, f"stream: no function_call in the terminal response; event types {sorted({e.get('type') for e in ex.events})}"
    _check_call(calls[0], "stream")
    deltas = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.function_call_arguments.delta")
    done = [e for e in ex.events if e.get("type") == "response.function_call_arguments.done"]
    assert done, "stream: no response.function_call_arguments.done event"
    assert deltas == done[0].get("arguments") == calls[0]["arguments"], (
        f"stream: deltas {deltas!r}, done {done[0].get('arguments')!r}, item {calls[0]['arguments']!r} differ")

    # SDK: every event parses; its typed deltas add up the same and the completed response carries the call
    typed_deltas = "".join(e.delta for e in ex.sdk_events if e.type == "response.function_call_arguments.delta")
    assert typed_deltas == deltas, f"SDK stream: typed argument deltas {typed_deltas!r} differ from the wire's {deltas!r}"
    typed_calls = typed_items(typed_response, "function_call")
    assert typed_calls, "SDK stream: no function_call in the completed response"
    assert typed_calls[0].arguments == calls[0]["arguments"], (
        f"SDK stream: arguments {typed_calls[0].arguments!r} differ from the wire's {calls[0]['arguments']!r}")


@pytest.mark.behaviour("tools.function_calling.output_roundtrip", "tools.function_calling.supported")
def test_function_output_with_previous_response_id(rounds, observe):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - here chained with previous_response_id."""
    _settled(rounds, observe, "turn 2")
    _call, first = _first_call(rounds)
    first_id = first.id
    assert rounds.chained is not None, "turn 2: not sent (the first turn gave no function_call with a call_id to answer)"
    data, typed = completed_response(rounds.chained, "turn 2")  # the streamed follow-up's final response object
    assert data.get("previous_response_id") == first_id, (
        f"turn 2 echoes previous_response_id {data.get('previous_response_id')!r}, expected {first_id!r}")
    assert "21" in output_text(data), f"turn 2 should use the tool output (21 degrees), saw {output_text(data)[:200]!r}"
    assert typed.previous_response_id == first_id, f"SDK: previous_response_id {typed.previous_response_id!r}"
    assert "21" in typed.output_text, f"SDK: turn 2 should use the tool output (21 degrees), saw {typed.output_text[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_as_manual_input(rounds):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - here without stored state: the call and its output as input."""
    _first_call(rounds)
    data = _ok(rounds.manual, "turn 2 (manual input)")
    second = rounds.manual.sdk
    assert second.status == "completed", f"turn 2 status {second.status!r}"
    assert not typed_items(second, "function_call"), "turn 2 called the function again instead of using its output"
    assert not items(data, "function_call"), "turn 2 (raw) called the function again instead of using its output"
    assert "21" in second.output_text, f"turn 2 should use the tool output (21 degrees), saw {second.output_text[:200]!r}"
    assert "21" in output_text(data), f"turn 2 (raw) should use the tool output (21 degrees), saw {output_text(data)[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_streamed_answer(rounds, observe):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - the answer that uses the output, streamed."""
    _settled(rounds, observe, "turn 2 (stream)")
    _first_call(rounds)
    ex = rounds.chained
    assert ex is not None, "turn 2 (stream): not sent, the first turn gave no call_id"
    assert ex.status == 200, f"turn 2 (stream): HTTP {ex.status}: {ex.text[:200]}"
    findings = ex.parsed().findings + check_stream(ex.events)
    assert not findings, render(findings)
    wire = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.output_text.delta")
    assert "21" in wire, f"the streamed answer (raw deltas) should use the tool output (21 degrees), saw {wire[:200]!r}"
    events = ex.sdk_events
    assert events and events[-1].type == "response.completed", f"SDK stream ended with {events[-1].type if events else None!r}"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert "21" in text, f"the streamed answer should use the tool output (21 degrees), saw {text[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_for_unknown_call_rejected(rounds, observe):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - an output must answer a call: one for a call_id no call in context
    carries is refused with 400, not silently accepted."""
    _settled(rounds, observe, "the output for an unknown call_id")
    completed_response(rounds.first, "turn 1")
    ex = rounds.unknown
    assert ex is not None, "the output for an unknown call_id was not sent (turn 1 gave no response id)"
    assert ex.status == 400, f"an output for an unknown call_id: expected 400, saw HTTP {ex.status}: {ex.http.text[:200]}"
    assert_error_envelope(ex.http)
    assert ex.error is not None and ex.error.status_code == 400, f"SDK: expected a 400 error, saw {ex.error!r}"


@pytest.mark.behaviour("tools.function_calling.supported")
def test_tool_choice_none_answers_without_call(client):
    """'The responses API supports function calling.' - with tool_choice "none" the declared function is not
    called; the model answers in a message."""
    ex = client.create_both(client.body("Reply with the single word OK. Do not call get_weather.", tools=[WEATHER],
                                        tool_choice="none", store=False, max_output_tokens=16))
    data = _ok(ex, "tool_choice none")
    assert not items(data, "function_call"), f"tool_choice none still produced a function_call (raw): {[o.get('type') for o in data['output']]}"
    typed = ex.sdk
    kinds = [o.type for o in typed.output]
    assert "function_call" not in kinds, f"tool_choice none still produced a function_call: {kinds}"
    assert typed.output_text.strip(), f"no answer text with tool_choice none: {kinds}"
    assert typed.tool_choice == "none", f"tool_choice echoed as {typed.tool_choice!r}"


@pytest.mark.behaviour("tools.function_calling.supported", "tools.function_calling.output_roundtrip")
def test_function_round_trip_on_reasoning_deployment(client, target):
    """'The responses API supports function calling.' - also on a reasoning deployment, where the
    function_call follows a reasoning item and the chained output still lets the model finish."""
    model = target.deployment_for("reasoning")
    common = {"model": model, "tools": [WEATHER], "reasoning": {"effort": "low"}, "max_output_tokens": 200}
    first = client.create_both({**common, "input": PROMPT, "tool_choice": FORCED})  # stored: turn 2 chains on it
    assert first.status == 200, f"turn 1: HTTP {first.status}: {first.http.text[:200]}"
    data = first.json()
    if data.get("status") == "incomplete":
        inconclusive(f"turn 1 ran out of max_output_tokens on reasoning: {data.get('incomplete_details')}")
    findings = check_response(data)
    assert not findings, render(findings)
    calls = items(data, "function_call")
    assert calls, f"turn 1: no function_call item; output types {[o.get('type') for o in data['output']]}"
    _check_call(calls[0], "reasoning turn 1")
    assert typed_items(first.sdk, "function_call"), f"turn 1 SDK: no function_call in {[o.type for o in first.sdk.output]}"
    second = client.create_both({**common, "input": _output(calls[0]["call_id"]), "previous_response_id": data["id"],
                                 "store": False})
    assert second.status == 200, f"turn 2: HTTP {second.status}: {second.http.text[:200]}"
    if second.sdk.status == "incomplete":
        inconclusive(f"turn 2 ran out of max_output_tokens on reasoning: {second.sdk.incomplete_details}")
    assert "21" in second.sdk.output_text, f"turn 2 should use the tool output (21 degrees), saw {second.sdk.output_text[:200]!r}"
    assert "21" in output_text(second.json()), f"turn 2 (raw) should use the tool output, saw {output_text(second.json())[:200]!r}"
