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
    completed_response,
    items,
    model_could_not,
    output_text,
    parse_arguments,
    refusal,
    tool_not_called,
    typed_items,
)

from respcheck import contract
from respcheck.expect import OwnedFailure, accepted, fail_for, fail_on
from respcheck.lag import after_write, is_lag_answer
from respcheck.validators import check_stream
from respcheck.verdicts import blocked, inconclusive, model_limit

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
CONTROL_PROMPT = f"The get_weather function returned {TOOL_OUTPUT} for Paris. What is the temperature in Paris right now?"
"""The control: the tool's output as plain user text. A model that uses it here but not as a
function_call_output shows that the output did not reach it (the service's fault, not the model's limit)."""
SUPPORTED = "tools.function_calling.supported"
ROUNDTRIP = "tools.function_calling.output_roundtrip"
STORE_OWNER = "chaining.retrieve.by_id"
"""The behaviour whose own tests judge that a stored response can be found again: a chained follow-up on a
target that did not keep turn 1 is blocked by it."""


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
    unstored: str | None = None
    """Why the chained follow-ups were not sent (turn 1 was not kept: see `_NotStored`), else None."""
    control: Any = None
    """`Exchange`: CONTROL_PROMPT (the output as user text), sent when there is a call to answer."""


class _NotStored(Exception):
    """Turn 1 was not kept: a chained follow-up was told "not found", turn 1 does not echo ``store: true``
    and GET of turn 1 is 404 at once. Why not wait it out as read-after-write lag: a target without
    storage (a store-less OpenAI-compatible server) answers 404 for ever, and the lag waits would only
    spend a minute per follow-up before the same inconclusive verdict."""


def _kept_or_raise(c: Any, data: dict[str, Any], send: Any) -> Any:
    """`send` for `after_write`: its first lag answer is checked against turn 1's storage once (raises
    `_NotStored`); an Azure response that echoes ``store: true`` is waited for as lag, as before."""
    state = {"probed": False}

    def once() -> Any:
        ex = send()
        if state["probed"] or not is_lag_answer(ex) or data.get("store") is True:
            return ex
        state["probed"] = True
        got = c.http_get(f"responses/{data['id']}", retry=False)
        if got.status_code == 404:
            raise _NotStored(f"turn 1 ({data['id']}) was not kept: it echoes store {data.get('store', 'absent')!r}, "
                             f"a chained follow-up answered HTTP {ex.status} and GET of turn 1 HTTP 404")
        return ex

    return once


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
        calls = items(data, "function_call")
        call_id = calls[0].get("call_id") if calls else None
        chained = unknown = lag = unstored = None
        try:  # chained right after a streamed create: resent while the new id is not yet visible (live lag)
            unknown, lag = after_write(_kept_or_raise(c, data, lambda: c.create_both(
                c.body(_output(UNKNOWN_CALL_ID), previous_response_id=rid, tools=[WEATHER], store=False,
                       max_output_tokens=50), retry=False)), mode=c.target.mode)
            if call_id:
                chained_body = c.body(_output(call_id), previous_response_id=rid, tools=[WEATHER], store=False,
                                      max_output_tokens=120)
                chained, lag2 = after_write(lambda: c.stream_both(chained_body), mode=c.target.mode)
                lag.attempts, lag.waited_s, lag.unresolved = (lag.attempts + lag2.attempts - 1,
                                                              lag.waited_s + lag2.waited_s, lag.unresolved or lag2.unresolved)
        except _NotStored as exc:
            unstored = str(exc)
        if not call_id:
            return Rounds(first, None, None, unknown, lag, unstored)
        call = {k: calls[0].get(k) for k in ("type", "call_id", "name", "arguments")}
        manual = c.body([USER, call, *_output(call_id)], tools=[WEATHER], store=False, max_output_tokens=120)
        manual_ex = c.create_both(manual)
        control = c.create_both(c.body(CONTROL_PROMPT, store=False, max_output_tokens=120))
        return Rounds(first, chained, manual_ex, unknown, lag, unstored, control)

    return shared("rounds", make)


def _check_call(item: dict, where: str) -> dict:
    """One function_call item on the wire (tools.function_calling.supported's claim): contract shape,
    call_id, name, strict JSON arguments; a location other than Paris is the model's choice (its limit)."""
    if not item.get("call_id"):  # the key an output answers: the round trip's as much as the call's
        fail_for((SUPPORTED, ROUNDTRIP), f"{where}: function_call has no call_id: {json.dumps(item)[:200]}")
    errors = contract.validate("OpenAI.FunctionToolCallItemResource", item)
    if errors:
        fail_for(SUPPORTED, f"{where}: function_call item off-contract: {errors[:3]}")
    if item.get("name") != "get_weather":
        fail_for(SUPPORTED, f"{where}: expected name 'get_weather' (the only declared function), saw {item.get('name')!r}")
    try:  # the arguments a caller parses to run the function and answer with its output
        args = parse_arguments(item.get("arguments"))
    except AssertionError as exc:
        fail_for((SUPPORTED, ROUNDTRIP), f"{where}: {exc}")
    errors = [e.message for e in jsonschema.Draft202012Validator(WEATHER["parameters"]).iter_errors(args)]
    if errors:
        fail_for(SUPPORTED, f"{where}: strict function arguments do not match the parameters schema: {errors[:3]} in {args}")
    if "paris" not in str(args.get("location", "")).lower():
        model_limit(f"{where}: the model asked for location {args.get('location')!r}, not Paris")
    return args


def _step(claims: tuple[str, ...], judge: Any, *args: Any) -> Any:
    """`judge(*args)` where its verdict is another behaviour's when the test does not claim it: a failure
    owned by a behaviour outside `claims` leaves this test blocked by that owner (one finding, one behaviour)."""
    try:
        return judge(*args)
    except OwnedFailure as exc:
        outside = [o for o in exc.owners if o not in claims]
        if outside and len(outside) == len(exc.owners):
            blocked(outside[0], exc.detail)
        raise


def _settled(rounds: Rounds, observe: Any, what: str, ex: Any) -> None:
    """Blocked when turn 1 was not kept (chaining.retrieve.by_id's finding); record the read-after-write
    lag the chained follow-ups met; inconclusive when it never cleared; blocked when the follow-up `ex`
    was still told turn 1 is not found (the reference target has no lag: turn 1 was not kept)."""
    if rounds.unstored:
        blocked(STORE_OWNER, f"{what}: not sent - {rounds.unstored}")
    if rounds.lag is None:
        return
    observe("chaining.read_after_write.lag", rounds.lag.record())
    if rounds.lag.unresolved:
        inconclusive(rounds.lag.reason(what))
    if ex is not None and is_lag_answer(ex):
        text = ex.text if hasattr(ex, "text") else ex.http.text  # a StreamExchange or an Exchange
        blocked(STORE_OWNER, f"{what}: turn 1 was not found: HTTP {ex.status}: {text[:200]}")


def _judge_first_call(rounds: Rounds) -> tuple[dict, Any]:
    data, typed_response = completed_response(rounds.first, "turn 1", SUPPORTED)
    found = items(data, "function_call")
    if not found:  # offered, not forced: the prompt asks for the function, the model may not call it
        tool_not_called(data, "turn 1")
    _check_call(found[0], "turn 1 (raw)")
    typed = typed_items(typed_response, "function_call")
    if not typed:
        fail_for(SUPPORTED, f"turn 1 SDK: no function_call item; output types {[o.type for o in typed_response.output]}")
    if not (typed[0].call_id == found[0]["call_id"] and typed[0].name == "get_weather"):
        fail_for(SUPPORTED, f"turn 1 SDK saw call_id={typed[0].call_id!r} name={typed[0].name!r}, "
                 f"the wire {found[0]['call_id']!r}")
    return found[0], typed_response


def _first_call(rounds: Rounds, *claims: str) -> tuple[dict, Any]:
    """The first turn's function_call, checked on the wire and in the SDK's typed reading of it; returns the
    raw call and the SDK's typed first-turn `Response` (both from the stream's terminal event). Its
    findings are tools.function_calling.supported's: a test that does not claim it is blocked by it."""
    return _step(claims, _judge_first_call, rounds)  # type: ignore[no-any-return]


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_tool_yields_function_call_item(rounds):
    """'The responses API supports function calling.' (ja: '応答 API では、関数呼び出しがサポートされています。')"""
    _call, first = _first_call(rounds, SUPPORTED)  # asked for in the prompt, not forced: the model chose it
    parse_arguments(typed_items(first, "function_call")[0].arguments)
    data, _typed = completed_response(rounds.first, "turn 1", SUPPORTED)
    echoed = [t.get("name") for t in data.get("tools") or []]
    assert echoed == ["get_weather"], f"response.tools should echo the declared function, saw {echoed}"
    assert [t.name for t in first.tools or []] == ["get_weather"], "SDK: Response.tools lost the declared function"


@pytest.mark.behaviour("tools.function_calling.supported")
def test_function_call_streams_argument_events(rounds):
    """'The responses API supports function calling.' - streamed, the arguments arrive as
    response.function_call_arguments.delta events that add up to the .done arguments and the item's.
    (Judged on the round trips' first turn: streamed, and not forced - the prompt asks for the function.)"""
    ex = rounds.first
    final, typed_response = completed_response(ex, "stream", SUPPORTED)
    fail_on(ex.parsed().findings + check_stream(ex.events), "stream", SUPPORTED)  # the grammar: ambient owners'
    calls = items(final, "function_call")
    if not calls:
        tool_not_called(final, "stream")
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
    _call, first = _first_call(rounds, ROUNDTRIP, SUPPORTED)
    _settled(rounds, observe, "turn 2", rounds.chained)
    first_id = first.id
    assert rounds.chained is not None, "turn 2: not sent (the first turn gave no function_call with a call_id to answer)"
    data, typed = completed_response(rounds.chained, "turn 2", ROUNDTRIP)  # the streamed follow-up's final object
    if data.get("previous_response_id") != first_id:
        fail_for(ROUNDTRIP, f"turn 2 echoes previous_response_id {data.get('previous_response_id')!r}, expected {first_id!r}")
    if typed.previous_response_id != first_id:
        fail_for(ROUNDTRIP, f"SDK: previous_response_id {typed.previous_response_id!r}, expected {first_id!r}")
    _used_output(data, typed.output_text, "turn 2", rounds)


def _without_output(answer: Any, where: str, rounds: Rounds | None) -> None:
    """The answer (its text `answer`) does not use the tool output (21 degrees). The model's limit (a small
    model may ignore it, or be cut before it says it) unless the control shows the model uses the same
    output given as user text: then the function_call_output did not reach it, a fail of the round trip."""
    control = rounds.control if rounds is not None else None
    ctext = output_text(control.json()) if control is not None and control.status == 200 else ""
    if "21" in ctext:
        fail_for(ROUNDTRIP, f"{where}: the answer does not use the function_call_output (21 degrees): {answer[:120]!r}; "
                 f"the same output as user text is used (control: {ctext[:80]!r})")
    model_limit(f"{where}: the model answered without the tool output (21 degrees): {answer[:200]!r}")


def _used_output(data: dict, typed_text: str, where: str, rounds: Rounds | None) -> None:
    """The answer uses the tool output (21 degrees), raw and SDK (`_without_output` when it does not)."""
    raw = output_text(data)
    if raw != typed_text:
        fail_for(ROUNDTRIP, f"{where} SDK: output_text {typed_text[:100]!r} differs from the wire's {raw[:100]!r}")
    if "21" not in raw:
        model_could_not(data, f"{where}: the answer does not use the tool output (21 degrees)")
        _without_output(raw, where, rounds)


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_as_manual_input(rounds):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - here without stored state: the call and its output as input."""
    _first_call(rounds, ROUNDTRIP)
    data = accepted(rounds.manual, "turn 2 (manual input)", ROUNDTRIP)
    second = rounds.manual.sdk
    assert second.status == data.get("status"), f"SDK: turn 2 status {second.status!r}, the wire {data.get('status')!r}"
    if items(data, "function_call"):  # the model's choice: the service accepted the output as input
        model_limit(f"turn 2 called the function again instead of using its output: {[o.get('type') for o in data['output']]}")
    _used_output(data, second.output_text, "turn 2 (manual input)", rounds)


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_streamed_answer(rounds, observe):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - the answer that uses the output, streamed."""
    _first_call(rounds, ROUNDTRIP)
    _settled(rounds, observe, "turn 2 (stream)", rounds.chained)
    ex = rounds.chained
    assert ex is not None, "turn 2 (stream): not sent, the first turn gave no call_id"
    final, _typed = completed_response(ex, "turn 2 (stream)", ROUNDTRIP)
    fail_on(ex.parsed().findings + check_stream(ex.events), "turn 2 (stream)", ROUNDTRIP)
    wire = "".join(e.get("delta", "") for e in ex.events if e.get("type") == "response.output_text.delta")
    text = "".join(e.delta for e in ex.sdk_events if e.type == "response.output_text.delta")
    if text != wire:
        fail_for(ROUNDTRIP, f"SDK stream: typed deltas {text[:100]!r} differ from the wire's {wire[:100]!r}")
    if "21" not in wire:
        model_could_not(final, "turn 2 (stream): the streamed answer does not use the tool output (21 degrees)")
        _without_output(wire, "turn 2 (stream)", rounds)


@pytest.mark.behaviour("tools.function_calling.output_roundtrip")
def test_function_output_for_unknown_call_rejected(rounds, observe):
    """'# To provide output to tools, add a response for each tool call to an array passed
    # to the next response as `input`' - an output must answer a call: one for a call_id no call in context
    carries is refused with 400, not silently accepted."""
    _step((ROUNDTRIP,), completed_response, rounds.first, "turn 1", SUPPORTED)  # a step: stored turn 1
    _settled(rounds, observe, "the output for an unknown call_id", rounds.unknown)
    ex = rounds.unknown
    if ex is None:
        blocked(SUPPORTED, "the output for an unknown call_id was not sent (turn 1 gave no response id)")
    if ex.status != 400:
        fail_for(ROUNDTRIP, f"an output for an unknown call_id: expected 400, saw HTTP {ex.status}: {ex.http.text[:200]}")
    refusal(ex.http, "an output for an unknown call_id", ROUNDTRIP)
    assert ex.error is not None and ex.error.status_code == 400, f"SDK: expected a 400 error, saw {ex.error!r}"


@pytest.mark.behaviour("tools.function_calling.supported")
def test_tool_choice_none_answers_without_call(client, observe):
    """'The responses API supports function calling.' - with tool_choice "none" the declared function is not
    called; the model answers in a message."""
    ex = client.create_both(client.body("Reply with the single word OK. Do not call get_weather.", tools=[WEATHER],
                                        tool_choice="none", store=False, max_output_tokens=16))
    data = accepted(ex, "tool_choice none", SUPPORTED)
    assert not items(data, "function_call"), f"tool_choice none still produced a function_call (raw): {[o.get('type') for o in data['output']]}"
    typed = ex.sdk
    kinds = [o.type for o in typed.output]
    assert "function_call" not in kinds, f"tool_choice none still produced a function_call: {kinds}"
    if not typed.output_text.strip():
        model_could_not(data, f"tool_choice none: no answer text ({kinds})")
    assert typed.output_text.strip(), f"no answer text with tool_choice none: {kinds}"
    observe("tools.function_calling.tool_choice_none_echo", typed.tool_choice)  # the echo: echoes_request's claim


@pytest.mark.behaviour("tools.function_calling.supported", "tools.function_calling.output_roundtrip")
def test_function_round_trip_on_reasoning_deployment(client, target):
    """'The responses API supports function calling.' - also on a reasoning deployment, where the
    function_call follows a reasoning item and the chained output still lets the model finish."""
    model = target.deployment_for("reasoning")
    common = {"model": model, "tools": [WEATHER], "reasoning": {"effort": "low"}, "max_output_tokens": 200}
    first = client.create_both({**common, "input": PROMPT, "tool_choice": FORCED})  # stored: turn 2 chains on it
    data = accepted(first, "turn 1", SUPPORTED)
    model_could_not(data, "reasoning turn 1")  # a reasoning model may spend max_output_tokens before the call
    calls = items(data, "function_call")
    if not calls:  # forced by name: constrained decoding makes the call the service's
        tool_not_called(data, "reasoning turn 1", forced=SUPPORTED)
    _check_call(calls[0], "reasoning turn 1")
    if not typed_items(first.sdk, "function_call"):
        fail_for(SUPPORTED, f"turn 1 SDK: no function_call in {[o.type for o in first.sdk.output]}")
    second = client.create_both({**common, "input": _output(calls[0]["call_id"]), "previous_response_id": data["id"],
                                 "store": False})
    if is_lag_answer(second):  # turn 1 not found (not kept, or read-after-write lag): not this test's finding
        blocked(STORE_OWNER, f"turn 2 on stored turn 1 {data['id']}: HTTP {second.status}: {second.http.text[:200]}")
    second_data = accepted(second, "turn 2", ROUNDTRIP)
    _used_output(second_data, second.sdk.output_text, "reasoning turn 2", None)  # no control on this deployment
