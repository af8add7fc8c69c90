"""A tiny Responses-API look-alike (Starlette + uvicorn on a free loopback port) for harness tests.

It is deliberately small and scriptable: it echoes what it was sent (so tests can plant secrets in every
place and see them come back in bodies, headers and SSE), mints random ids and real timestamps (so
normalisation has work to do), can fail on demand (429 / 503 / a garbage stream) and logs every request.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

ECHO_SECRET_HEADER = "x-echo-secret"


@dataclass
class State:
    log: list[tuple[str, str]] = field(default_factory=list)
    stored: dict[str, dict] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    """Statuses to answer the next create requests with (429 gets Retry-After: 0)."""
    garbage_stream: bool = False
    create_headers: list[dict[str, str]] = field(default_factory=list)
    """The headers of every create request, in order."""
    response_secret: str = ""
    """Planted in a response header and in the SSE text, to prove response-side scrubbing."""


def _rid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}{uuid.uuid4().hex[:16]}"


def build_app(state: State) -> Starlette:
    def response_obj(body: dict) -> dict:
        rid = _rid("resp")
        text = f"echo: {body.get('input')}"
        if body.get("previous_response_id") in state.stored:
            text += " (after " + state.stored[body["previous_response_id"]]["output"][0]["content"][0]["text"] + ")"
        obj = {
            "id": rid, "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": body.get("model"), "error": None, "incomplete_details": None,
            "previous_response_id": body.get("previous_response_id"), "tools": body.get("tools", []),
            "metadata": body.get("metadata", {}),
            "output": [{"id": _rid("msg"), "type": "message", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}]}],
            "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
        }
        state.stored[rid] = obj
        return obj

    def headers() -> dict[str, str]:
        h = {"x-request-id": str(uuid.uuid4())}
        if state.response_secret:
            h[ECHO_SECRET_HEADER] = f"Bearer {state.response_secret}"
            h["set-cookie"] = f"session={state.response_secret}"
        return h

    async def create(request: Request) -> Response:
        raw = await request.body()
        state.log.append(("POST", str(request.url)))
        state.create_headers.append(dict(request.headers))
        if state.fail_next:
            status = state.fail_next.pop(0)
            return JSONResponse({"error": {"message": "busy", "type": "server_error", "code": None, "param": None}},
                                status_code=status, headers={"retry-after": "0"})
        body = json.loads(raw)
        if body.get("stream"):
            return StreamingResponse(_sse(body), media_type="text/event-stream", headers=headers())
        return JSONResponse(response_obj(body), headers=headers())

    async def _sse(body: dict):
        if state.garbage_stream:
            yield "event: response.created\ndata: {not json\n\n"
            return
        obj = response_obj(body)
        created = {**obj, "status": "in_progress", "output": []}
        events = [
            {"type": "response.created", "response": created},
            {"type": "response.output_text.delta", "item_id": obj["output"][0]["id"], "output_index": 0,
             "content_index": 0,
             "delta": obj["output"][0]["content"][0]["text"] + (f" Bearer {state.response_secret}" if state.response_secret else "")},
            {"type": "response.completed", "response": obj},
        ]
        for n, ev in enumerate(events):
            yield f"event: {ev['type']}\ndata: {json.dumps({**ev, 'sequence_number': n})}\n\n"

    async def cancel(request: Request) -> Response:
        state.log.append(("POST", str(request.url)))
        return JSONResponse({"error": {"message": "not in progress", "type": "invalid_request_error", "code": None,
                                       "param": None}}, status_code=400)

    async def retrieve(request: Request) -> Response:
        state.log.append((request.method, str(request.url)))
        rid = request.path_params["rid"]
        if request.method == "DELETE":
            state.deleted.append(rid)
            state.stored.pop(rid, None)
            return JSONResponse({"id": rid, "object": "response", "deleted": True})
        if rid not in state.stored:
            return JSONResponse({"error": {"message": "not found", "type": "invalid_request_error"}}, status_code=404)
        return JSONResponse(state.stored[rid], headers=headers())

    async def models(request: Request) -> Response:
        state.log.append(("GET", str(request.url)))
        return JSONResponse({"object": "list", "data": [{"id": "fake-1", "object": "model"}]})

    return Starlette(routes=[
        Route("/openai/v1/responses", create, methods=["POST"]),
        Route("/openai/v1/responses/{rid}", retrieve, methods=["GET", "DELETE"]),
        Route("/openai/v1/responses/{rid}/cancel", cancel, methods=["POST"]),
        Route("/openai/v1/models", models, methods=["GET"]),
    ])


@dataclass
class FakeService:
    state: State
    port: int
    _server: Any
    _thread: threading.Thread

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/openai/v1/"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)


def start() -> FakeService:
    state = State()
    config = uvicorn.Config(build_app(state), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake service did not start")
        time.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    return FakeService(state, port, server, thread)
