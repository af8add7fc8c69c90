"""MCP: `allowed_tools` limits what is imported and called, and approval request ids are unique (issue 14).

Against the local MCP server (tools add, echo, whoami, fail). Not stored; each request is seen raw and
through the SDK. Live, the local server is unreachable from Azure: not-applicable there.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from _mcp_support import ADD_PROMPT, body, called, imported, items, mcp_tool, require_reachable

from respcheck.expect import accepted


@pytest.fixture(scope="module")
def asks(shared, target, mcp_server):
    """ADD_PROMPT with require_approval always, twice (one cassette: ids compared within it)."""
    require_reachable(target, mcp_server)
    tool = mcp_tool(mcp_server, require_approval="always")
    return shared("asks", lambda c: SimpleNamespace(
        first=c.create_both(body(c, ADD_PROMPT, tool, store=False)),
        second=c.create_both(body(c, ADD_PROMPT, tool, store=False))))


@pytest.mark.behaviour("mcp.allowed_tools.filter")
def test_allowed_tools_limits_import_and_calls(client, target, mcp_server, observe):
    """'description: List of allowed tool names or a filter object.'

    With allowed_tools ["echo"] and a prompt asking for the add tool (require_approval never): the
    mcp_list_tools item lists only echo, and add is neither called nor put up for approval (nor reached on
    the MCP server, when it can be observed). No import at all is mcp.list_tools.imported's finding, and
    blocks this claim."""
    require_reachable(target, mcp_server)
    before = len(mcp_server.calls) if mcp_server.observable else 0
    tool = mcp_tool(mcp_server, require_approval="never", allowed_tools=["echo"])
    ex = client.create_both(body(client, ADD_PROMPT, tool, store=False))
    where = "POST /responses (allowed_tools ['echo'])"
    data = accepted(ex, where, "mcp.allowed_tools.filter")
    listed = items(data, "mcp_list_tools")
    names = sorted(t.get("name") for it in listed for t in it.get("tools") or [])
    observe("mcp.allowed_tools.listed", names)
    imported(data, where)  # no import at all is mcp.list_tools.imported's finding: the filter is not judged
    assert names == ["echo"], f"allowed_tools ['echo'] but the import lists {names}"
    used = [it.get("name") for kind in ("mcp_call", "mcp_approval_request") for it in items(data, kind)]
    assert "add" not in used, f"the disallowed tool add was used: {used}"
    if mcp_server.observable:
        reached = [c.tool for c in mcp_server.calls[before:]]
        assert "add" not in reached, f"the MCP server was called with disallowed tools: {reached}"
    sdk_names = sorted(t.name for it in ex.sdk.output if it.type == "mcp_list_tools" for t in it.tools)
    assert sdk_names == ["echo"], f"SDK: mcp_list_tools lists {sdk_names}"


@pytest.mark.behaviour("mcp.approval.ids_unique")
def test_approval_request_ids_are_unique(asks, observe):
    """'description: The ID of the approval request being answered.'

    Two responses asking for approval of the same call each carry an mcp_approval_request with an id, and
    the ids differ: an mcp_approval_response's approval_request_id names exactly one request. No imported
    tools blocks the claim (mcp.list_tools.imported); a model that asked to call nothing is a model limit."""
    ids = []
    for name in ("first", "second"):
        where = f"{name} POST /responses (require_approval always)"
        data = accepted(getattr(asks, name), where, "mcp.approval.ids_unique")
        imported(data, where)
        reqs = called(data, "mcp_approval_request", where, "mcp.approval.ids_unique")
        ids += [r.get("id") for r in reqs]
    observe("mcp.approval.ids", {"requests": len(ids), "distinct": len(set(ids))})
    assert all(isinstance(i, str) and i for i in ids), f"an approval request without id: {ids}"
    assert len(set(ids)) == len(ids), f"approval request ids repeat: {ids}"
