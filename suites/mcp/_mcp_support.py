"""Shared pieces of the MCP suite: the tool definition, item lookups, the live-reachability rule, and whose
finding a missing step is (issue 13): no imported tool list blocks a claim on mcp.list_tools.imported, a model
that answered without calling the tool is a model limit."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from respcheck.expect import accepted, fail_for
from respcheck.target import reaches_local_servers
from respcheck.verdicts import blocked, limit_of_model, model_limit, not_applicable

LABEL = "respcheck"
ADD_PROMPT = "Use the add tool to add 2 and 3."
"""Names the `add` tool of the local MCP server (add(a, b) -> a + b): the call's output must contain 5."""
LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")
MAX_OUT = 200
LIST_TOOLS = "mcp.list_tools.imported"
"""The behaviour that owns the import step (the mcp_list_tools item) every other MCP claim needs."""


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


def imported(resp: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The response's mcp_list_tools items; none: the claim is blocked by mcp.list_tools.imported. The service
    imports the tool list before the model runs, so its absence is that behaviour's own failure (its test
    fails on it), not this claim's, and not a model limit."""
    listed = items(resp, "mcp_list_tools")
    if not listed:
        blocked(LIST_TOOLS, f"{where}: no mcp_list_tools item in the output (types {kinds(resp)}), so no MCP tool "
                            "was imported for the model to use")
    return listed


def called(resp: dict[str, Any], kind: str, where: str, *claims: str, name: str | None = None) -> list[dict[str, Any]]:
    """The response's `kind` items (mcp_call, mcp_approval_request; of tool `name` when given), which exist only
    when the model chose to call a tool. None: a failed response (status failed or an error) is the service's
    refusal and fails `claims`; otherwise the model answered without calling the offered tool, a model limit
    (a small or random model need not call it), never this protocol claim's failure."""
    found = [it for it in items(resp, kind) if name is None or it.get("name") == name]
    if found:
        return found
    status, error = resp.get("status"), resp.get("error")
    if status == "failed" or error:
        fail_for(claims, f"{where}: the service failed the response instead of a {kind}: status {status!r}, "
                         f"error {json.dumps(error)[:200]}")
    why = limit_of_model(resp) or f"output types {kinds(resp)}"
    tool = f" of the {name} tool" if name else ""
    model_limit(f"{where}: the model answered without a {kind}{tool} ({why}); the claim needs the model to call "
                "the offered tool")
    return []  # not reached: model_limit raises


def stream_accepted(stream: Any, what: str, *claims: str) -> None:
    """A streamed request's error status fails `claims` as `accepted` does for a plain one (a context-length
    refusal is the model's limit); its events are judged by the caller and the ambient stream checks."""
    if stream.status != 200:
        accepted(httpx.Response(stream.status, text=stream.text), what, *claims)


def add_call_judged(call: dict[str, Any], where: str, *claims: str) -> None:
    """An mcp_call of the add tool carries the server's label and the MCP server's result for the arguments
    the model chose (add(a, b) -> a + b). Which arguments the model chose is not the service's doing: when
    they are not two integers the result cannot be checked (a model limit)."""
    if call.get("server_label") != LABEL:
        fail_for(claims, f"{where}: mcp_call.server_label is {call.get('server_label')!r}, expected {LABEL!r}")
    try:
        args = args_of(call)
    except AssertionError as exc:
        model_limit(f"{where}: the model called add with arguments that are no JSON object ({exc})")
    a, b = args.get("a"), args.get("b")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (a, b)):
        model_limit(f"{where}: the model called add with arguments {call.get('arguments')!r:.120}, not two integers")
    if call.get("error"):
        fail_for(claims, f"{where}: mcp_call of add({a}, {b}) has error {str(call.get('error'))[:200]!r}, expected "
                         "the MCP server's result")
    if str(a + b) not in str(call.get("output") or ""):
        fail_for(claims, f"{where}: mcp_call.output is {str(call.get('output'))[:120]!r}, expected the MCP server's "
                         f"result of add({a}, {b}) = {a + b}")
