"""The MCP approval flow: require_approval default/always/never, mcp_approval_request, mcp_approval_response.

Every request is seen through both channels at once (`create_both` / `stream_both`). The approve and deny
tests answer the same approval request: the `asked` exchange asks once (require_approval always; stored, the
answers chain on it) and sends both answers, deny first, noting what the MCP server received after each.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from _mcp_support import (
    ADD_PROMPT,
    LABEL,
    args_of,
    body,
    called,
    calls_since,
    imported,
    items,
    kinds,
    mcp_tool,
    require_reachable,
    stream_accepted,
)

from respcheck.expect import accepted, fail_for, fail_on, prerequisite
from respcheck.validators import check_output_item
from respcheck.verdicts import blocked, model_limit

DEFAULT, REQUEST, RESPONSE = "mcp.approval.default_required", "mcp.approval.request_item", "mcp.approval.response_item"


class Asked(NamedTuple):
    """The turn that asks for approval and the two answers to it (None when it asked for nothing), with the
    MCP server's calls during each answer (None when the server is not observable)."""

    first: Any
    deny: Any = None
    deny_calls: list[Any] | None = None
    approve: Any = None
    approve_calls: list[Any] | None = None


def _answer(c, mcp_server, tool: dict, rid: str, request_id: str, approve: bool) -> tuple[Any, list[Any] | None]:
    before = len(mcp_server.calls)
    reply = [{"type": "mcp_approval_response", "approve": approve, "approval_request_id": request_id}]
    ex = c.create_both(body(c, reply, tool, previous_response_id=rid, store=False))
    return ex, (calls_since(mcp_server, before) if mcp_server.observable else None)


@pytest.fixture(scope="module")
def asked(shared, target, mcp_server):
    """ADD_PROMPT with require_approval always (stored: the answers chain on it), then, in the same cassette,
    an mcp_approval_response denying its request and one approving it (neither stored)."""
    require_reachable(target, mcp_server)
    tool = mcp_tool(mcp_server, require_approval="always")

    def make(c) -> Asked:
        first = c.create_both(body(c, ADD_PROMPT, tool))
        data = first.json() if first.status == 200 else None
        reqs = items(data, "mcp_approval_request") if isinstance(data, dict) else []
        if not reqs or not data.get("id") or not reqs[0].get("id"):
            return Asked(first)
        deny, deny_calls = _answer(c, mcp_server, tool, data["id"], reqs[0]["id"], approve=False)
        approve, approve_calls = _answer(c, mcp_server, tool, data["id"], reqs[0]["id"], approve=True)
        return Asked(first, deny, deny_calls, approve, approve_calls)

    return shared("asked", make)


def _approval_request(resp: dict, where: str, *claims: str) -> dict:
    """The one mcp_approval_request of an answer whose tool needs approval: an mcp_call instead fails `claims`
    (the tool was called unapproved); no imported tools blocks them (mcp.list_tools.imported); no request
    because the model called no tool is a model limit. The item's fields are judged by `_check_request_item`."""
    made = items(resp, "mcp_call")
    if made:
        fail_for(claims, f"{where}: approval required, yet the output holds an mcp_call of {made[0].get('name')!r} "
                         f"(types {kinds(resp)})")
    imported(resp, where)
    reqs = called(resp, "mcp_approval_request", where, *claims)
    assert len(reqs) == 1, f"{where}: expected one mcp_approval_request, saw output types {kinds(resp)}"
    return reqs[0]


def _check_request_item(req: dict, where: str) -> None:
    """The request item's protocol fields (id, label, the named tool's arguments as a JSON object); which tool
    and which arguments the model chose is the model's: not add(2, 3) is a model limit."""
    fail_on(check_output_item(req, "$.output[mcp_approval_request]"), f"{where}: mcp_approval_request", REQUEST)
    for key in ("id", "type", "arguments", "name", "server_label"):
        assert key in req, f"{where}: mcp_approval_request has no {key!r}: {sorted(req)}"
    assert str(req["id"]).startswith("mcpr_"), f"{where}: approval request id {req['id']!r} should start with mcpr_"
    assert req["server_label"] == LABEL, f"{where}: server_label {req['server_label']!r}"
    args = args_of(req)
    if req["name"] != "add" or args != {"a": 2, "b": 3}:
        model_limit(f"{where}: the model asked to call {req['name']!r} with {req['arguments']!r:.80}, not add(2, 3)")


def _asked_request(asked: Asked, *claims: str) -> dict:
    """The approval request of the `asked` turn, checked on the wire. `claims` empty: the turn is only a step
    (a refusal blocks the claim on mcp.approval.request_item, whose own test judges it)."""
    where = "turn 1 (require_approval always)"
    if claims:
        request = _approval_request(accepted(asked.first, where, *claims), where, *claims)
        _check_request_item(request, where)
        return request
    resp = prerequisite(asked.first, where, by=REQUEST)
    try:  # a broken request item is mcp.approval.request_item's failure; here it only blocks the answer's claim
        request = _approval_request(resp, where, REQUEST)
        _check_request_item(request, where)
    except AssertionError as exc:
        blocked(REQUEST, str(getattr(exc, "detail", exc)))
    return request


@pytest.mark.behaviour(DEFAULT, REQUEST)
def test_mcp_approval_required_by_default(client, target, mcp_server):
    """'By default, the Responses API requires explicit approval before any data is shared with a remote MCP
    server.' 'When an approval is required, the model returns a mcp_approval_request item in the response
    output.'

    Without require_approval, the model's add call becomes an mcp_approval_request and no mcp_call (raw and
    SDK), and the MCP server receives no tool call. No imported tools: blocked; no call from the model: a
    model limit."""
    require_reachable(target, mcp_server)
    req = body(client, ADD_PROMPT, mcp_tool(mcp_server), store=False)  # no require_approval: the default applies
    before = len(mcp_server.calls)

    ex = client.create_both(req)
    where = "POST /responses (mcp tool, default approval)"
    resp = accepted(ex, where, DEFAULT, REQUEST)
    if items(resp, "mcp_call"):
        fail_for(DEFAULT, f"{where}: the MCP tool was called without approval: output {kinds(resp)}")
    if mcp_server.observable:
        made = calls_since(mcp_server, before)
        if made:
            fail_for(DEFAULT, f"{where}: the MCP server received tool calls before any approval: "
                              f"{[(c.tool, c.args) for c in made]}")
    _check_request_item(_approval_request(resp, where, DEFAULT, REQUEST), f"{where}: HTTP")

    typed = ex.sdk
    assert not [it for it in typed.output if it.type == "mcp_call"], "SDK: an mcp_call happened without approval"
    reqs = items(typed, "mcp_approval_request")
    assert len(reqs) == 1, f"SDK: expected one mcp_approval_request, saw {kinds(typed)}"
    _check_request_item(reqs[0], f"{where}: SDK")


@pytest.mark.behaviour(REQUEST, DEFAULT)
def test_mcp_require_approval_always_asks(client, target, mcp_server, asked):
    """'When an approval is required, the model returns a mcp_approval_request item in the response output.
    This object contains the details of the pending request'

    require_approval always: the model's add call becomes an mcp_approval_request, no mcp_call (raw and SDK,
    plain and streamed: the request item arrives in output_item.done, no mcp_call events)."""
    _asked_request(asked, REQUEST, DEFAULT)
    typed = asked.first.sdk
    assert not [it for it in typed.output if it.type == "mcp_call"], "SDK: require_approval always, yet an mcp_call was made"
    reqs = items(typed, "mcp_approval_request")
    assert len(reqs) == 1, f"SDK: expected one mcp_approval_request, saw {kinds(typed)}"
    _check_request_item(reqs[0], "SDK")

    # streamed: the request item arrives in output_item.done, no call events
    stream = client.stream_both(body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="always"), store=False))
    where = "streamed POST /responses (require_approval always)"
    stream_accepted(stream, where, REQUEST)
    wire_types = [e.get("type") for e in stream.events]
    assert "response.mcp_call.completed" not in wire_types, f"HTTP stream: the tool was called without approval: {wire_types}"
    done = {"output": [e.get("item") or {} for e in stream.events if e.get("type") == "response.output_item.done"]}
    wire_request = _approval_request(done, where, REQUEST)
    _check_request_item(wire_request, "HTTP stream")
    events = stream.sdk_events
    types = [e.type for e in events]
    assert "response.mcp_call.completed" not in types, f"SDK stream: the tool was called without approval: {types}"
    typed_done = [e.item for e in events if e.type == "response.output_item.done" and e.item.type == "mcp_approval_request"]
    assert typed_done, f"SDK stream: no mcp_approval_request item: {types}"
    _check_request_item(typed_done[0].model_dump(), "SDK stream")


@pytest.mark.behaviour("mcp.approval.response_item")
def test_mcp_approval_response_approve_calls_tool(asked):
    """'To proceed with the remote MCP call, you must respond to the approval request by creating a new
    response object that includes an mcp_approval_response item.'"""
    request = _asked_request(asked)
    assert asked.approve is not None, "the approval was not sent"
    resp = accepted(asked.approve, "mcp_approval_response (approve)", RESPONSE)
    wire_calls = items(resp, "mcp_call")  # the service runs the approved call: no choice of the model's
    assert len(wire_calls) == 1 and "5" in str(wire_calls[0].get("output") or ""), (
        f"HTTP: approved, but no single mcp_call with add(2, 3) = 5 followed: {kinds(resp)}")
    typed = asked.approve.sdk
    calls = [it for it in typed.output if it.type == "mcp_call"]
    assert len(calls) == 1, f"approved, but no single mcp_call followed: {[it.type for it in typed.output]}"
    call = calls[0]
    assert call.name == "add" and call.server_label == LABEL, f"mcp_call {call.name!r} on {call.server_label!r}"
    assert getattr(call, "approval_request_id", request["id"]) == request["id"], (
        f"mcp_call.approval_request_id {call.approval_request_id!r}, expected {request['id']!r}"
    )
    assert "5" in str(call.output or ""), f"mcp_call.output should be add(2, 3) = 5, saw {call.output!r}"
    if asked.approve_calls is not None:
        made = [c for c in asked.approve_calls if c.tool == "add"]
        assert made, "approved, but the MCP server received no add call"


@pytest.mark.behaviour("mcp.approval.response_item")
def test_mcp_approval_response_deny_does_not_call(asked):
    """'This object confirms your intent to allow the model to send the specified data to the remote MCP
    server.' - approve: false gives no such confirmation, so no call is made."""
    _asked_request(asked)
    assert asked.deny is not None, "the denial was not sent"
    resp = accepted(asked.deny, "mcp_approval_response (deny)", RESPONSE)
    assert not items(resp, "mcp_call"), f"denied, yet an mcp_call was made: {items(resp, 'mcp_call')}"
    typed = asked.deny.sdk  # the same answer, through the SDK
    assert not [it for it in typed.output if it.type == "mcp_call"], "SDK: denied, yet an mcp_call was made"
    if asked.deny_calls is not None:
        made = asked.deny_calls
        assert not made, f"denied, yet the MCP server received {[(c.tool, c.args) for c in made]}"


@pytest.mark.behaviour("mcp.require_approval.never")
def test_mcp_require_approval_never_calls_directly(client, target, mcp_server):
    """'"require_approval": "never"' (the docs' example calls the remote server without an approval step).

    With require_approval never the model's call is made at once: an mcp_call, no mcp_approval_request (raw
    and SDK). No imported tools: blocked; no call from the model: a model limit."""
    require_reachable(target, mcp_server)
    ex = client.create_both(body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="never"), store=False))
    where = "POST /responses (require_approval never)"
    resp = accepted(ex, where, "mcp.require_approval.never")
    assert not items(resp, "mcp_approval_request"), f"{where}: approval requested despite never: {kinds(resp)}"
    imported(resp, where)
    called(resp, "mcp_call", where, "mcp.require_approval.never")

    types = [it.type for it in ex.sdk.output]
    assert "mcp_approval_request" not in types, f"SDK: require_approval never still asked for approval: {types}"
    assert "mcp_call" in types, f"SDK: require_approval never: no mcp_call in {types}"
