"""Helpers for the reference-server tests: `Wire` speaks raw HTTP (httpx) to one running server, gives an
openai SDK client for it, and parses SSE with the project's own parser (a uniquely named module so that
`from server_wire import ...` never collides with another folder's conftest)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai

from respcheck.server.run import RunningServer
from respcheck.validators import parse_sse


class Wire:
    """Raw-HTTP access to one running reference server (api-key header by default)."""

    def __init__(self, srv: RunningServer, mcp_url: str | None = None) -> None:
        self.srv = srv
        self.mcp_url = mcp_url
        self.http = httpx.Client(base_url=srv.base_url, headers={"api-key": srv.api_key}, timeout=20)

    def close(self) -> None:
        self.http.close()

    def sdk(self) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.srv.base_url, api_key=self.srv.api_key, max_retries=0)

    def post(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return self.http.post(path, json=body, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def create(self, **body: Any) -> dict[str, Any]:
        body.setdefault("model", "gpt-4.1")
        r = self.post("responses", body)
        assert r.status_code == 200, r.text
        return r.json()

    def stream(self, body: dict[str, Any] | None = None, *, get: str | None = None):
        """POST a streaming create (or GET a resume URL) and parse the SSE body."""
        if get is not None:
            r = self.http.get(get)
        else:
            body = {"model": "gpt-4.1", "stream": True, **(body or {})}
            r = self.http.post("responses", json=body)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/event-stream")
        return parse_sse(r.content)

    def mcp_tool(self, **kw: Any) -> dict[str, Any]:
        assert self.mcp_url, "this Wire has no MCP server"
        return {"type": "mcp", "server_label": "local", "server_url": self.mcp_url, **kw}


def text_of(response: dict[str, Any]) -> str:
    return "".join(
        p.get("text", "")
        for it in response.get("output", [])
        if it.get("type") == "message"
        for p in it.get("content", [])
    )


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
