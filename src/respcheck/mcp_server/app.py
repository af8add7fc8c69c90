"""The MCP server itself: tools, call log, and a uvicorn runner in a background thread.

Tools are deterministic so that a rule-based model and the tests can predict every result:
`add(a, b)`, `echo(text)`, `whoami()` (the HTTP request headers it received, as JSON) and `fail(message)`
(always a tool error, for the error path of an `mcp_call`). Every tool call is appended to `calls` with the
headers that carried it; every HTTP request (tools/list included) is appended to `requests`.
The call log holds whatever headers arrived, secrets included: it lives in memory only, for assertions.
"""

# No `from __future__ import annotations`: the SDK evaluates tool annotations, and `Context` is imported
# inside build_server (lazily, to keep `import respcheck.mcp_server` cheap).
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

SERVER_NAME = "respcheck-mcp"
MCP_PATH = "/mcp"


@dataclass(frozen=True)
class CallRecord:
    tool: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    """The JSON-RPC method from the `mcp-method` header ("tools/list", "tools/call", ...), or the HTTP verb."""
    headers: dict[str, str]


class _Log:
    """Thread-safe append-only lists shared by the server thread and the test thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[CallRecord] = []
        self.requests: list[RequestRecord] = []

    def call(self, tool: str, args: dict[str, Any], ctx: Any) -> None:
        headers = dict(ctx.headers or {})
        with self.lock:
            self.calls.append(CallRecord(tool, dict(args), headers))


def build_server(log: _Log | None = None):
    """An `MCPServer` with the deterministic tools, logging calls into `log`.

    `MCPServer()` calls `logging.basicConfig`; the root logger is restored afterwards so that embedding
    the server does not change the host process's logging.
    """
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    log = log or _Log()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        server = MCPServer(SERVER_NAME, instructions="respcheck test tools", log_level="WARNING")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]

    @server.tool()
    def add(a: int, b: int, ctx: Context) -> int:
        """Add two integers and return the sum."""
        log.call("add", {"a": a, "b": b}, ctx)
        return a + b

    @server.tool()
    def echo(text: str, ctx: Context) -> str:
        """Return the given text unchanged."""
        log.call("echo", {"text": text}, ctx)
        return text

    @server.tool()
    def whoami(ctx: Context) -> str:
        """Return the HTTP request headers this server received for the call, as a JSON object."""
        log.call("whoami", {}, ctx)
        return json.dumps(dict(ctx.headers or {}), sort_keys=True)

    @server.tool()
    def fail(ctx: Context, message: str = "this tool always fails") -> str:
        """Always fail with the given message (exercises the error path of an MCP call)."""
        log.call("fail", {"message": message}, ctx)
        raise ToolError(message)

    server._respcheck_log = log  # type: ignore[attr-defined]
    return server


def _logging_app(app: Any, log: _Log) -> Any:
    """ASGI wrapper recording every HTTP request's MCP method and headers."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            with log.lock:
                log.requests.append(RequestRecord(headers.get("mcp-method", scope.get("method", "")), headers))
        await app(scope, receive, send)

    return wrapped


def asgi_app(log: _Log | None = None) -> tuple[Any, _Log]:
    """The streamable-HTTP ASGI app (stateless, JSON responses) and its log."""
    log = log or _Log()
    server = build_server(log)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True, json_response=True)
    return _logging_app(app, log), log


@dataclass
class RunningMCP:
    """A server running in a daemon thread; `url` is the streamable-HTTP endpoint."""

    url: str
    _log: _Log
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def calls(self) -> list[CallRecord]:
        with self._log.lock:
            return list(self._log.calls)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log.lock:
            return list(self._log.requests)

    def clear(self) -> None:
        with self._log.lock:
            self._log.calls.clear()
            self._log.requests.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> "RunningMCP":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(port: int = 0, host: str = "127.0.0.1", timeout: float = 10.0) -> RunningMCP:
    """Start the server on `host:port` (0: a free port) in a daemon thread; return once it accepts connections."""
    import uvicorn

    app, log = asgi_app()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"respcheck-mcp-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the MCP server did not start on {host}:{port}")
        time.sleep(0.005)
    bound = server.servers[0].sockets[0].getsockname()[1]
    return RunningMCP(url=f"http://{host}:{bound}{MCP_PATH}", _log=log, _server=server, _thread=thread)
