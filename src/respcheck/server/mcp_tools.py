"""The reference server's side of remote MCP tools: list, approve, call.

It talks to a real MCP server through `respcheck.server.mcp_client` (the `mcp` SDK, streamable HTTP),
forwarding the tool's custom `headers`. The functions there may be sync or async; we accept both so the
engine can stay synchronous (it runs in a worker thread).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

from respcheck.server.errors import ApiError


def _run(value: Any) -> Any:
    if inspect.isawaitable(value):
        async def _await() -> Any:
            return await value

        return asyncio.run(_await())
    return value


def _client():
    from respcheck.server import mcp_client  # lazy: the mcp SDK is heavy

    return mcp_client


def _tool_dict(tool: Any) -> dict[str, Any]:
    if isinstance(tool, dict):
        d = dict(tool)
    elif hasattr(tool, "model_dump"):
        d = tool.model_dump(by_alias=True, exclude_none=True)
    else:
        d = {"name": getattr(tool, "name", str(tool)), "description": getattr(tool, "description", None)}
    schema = d.pop("inputSchema", None) or d.get("input_schema") or {"type": "object", "properties": {}}
    return {
        "name": d.get("name"),
        "description": d.get("description"),
        "input_schema": schema,
        "annotations": d.get("annotations"),
    }


def list_tools(server_url: str, headers: dict[str, str] | None) -> list[dict[str, Any]]:
    try:
        tools = _run(_client().list_tools(server_url, headers or {}))
    except ApiError:
        raise
    except Exception as exc:  # noqa: BLE001 - any transport failure is the documented 424
        raise ApiError(
            424,
            f"Error retrieving tool list from MCP server. ({type(exc).__name__})",
            code="http_error",
            type="external_connector_error",
            param="tools",
        ) from exc
    return [_tool_dict(t) for t in tools]


def call_tool(server_url: str, headers: dict[str, str] | None, name: str, arguments: dict[str, Any]) -> tuple[str | None, Any]:
    """(output text, error) of one call; errors become the item's `error`, as the service reports them."""
    try:
        result = _run(_client().call_tool(server_url, headers or {}, name, arguments))
    except Exception as exc:  # noqa: BLE001
        return None, {"type": "mcp_protocol_error", "code": 500, "message": f"{type(exc).__name__}: {exc}"}
    if isinstance(result, str):
        return result, None
    if isinstance(result, dict):
        if result.get("isError") or result.get("is_error"):
            return None, {"type": "mcp_tool_error", "message": json.dumps(result.get("content"))}
        return json.dumps(result), None
    content = getattr(result, "content", None)
    if content is not None:
        texts = [getattr(c, "text", None) or (c.get("text") if isinstance(c, dict) else None) for c in content]
        text = "\n".join(t for t in texts if t)
        if getattr(result, "isError", False):
            return None, {"type": "mcp_tool_error", "message": text}
        return text, None
    return str(result), None


def needs_approval(tool: dict[str, Any], name: str) -> bool:
    """require_approval: absent/"always" -> yes, "never" -> no, or per-tool {"never": {"tool_names": [...]}}."""
    policy = tool.get("require_approval", "always")
    if policy is None or policy == "always":
        return True
    if policy == "never":
        return False
    if isinstance(policy, dict):
        never = (policy.get("never") or {}).get("tool_names") or []
        always = (policy.get("always") or {}).get("tool_names") or []
        if name in always:
            return True
        return name not in never
    return True
