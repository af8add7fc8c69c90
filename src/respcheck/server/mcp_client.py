"""Synchronous MCP client calls for the reference server: list a remote server's tools, call one.

Built on the `mcp` SDK's streamable-HTTP client. The configured `headers` of an MCP tool (Authorization,
API keys) are sent on every request, as the docs describe; they never appear in an exception message, so
the core can put the message into an `mcp_call`/`mcp_list_tools` error without leaking a secret.
Each function runs its own event loop (in a helper thread if the caller already runs one), so the core can
call it from a request handler's worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")
DEFAULT_TIMEOUT_S = 15.0


class MCPClientError(Exception):
    """The MCP server could not be reached or did not answer as MCP (message safe to show: no headers)."""


class MCPToolError(MCPClientError):
    """The server ran the tool and reported an error (`isError` result); the message is the tool's text."""


def _safe_url(url: str) -> str:
    """The URL without userinfo (a password in a URL must not reach an error message)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _root_cause(exc: BaseException) -> BaseException:
    """The first leaf of nested exception groups (anyio task groups wrap transport errors)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _run(factory: Callable[[], Awaitable[T]], timeout: float) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(factory(), timeout)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(bounded())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, bounded()).result()


async def _with_client(server_url: str, headers: Mapping[str, str] | None, timeout: float, body):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(headers=dict(headers or {}))
    async with http, Client(streamable_http_client(server_url, http_client=http), read_timeout_seconds=timeout) as c:
        return await body(c)


def _call(server_url: str, headers: Mapping[str, str] | None, timeout: float, what: str, body) -> Any:
    if not isinstance(server_url, str) or not server_url.startswith(("http://", "https://")):
        raise MCPClientError(f"MCP server_url must be an http(s) URL, got {server_url!r}")
    try:
        return _run(lambda: _with_client(server_url, headers, timeout, body), timeout)
    except MCPToolError:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure becomes one clear message
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        cause = _root_cause(exc)
        if isinstance(cause, MCPToolError):
            raise cause from None
        if isinstance(cause, TimeoutError | asyncio.TimeoutError):
            reason = f"no answer within {timeout:g} s"
        else:
            reason = f"{type(cause).__name__}: {cause}".rstrip(": ")
        raise MCPClientError(f"MCP {what} failed for server {_safe_url(server_url)}: {reason}") from None


def list_tools(
    server_url: str, headers: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT_S
) -> list[dict[str, Any]]:
    """The server's tools as `{"name", "description", "input_schema"}` dicts (the shape of `mcp_list_tools`)."""

    async def body(client: Any) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor = None
        for _ in range(100):  # pagination guard
            page = await client.list_tools(cursor=cursor) if cursor else await client.list_tools()
            tools.extend(
                {"name": t.name, "description": t.description or "", "input_schema": dict(t.input_schema or {})}
                for t in page.tools
            )
            cursor = getattr(page, "next_cursor", None)
            if not cursor:
                break
        return tools

    return _call(server_url, headers, timeout, "tools/list", body)


def call_tool(
    server_url: str,
    headers: Mapping[str, str] | None,
    name: str,
    arguments: Mapping[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> str:
    """Call tool `name`; return its text output (text parts joined). A tool error raises `MCPToolError`."""

    async def body(client: Any) -> str:
        result = await client.call_tool(name, dict(arguments or {}))
        text = "\n".join(getattr(part, "text", "") for part in result.content if getattr(part, "type", "") == "text")
        if result.is_error:
            raise MCPToolError(text or f"tool {name} failed")
        return text

    return _call(server_url, headers, timeout, f"tools/call {name}", body)
