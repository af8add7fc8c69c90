"""The local MCP server and the reference server's MCP client, over real streamable HTTP on loopback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from respcheck.mcp_server import start_in_thread
from respcheck.server import mcp_client


@pytest.fixture(scope="module")
def mcp():
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _clear(mcp):
    mcp.clear()


def test_list_tools(mcp):
    tools = {t["name"]: t for t in mcp_client.list_tools(mcp.url, {})}
    assert set(tools) == {"add", "echo", "whoami", "fail"}
    assert tools["add"]["input_schema"]["required"] == ["a", "b"]
    assert tools["add"]["description"]
    assert mcp.calls == []  # listing is not a call
    assert "tools/list" in [r.method for r in mcp.requests]


def test_add_and_echo_are_deterministic(mcp):
    assert mcp_client.call_tool(mcp.url, {}, "add", {"a": 2, "b": 40}) == "42"
    assert mcp_client.call_tool(mcp.url, None, "echo", {"text": "héllo"}) == "héllo"
    assert [(c.tool, c.args) for c in mcp.calls] == [("add", {"a": 2, "b": 40}), ("echo", {"text": "héllo"})]


def test_headers_reach_the_server(mcp):
    headers = {"Authorization": "Bearer test-secret-token", "X-Api-Key": "k-123"}
    seen = json.loads(mcp_client.call_tool(mcp.url, headers, "whoami"))
    assert seen["authorization"] == "Bearer test-secret-token"
    assert seen["x-api-key"] == "k-123"
    assert mcp.calls[-1].headers["authorization"] == "Bearer test-secret-token"
    mcp_client.list_tools(mcp.url, headers)
    assert all(r.headers.get("authorization") == "Bearer test-secret-token" for r in mcp.requests)


def test_no_call_is_logged_when_none_is_made(mcp):
    mcp_client.list_tools(mcp.url, {})
    assert mcp.calls == []


def test_tool_error(mcp):
    with pytest.raises(mcp_client.MCPToolError, match="boom"):
        mcp_client.call_tool(mcp.url, {}, "fail", {"message": "boom"})
    with pytest.raises(mcp_client.MCPToolError, match="Unknown tool"):
        mcp_client.call_tool(mcp.url, {}, "nope", {})


def test_unreachable_server_clear_message_without_secrets():
    with pytest.raises(mcp_client.MCPClientError) as info:
        mcp_client.list_tools("http://user:pw@127.0.0.1:9/mcp", {"Authorization": "Bearer sekrit"}, timeout=5)
    msg = str(info.value)
    assert msg.startswith("MCP tools/list failed for server http://127.0.0.1:9/mcp:")
    assert "sekrit" not in msg and "pw" not in msg
    with pytest.raises(mcp_client.MCPClientError, match="http"):
        mcp_client.call_tool("file:///x", {}, "add", {"a": 1, "b": 1})


def test_callable_from_inside_a_running_loop(mcp):
    import asyncio

    async def inside():
        return mcp_client.call_tool(mcp.url, {}, "add", {"a": 1, "b": 1})

    assert asyncio.run(inside()) == "2"


def test_module_cli_starts_and_announces_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "respcheck.mcp_server", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("respcheck MCP server at http://127.0.0.1:")
        url = line.rsplit(" ", 1)[-1]
        assert mcp_client.call_tool(url, {}, "add", {"a": 3, "b": 4}) == "7"
    finally:
        proc.terminate()
        proc.wait(5)
