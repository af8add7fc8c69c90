"""Function calling: a declared function yields a function_call item (call_id, name, JSON arguments), and a
function_call_output fed back (by previous_response_id or as manual input) lets the model finish its answer.

The prompts ask plainly for the one declared function and the tool output carries a distinctive value
(21 degrees) so that "the answer used the output" is checkable on any model.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from tools_helpers import assert_error_envelope, items, parse_arguments, typed_items

from respcheck import contract
from respcheck.findings import render
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
FORCED = {"type": "function", "name": "get_weather"}
TOOL_OUTPUT = json.dumps({"location": "Paris", "temperature_c": 21, "condition": "sunny"})


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


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_tool_yields_function_call_item(client):
    """'The responses API supports function calling.' (ja: '応答 API では、関数呼び出しがサポートされています。')"""
    body = client.body(PROMPT, tools=[WEATHER], max_output_tokens=100)

    typed = client.create(body)  # SDK: the call parses into ResponseFunctionToolCall
    calls = typed_items(typed, "function_call")
    assert calls, f"SDK: no function_call item; output types {[o.type for o in typed.output]}"
    assert calls[0].call_id and calls[0].name == "get_weather", f"SDK saw call_id={calls[0].call_id!r} name={calls[0].name!r}"
    parse_arguments(calls[0].arguments)

    raw = client.http_post("responses", client.body(PROMPT, tools=[WEATHER], tool_choice=FORCED, max_output_tokens=100))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    findings = check_response(data)
    assert not findings, render(findings)
    found = items(data, "function_call")
    assert found, f"raw: tool_choice forced get_weather but no function_call item; output types {[o.get('type') for o in data['output']]}"
    _check_call(found[0], "raw")
    echoed = [t.get("name") for t in data.get("tools") or []]
    assert echoed == ["get_weather"], f"response.tools should echo the declared function, saw {echoed}"


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_call_streams_argument_events(client):
    """'The responses API supports function calling.' - streamed, the arguments arrive as
    response.function_call_arguments.delta events that add up to the .done arguments and the item's."""
    body = client.body(PROMPT, tools=[WEATHER], tool_choice=FORCED, max_output_tokens=100)

    wire = client.http_stream("responses", body)
    status, _headers, text, events = wire
    assert status == 200, f"HTTP {status}: {text[:200]}"
    findings = wire.parsed().findings + check_stream(events)
    assert not findings, render(findings)
    final = events[-1].get("response") or {}
    calls = items(final, "function_call")
    assert calls, f"stream: no function_call in the terminal response; event types {sorted({e.get('type') for e in events})}"
    _check_call(calls[0], "stream")
    deltas = "".join(e.get("delta", "") for e in events if e.get("type") == "response.function_call_arguments.delta")
    done = [e for e in events if e.get("type") == "response.function_call_arguments.done"]
    assert done, "stream: no response.function_call_arguments.done event"
    assert deltas == done[0].get("arguments") == calls[0]["arguments"], (
        f"stream: deltas {deltas!r}, done {done[0].get('arguments')!r}, item {calls[0]['arguments']!r} differ")

    typed = client.sdk_stream(body)  # SDK: every event parses; the completed response carries the call
    assert typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type!r}"
    assert typed_items(typed[-1].response, "function_call"), "SDK stream: no function_call in the completed response"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip", "tools.function_calling.supported")
def test_function_output_with_previous_response_id(client):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - here chained with previous_response_id."""
    first = client.create(client.body(PROMPT, tools=[WEATHER], tool_choice=FORCED, max_output_tokens=100))
    calls = [it.model_dump() for it in typed_items(first, "function_call")]
    assert calls, f"turn 1: no function_call item; output types {[o.type for o in first.output]}"
    _check_call(calls[0], "turn 1 (SDK)")

    out = [{"type": "function_call_output", "call_id": calls[0]["call_id"], "output": TOOL_OUTPUT}]
    raw = client.http_post("responses", client.body(out, previous_response_id=first.id, tools=[WEATHER], max_output_tokens=120))
    assert raw.status_code == 200, f"turn 2: HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    findings = check_response(data)
    assert not findings, render(findings)
    assert data.get("previous_response_id") == first.id
    answer = "".join(p.get("text", "") for it in items(data, "message") for p in it.get("content") or [])
    assert "21" in answer, f"turn 2 should use the tool output (21 degrees), saw {answer[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_as_manual_input(client):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - here without stored state: the call and its output as input."""
    user = {"role": "user", "content": PROMPT}
    raw = client.http_post("responses", client.body([user], tools=[WEATHER], tool_choice=FORCED, store=False, max_output_tokens=100))
    assert raw.status_code == 200, f"turn 1: HTTP {raw.status_code}: {raw.text[:200]}"
    calls = items(raw.json(), "function_call")
    assert calls, f"turn 1: no function_call item; output types {[o.get('type') for o in raw.json()['output']]}"
    _check_call(calls[0], "turn 1 (raw)")
    call = {k: calls[0][k] for k in ("type", "call_id", "name", "arguments")}

    fed = [user, call, {"type": "function_call_output", "call_id": call["call_id"], "output": TOOL_OUTPUT}]
    second = client.create(client.body(fed, tools=[WEATHER], store=False, max_output_tokens=120))
    assert second.status == "completed", f"turn 2 status {second.status!r}"
    assert not typed_items(second, "function_call"), "turn 2 called the function again instead of using its output"
    assert "21" in second.output_text, f"turn 2 should use the tool output (21 degrees), saw {second.output_text[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_streamed_answer(client):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - the answer that uses the output, streamed."""
    first = client.http_post("responses", client.body(PROMPT, tools=[WEATHER], tool_choice=FORCED, max_output_tokens=100))
    assert first.status_code == 200, f"turn 1: HTTP {first.status_code}: {first.text[:200]}"
    calls = items(first.json(), "function_call")
    assert calls, "turn 1: no function_call item"
    _check_call(calls[0], "turn 1 (raw)")
    out = [{"type": "function_call_output", "call_id": calls[0]["call_id"], "output": TOOL_OUTPUT}]
    events = client.sdk_stream(client.body(out, previous_response_id=first.json()["id"], tools=[WEATHER], max_output_tokens=120))
    assert events[-1].type == "response.completed", f"SDK stream ended with {events[-1].type!r}"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert "21" in text, f"the streamed answer should use the tool output (21 degrees), saw {text[:200]!r}"


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_for_unknown_call_rejected(client):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - an output must answer a call: one for a call_id no call in context
    carries is refused with 400, not silently accepted."""
    first = client.create(client.body("Say OK.", max_output_tokens=16))
    out = [{"type": "function_call_output", "call_id": "call_respcheck_unknown_1", "output": TOOL_OUTPUT}]
    raw = client.http_post("responses", client.body(out, previous_response_id=first.id, tools=[WEATHER], max_output_tokens=50), retry=False)
    assert raw.status_code == 400, f"an output for an unknown call_id: expected 400, saw HTTP {raw.status_code}: {raw.text[:200]}"
    assert_error_envelope(raw)


@pytest.mark.behaviour("tools.function_calling.supported")
def test_tool_choice_none_answers_without_call(client):
    """'The responses API supports function calling.' - with tool_choice "none" the declared function is not
    called; the model answers in a message."""
    typed = client.create(client.body("Reply with the single word OK. Do not call get_weather.", tools=[WEATHER],
                                      tool_choice="none", max_output_tokens=16))
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
    first = client.http_post("responses", {**common, "input": PROMPT, "tool_choice": FORCED})
    assert first.status_code == 200, f"turn 1: HTTP {first.status_code}: {first.text[:200]}"
    data = first.json()
    if data.get("status") == "incomplete":
        inconclusive(f"turn 1 ran out of max_output_tokens on reasoning: {data.get('incomplete_details')}")
    findings = check_response(data)
    assert not findings, render(findings)
    calls = items(data, "function_call")
    assert calls, f"turn 1: no function_call item; output types {[o.get('type') for o in data['output']]}"
    _check_call(calls[0], "reasoning turn 1")
    out = [{"type": "function_call_output", "call_id": calls[0]["call_id"], "output": TOOL_OUTPUT}]
    second = client.create({**common, "input": out, "previous_response_id": data["id"]})
    if second.status == "incomplete":
        inconclusive(f"turn 2 ran out of max_output_tokens on reasoning: {second.incomplete_details}")
    assert "21" in second.output_text, f"turn 2 should use the tool output (21 degrees), saw {second.output_text[:200]!r}"
