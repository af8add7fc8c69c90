"""Shared pieces of the MCP suite: the tool definition, item lookups and the live-reachability rule."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from respcheck.target import reaches_local_servers
from respcheck.verdicts import not_applicable

LABEL = "respcheck"
ADD_PROMPT = "Use the add tool to add 2 and 3."
"""Names the `add` tool of the local MCP server (add(a, b) -> a + b): the call's output must contain 5."""
LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")
MAX_OUT = 200


def require_reachable(target: Any, mcp_server: Any) -> None:
    """The service calls the MCP server itself: Azure from its own network, where our loopback is not ours;
    a target on this machine (or one declaring ``mcp=loopback``) reaches the local server
    (`respcheck.target.reaches_local_servers`). A target declaring ``mcp=false`` has no MCP tool."""
    host = urlsplit(mcp_server.url).hostname or ""
    if target.mode != "live":
        return
    if (target.capabilities or {}).get("mcp") is False:
        not_applicable(f"deployment {target.deployment} declares no MCP tool (--capability mcp=false)")
    if (host in LOOPBACK or host.startswith("127.")) and not reaches_local_servers(target):
        not_applicable(
            f"the local MCP server ({host}) is not reachable from {target.masked_endpoint()}; MCP behaviours need "
            "a public MCP server (or a target on this machine: --capability mcp=loopback)"
        )


def mcp_tool(mcp_server: Any, **fields: Any) -> dict[str, Any]:
    """An `mcp` tool pointing at the local MCP server (the recorder rewrites its URL to a stable one)."""
    return {"type": "mcp", "server_label": LABEL, "server_url": mcp_server.url, **fields}


def body(client: Any, prompt: str, tool: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return client.body(prompt, tools=[tool], max_output_tokens=MAX_OUT, **fields)


def items(obj: Any, kind: str) -> list[dict[str, Any]]:
    """Output items of `kind` from a raw JSON response (dict) or a typed SDK Response."""
    if isinstance(obj, dict):
        return [it for it in obj.get("output") or [] if isinstance(it, dict) and it.get("type") == kind]
    return [it.model_dump() for it in obj.output or [] if getattr(it, "type", None) == kind]


def kinds(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [it.get("type") for it in obj.get("output") or [] if isinstance(it, dict)]
    return [getattr(it, "type", None) for it in obj.output or []]


def args_of(item: dict[str, Any]) -> dict[str, Any]:
    """`arguments` is a JSON string on the wire (docs sample: {} for no arguments)."""
    raw = item.get("arguments")
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        raise AssertionError(f"arguments is not JSON: {raw!r}") from None
    assert isinstance(value, dict), f"arguments is not a JSON object: {raw!r}"
    return value


def calls_since(mcp_server: Any, before: int, tool: str | None = None) -> list[Any]:
    """Tool calls the MCP server received since `before` (only meaningful when `mcp_server.observable`)."""
    calls = list(mcp_server.calls)[before:]
    return [c for c in calls if tool is None or c.tool == tool]


def ok(raw: Any) -> dict[str, Any]:
    assert raw.status_code == 200, f"expected HTTP 200, got {raw.status_code}: {raw.text[:300]}"
    return raw.json()
