"""The MCP approval flow: require_approval default/always/never, mcp_approval_request, mcp_approval_response."""

from __future__ import annotations

import pytest
from _mcp_support import (
    ADD_PROMPT,
    LABEL,
    args_of,
    body,
    calls_since,
    items,
    kinds,
    mcp_tool,
    ok,
    require_reachable,
)

from respcheck.findings import render
from respcheck.validators import check_output_item, check_response


def _one_request(resp: dict, where: str) -> dict:
    reqs = items(resp, "mcp_approval_request")
    assert len(reqs) == 1, f"{where}: expected one mcp_approval_request, saw output types {kinds(resp)}"
    return reqs[0]


def _check_request_item(req: dict, where: str) -> None:
    findings = check_output_item(req, "$.output[mcp_approval_request]")
    assert not findings, render(findings)
    for key in ("id", "type", "arguments", "name", "server_label"):
        assert key in req, f"{where}: mcp_approval_request has no {key!r}: {sorted(req)}"
    assert str(req["id"]).startswith("mcpr_"), f"{where}: approval request id {req['id']!r} should start with mcpr_"
    assert req["server_label"] == LABEL, f"{where}: server_label {req['server_label']!r}"
    assert req["name"] == "add", f"{where}: name {req['name']!r}, expected 'add'"
    assert args_of(req) == {"a": 2, "b": 3}, f"{where}: arguments {req['arguments']!r}"


@pytest.mark.behaviour("mcp.approval.default_required", "mcp.approval.request_item")
def test_mcp_approval_required_by_default(client, target, mcp_server):
    """'By default, the Responses API requires explicit approval before any data is shared with a remote MCP
    server.' 'When an approval is required, the model returns a mcp_approval_request item in the response
    output.'"""
    require_reachable(target, mcp_server)
    req = body(client, ADD_PROMPT, mcp_tool(mcp_server))  # no require_approval: the default applies
    before = len(mcp_server.calls)

    resp = ok(client.http_post("responses", req))
    findings = check_response(resp)
    assert not findings, render(findings)
    assert not items(resp, "mcp_call"), f"the MCP tool was called without approval: output {kinds(resp)}"
    _check_request_item(_one_request(resp, "HTTP"), "HTTP")
    if mcp_server.observable:
        made = calls_since(mcp_server, before)
        assert not made, f"the MCP server received tool calls before any approval: {[(c.tool, c.args) for c in made]}"

    typed = client.create(req)
    assert not [it for it in typed.output if it.type == "mcp_call"], "SDK: an mcp_call happened without approval"
    _check_request_item(_one_request(typed.model_dump(), "SDK"), "SDK")


@pytest.mark.behaviour("mcp.approval.request_item", "mcp.approval.default_required")
def test_mcp_require_approval_always_asks(client, target, mcp_server):
    """'When an approval is required, the model returns a mcp_approval_request item in the response output.
    This object contains the details of the pending request'"""
    require_reachable(target, mcp_server)
    req = body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="always"))
    resp = ok(client.http_post("responses", req))
    assert not items(resp, "mcp_call"), f"require_approval always, yet the tool was called: {kinds(resp)}"
    _check_request_item(_one_request(resp, "HTTP"), "HTTP")

    events = client.sdk_stream(req)  # streamed: the request item arrives in output_item.done, no call events
    types = [e.type for e in events]
    assert "response.mcp_call.completed" not in types, f"SDK stream: the tool was called without approval: {types}"
    done = [e.item for e in events if e.type == "response.output_item.done" and e.item.type == "mcp_approval_request"]
    assert done, f"SDK stream: no mcp_approval_request item: {types}"
    _check_request_item(done[0].model_dump(), "SDK stream")


@pytest.mark.behaviour("mcp.approval.response_item")
def test_mcp_approval_response_approve_calls_tool(client, target, mcp_server):
    """'To proceed with the remote MCP call, you must respond to the approval request by creating a new
    response object that includes an mcp_approval_response item.'"""
    require_reachable(target, mcp_server)
    tool = mcp_tool(mcp_server, require_approval="always")
    first = ok(client.http_post("responses", body(client, ADD_PROMPT, tool)))
    request = _one_request(first, "turn 1")
    before = len(mcp_server.calls)

    approve = [{"type": "mcp_approval_response", "approve": True, "approval_request_id": request["id"]}]
    typed = client.create(body(client, approve, tool, previous_response_id=first["id"]))
    assert typed.status == "completed", f"SDK saw status {typed.status!r}"
    calls = [it for it in typed.output if it.type == "mcp_call"]
    assert len(calls) == 1, f"approved, but no single mcp_call followed: {[it.type for it in typed.output]}"
    call = calls[0]
    assert call.name == "add" and call.server_label == LABEL, f"mcp_call {call.name!r} on {call.server_label!r}"
    assert getattr(call, "approval_request_id", request["id"]) == request["id"], (
        f"mcp_call.approval_request_id {call.approval_request_id!r}, expected {request['id']!r}"
    )
    assert "5" in str(call.output or ""), f"mcp_call.output should be add(2, 3) = 5, saw {call.output!r}"
    if mcp_server.observable:
        made = calls_since(mcp_server, before, "add")
        assert made, "approved, but the MCP server received no add call"


@pytest.mark.behaviour("mcp.approval.response_item")
def test_mcp_approval_response_deny_does_not_call(client, target, mcp_server):
    """'This object confirms your intent to allow the model to send the specified data to the remote MCP
    server.' - approve: false gives no such confirmation, so no call is made."""
    require_reachable(target, mcp_server)
    tool = mcp_tool(mcp_server, require_approval="always")
    first = ok(client.http_post("responses", body(client, ADD_PROMPT, tool)))
    request = _one_request(first, "turn 1")
    before = len(mcp_server.calls)

    deny = [{"type": "mcp_approval_response", "approve": False, "approval_request_id": request["id"]}]
    follow_up = body(client, deny, tool, previous_response_id=first["id"])
    resp = ok(client.http_post("responses", follow_up))
    assert not items(resp, "mcp_call"), f"denied, yet an mcp_call was made: {items(resp, 'mcp_call')}"
    typed = client.create(follow_up)  # the same branch again, through the SDK
    assert not [it for it in typed.output if it.type == "mcp_call"], "SDK: denied, yet an mcp_call was made"
    if mcp_server.observable:
        made = calls_since(mcp_server, before)
        assert not made, f"denied, yet the MCP server received {[(c.tool, c.args) for c in made]}"


@pytest.mark.behaviour("mcp.require_approval.never")
def test_mcp_require_approval_never_calls_directly(client, target, mcp_server):
    """'"require_approval": "never"' (the docs' example calls the remote server without an approval step)."""
    require_reachable(target, mcp_server)
    req = body(client, ADD_PROMPT, mcp_tool(mcp_server, require_approval="never"))

    typed = client.create(req)
    types = [it.type for it in typed.output]
    assert "mcp_approval_request" not in types, f"require_approval never still asked for approval: {types}"
    assert "mcp_call" in types, f"require_approval never: no mcp_call in {types}"

    resp = ok(client.http_post("responses", req))
    assert not items(resp, "mcp_approval_request"), f"HTTP: approval requested despite never: {kinds(resp)}"
    assert items(resp, "mcp_call"), f"HTTP: no mcp_call: {kinds(resp)}"
