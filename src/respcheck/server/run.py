"""Start the reference server: in a background thread (tests, the suite harness) or in the foreground (CLI).

`start_in_thread` binds 127.0.0.1 on a free port by default (port 0) and returns once the socket listens,
so parallel test runs never collide. The returned `RunningServer` is a context manager.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from respcheck.server.config import DEFAULT_API_KEY, ServerConfig
from respcheck.server.faults import parse_faults


@dataclass
class RunningServer:
    host: str
    port: int
    api_key: str
    config: ServerConfig
    mcp: Any = None
    """The local MCP server started beside it (`respcheck.mcp_server.RunningMCP`), when asked for."""
    _server: Any = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)

    @property
    def mcp_url(self) -> str | None:
        return self.mcp.url if self.mcp is not None else None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What `openai.OpenAI(base_url=...)` takes: ends in /openai/v1/."""
        return f"{self.root_url}/openai/v1/"

    def stop(self, *, wait: bool = True) -> None:
        """Ask the server to exit; `wait=False` returns at once (the daemon thread winds down on its own,
        ~0.2 s, which matters when a test starts one server per fault)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and wait:
            self._thread.join(timeout=5)
        self._thread = None
        if self.mcp is not None:
            self.mcp.stop()
            self.mcp = None

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_config(
    *,
    faults: Iterable[str] = (),
    api_key: str = DEFAULT_API_KEY,
    **overrides: Any,
) -> ServerConfig:
    return ServerConfig(api_key=api_key, faults=parse_faults(faults), **overrides)


def _uvicorn_server(cfg: ServerConfig, host: str, port: int, log_level: str):
    import uvicorn

    from respcheck.server.app import create_app

    config = uvicorn.Config(create_app(cfg), host=host, port=port, log_level=log_level, lifespan="off", access_log=False)
    return uvicorn.Server(config)


def start_in_thread(
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    faults: Iterable[str] = (),
    api_key: str = DEFAULT_API_KEY,
    log_level: str = "warning",
    timeout_s: float = 10.0,
    with_mcp: bool = False,
    **overrides: Any,
) -> RunningServer:
    """Serve in a daemon thread; returns when listening. Extra keyword arguments go to `ServerConfig`.

    `with_mcp=True` also starts the local MCP server (`respcheck.mcp_server`) and stops it with this one.
    """
    mcp = None
    if with_mcp:
        from respcheck.mcp_server import start_in_thread as start_mcp

        mcp = start_mcp(host=host)
        overrides.setdefault("mcp_server_url", mcp.url)
    try:
        cfg = build_config(faults=faults, api_key=api_key, **overrides)
    except BaseException:
        if mcp is not None:
            mcp.stop()
        raise
    server = _uvicorn_server(cfg, host, port, log_level)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # not the main thread
    thread = threading.Thread(target=server.run, name="respcheck-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            if mcp is not None:
                mcp.stop()
            raise RuntimeError("the reference server did not start")
        time.sleep(0.005)
    bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
    return RunningServer(host=host, port=bound, api_key=api_key, config=cfg, mcp=mcp, _server=server, _thread=thread)


def serve_forever(cfg: ServerConfig, *, host: str, port: int, on_ready=None) -> None:
    """Foreground serving for `respcheck serve` (Ctrl-C stops)."""
    server = _uvicorn_server(cfg, host, port, "warning")
    if on_ready is not None:
        original = server.startup

        async def startup(sockets=None):
            await original(sockets=sockets)
            if server.started:
                bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
                on_ready(bound)

        server.startup = startup  # type: ignore[method-assign]
    server.run()
