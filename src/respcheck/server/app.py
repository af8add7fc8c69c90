"""The HTTP face of the reference server: Starlette routes under /openai/v1, in Azure's wire shape.

Every route goes through the same guard (key check, rate limit) and the same error path (`ApiError` ->
Azure error envelope), so auth, 429s and envelope faults behave identically everywhere. The engine is
synchronous and runs in a worker thread; streams are async generators over a precomputed event list.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from respcheck.server import auth, background
from respcheck.server.compaction import compact
from respcheck.server.config import ServerConfig
from respcheck.server.deployments import DEPLOYMENTS
from respcheck.server.engine import Engine
from respcheck.server.errors import ApiError, bad_request, not_found
from respcheck.server.ratelimit import RateLimiter
from respcheck.server.store import Record, ResponseStore
from respcheck.server.stream_faults import apply as apply_stream_faults
from respcheck.server.stream_faults import event_name
from respcheck.server.streaming import DONE_BLOCK, RETRY_BLOCK, TERMINAL_TYPES, encode, fail_midway

PREFIX = "/openai/v1"
STREAM_WAIT_LIMIT_S = 5.0
"""A background stream that makes no progress for this long is closed (e.g. the stuck-in-queued fault)."""
KEPT_ALIVE_S = 30.0
"""How long the `background.stream_outlives_cancel` fault keeps a cancelled stream open (longer than any
deadline a client gives a cancelled stream to end)."""


class ServerState:
    """Everything one app instance owns: config, stores, limiter, engine."""

    def __init__(self, cfg: ServerConfig) -> None:
        self.cfg = cfg
        self.store = ResponseStore()
        self.files = _make_file_store()
        self.limiter = RateLimiter(cfg)
        self.engine = Engine(cfg, self.store, self.files)
        from respcheck.server.vector_stores import VectorStores

        self.vector_stores = VectorStores()
        self.engine.vector_stores = self.vector_stores
        self.started = int(time.time())
        self.requests_served = 0
        """API requests answered (not counting /respcheck/info): the server's own count of what a run sent,
        to set beside the harness's budget count."""


def _make_file_store() -> Any:
    from respcheck.server.files import FileStore

    return FileStore()


def _state(request: Request) -> ServerState:
    return request.app.state.respcheck


def _azure_headers() -> dict[str, str]:
    rid = str(uuid.uuid4())
    return {"apim-request-id": rid, "x-request-id": rid, "x-ms-region": "local", "x-ms-client-request-id": rid}


def error_response(exc: ApiError, cfg: ServerConfig) -> JSONResponse:
    status = exc.status
    body: Any = exc.envelope()
    if cfg.has("errors.500_on_bad_input") and status == 400:
        status = 500
    if cfg.has("errors.not_found_as_400") and status == 404:
        status = 400
    if cfg.has("errors.undocumented_type") and status < 500:
        body["error"]["type"] = "BadRequest"
    if cfg.has("errors.param_not_a_field") and body["error"].get("param"):
        body["error"]["param"] = "body"
    if cfg.has("errors.wrong_envelope_shape"):
        body = {"message": exc.message, "code": exc.code}
    return JSONResponse(body, status_code=status, headers={**_azure_headers(), **exc.headers})


async def _guard(request: Request) -> dict[str, str]:
    st = _state(request)
    key = auth.check(request.headers, st.cfg, request.query_params)
    return st.limiter.check(key, request.headers)


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        if _state(request).cfg.has("errors.malformed_json_500"):
            raise ApiError(500, "The server had an error while processing your request.", code="server_error", type="server_error") from exc
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
            "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            code=None,
            type="invalid_request_error",
        ) from exc


def _ok(payload: Any, extra: dict[str, str], status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers={**_azure_headers(), **extra})


def _sse_headers(extra: dict[str, str]) -> dict[str, str]:
    return {**_azure_headers(), **extra, "cache-control": "no-cache", "azureai-fe-is-streaming": "true"}


def _frame(event: dict[str, Any], cfg: ServerConfig) -> bytes:
    return encode(event, event_name=event_name(event, cfg.faults))


async def _foreground_stream(events: list[dict[str, Any]], cfg: ServerConfig) -> AsyncIterator[bytes]:
    if cfg.sse_retry_block:
        yield RETRY_BLOCK
    for ev in events:
        if cfg.stream_delay_s:
            await asyncio.sleep(cfg.stream_delay_s)
        yield _frame(ev, cfg)
    if cfg.sse_done_sentinel:
        yield DONE_BLOCK


async def _background_stream(rec: Record, st: ServerState, after: int) -> AsyncIterator[bytes]:
    """Reveal the record's wire events as the schedule makes them happen, after sequence `after`."""
    cfg = st.cfg
    wire: list[dict[str, Any]] = rec.wire_events  # type: ignore[attr-defined]
    sent = 0
    # position in the wire list of the first event after `after`
    while sent < len(wire) and isinstance(wire[sent].get("sequence_number"), int) and wire[sent]["sequence_number"] <= after:
        sent += 1
    last_progress = time.monotonic()
    if cfg.sse_retry_block:
        yield RETRY_BLOCK
    while True:
        n = background.stream_visible(rec, cfg)
        over = any(e.get("type") in TERMINAL_TYPES for e in rec.events[:n])  # the schedule reached its end
        limit = len(wire) if over else min(n, len(wire))
        if sent < limit:
            for ev in wire[sent:limit]:
                yield _frame(ev, cfg)
            sent = limit
            last_progress = time.monotonic()
        if (over or background.stream_cut_by_cancel(rec, cfg)) and sent >= limit:
            if over and cfg.sse_done_sentinel:
                yield DONE_BLOCK
            return  # a cancel ends the attached stream: no documented stream event says "cancelled"
        if background.stream_kept_alive(rec, cfg):
            if time.monotonic() - last_progress > KEPT_ALIVE_S:
                return
            yield b": keep-alive\n\n"
            await asyncio.sleep(0.25)
            continue
        if time.monotonic() - last_progress > STREAM_WAIT_LIMIT_S:
            return
        await asyncio.sleep(min(cfg.background_step_s, 0.02) or 0.005)


# ------------------------------------------------------------------------- routes
async def create_response(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    body = await _json(request)
    fail_in_stream = st.limiter.transient(stream=isinstance(body, dict) and body.get("stream") is True
                                          and not body.get("background"))
    if st.cfg.slow_first_byte_s:
        await asyncio.sleep(st.cfg.slow_first_byte_s)
    created = await run_in_threadpool(st.engine.create, body)
    if fail_in_stream and created.stream:
        created.events = fail_midway(created.events)
        if created.record is not None:
            created.record.response = copy.deepcopy(created.events[-1]["response"])
    if created.record is not None:
        created.record.wire_events = created.events  # type: ignore[attr-defined]
    if not created.stream:
        return _ok(created.response, extra)
    if created.record is not None and created.record.background:
        return StreamingResponse(_background_stream(created.record, st, -1), media_type="text/event-stream", headers=_sse_headers(extra))
    return StreamingResponse(_foreground_stream(created.events, st.cfg), media_type="text/event-stream", headers=_sse_headers(extra))


def _record(st: ServerState, response_id: str) -> Record:
    rec = st.store.get(response_id)
    if rec is None:
        raise not_found(f"Response with id '{response_id}' not found.")
    return rec


async def get_response(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    rec = _record(st, request.path_params["response_id"])
    stream = request.query_params.get("stream", "false").lower() == "true"
    if not stream:
        if rec.background:
            return _ok(background.current(rec, st.cfg), extra)
        return _ok(rec.response, extra)
    if not rec.background:
        raise bad_request("Streaming a stored response is only supported for background responses.", param="stream")
    if not rec.streamed and not st.cfg.has("background.resume_without_stream_allowed"):
        raise bad_request("This response cannot be streamed because it was not created with stream=true.", param="stream")
    raw_after = request.query_params.get("starting_after")
    after = -1
    if raw_after is not None:
        try:
            after = int(raw_after)
        except ValueError as exc:
            raise bad_request(f"Invalid 'starting_after': expected an integer, got '{raw_after}'.", code="invalid_type", param="starting_after") from exc
    if st.cfg.has("background.resume_from_start"):
        after = -1
    elif st.cfg.has("background.resume_skips_event") and raw_after is not None:
        after += 1
    if not hasattr(rec, "wire_events"):
        rec.wire_events = apply_stream_faults(rec.events, st.cfg.faults)  # type: ignore[attr-defined]
    return StreamingResponse(_background_stream(rec, st, after), media_type="text/event-stream", headers=_sse_headers(extra))


async def delete_response(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    rid = request.path_params["response_id"]
    _record(st, rid)
    if not st.cfg.has("store.delete_not_effective"):
        st.store.delete(rid)
    payload: dict[str, Any] = {"id": rid, "object": "response.deleted", "deleted": True}
    if st.cfg.has("store.delete_wrong_shape"):
        payload.pop("deleted")
    return _ok(payload, extra)


async def cancel_response(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    rec = _record(st, request.path_params["response_id"])
    if not rec.background:
        if st.cfg.has("background.cancel_sync_accepted"):
            return _ok(rec.response, extra)
        raise bad_request("Cannot cancel a synchronous response; only background responses can be cancelled.", param="response_id")
    with st.store.lock:
        if st.cfg.has("background.cancel_not_idempotent") and rec.cancel_count >= 1:
            raise bad_request("This response has already been cancelled or completed.", code="response_already_cancelled")
        final = background.cancel(rec, st.cfg)
    return _ok(final, extra)


async def list_input_items(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    rec = _record(st, request.path_params["response_id"])
    q = request.query_params
    order = q.get("order", "asc" if st.cfg.has("store.input_items_ascending_by_default") else "desc")
    if order not in ("asc", "desc"):
        raise bad_request(f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", param="order")
    try:
        limit = int(q.get("limit", "20"))
    except ValueError as exc:
        raise bad_request("Invalid 'limit': expected an integer.", code="invalid_type", param="limit") from exc
    if not 1 <= limit <= 100:
        raise bad_request(f"Invalid 'limit': expected a value between 1 and 100, got {limit}.", param="limit")
    items = [] if st.cfg.has("store.input_items_empty") else list(rec.input_items)
    if order == "desc":
        items.reverse()
    ids = [i.get("id") for i in items]
    if q.get("after"):
        if q["after"] not in ids:
            raise not_found(f"Item with id '{q['after']}' not found.", param="after")
        items = items[ids.index(q["after"]) + 1 :]
    if q.get("before"):
        ids = [i.get("id") for i in items]
        if q["before"] not in ids:
            raise not_found(f"Item with id '{q['before']}' not found.", param="before")
        items = items[: ids.index(q["before"])]
    page = items[:limit]
    payload = {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": len(items) > limit,
    }
    return _ok(payload, extra)


async def compact_route(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    body = await _json(request)
    return _ok(await run_in_threadpool(compact, st.engine, body), extra)


async def chat_completions(request: Request) -> Response:
    """POST /chat/completions: just enough to show which tools Chat Completions refuses (`server/chat.py`)."""
    from respcheck.server.chat import complete

    st = _state(request)
    extra = await _guard(request)
    body = await _json(request)
    st.limiter.transient()
    return _ok(await run_in_threadpool(complete, body), extra)


async def list_models(request: Request) -> Response:
    st = _state(request)
    extra = await _guard(request)
    return _ok({"object": "list", "data": [d.to_model_object(st.started) for d in DEPLOYMENTS.values()]}, extra)


class _CountRequests:
    """Counts every API request into `ServerState.requests_served` (pure ASGI: streams pass untouched)."""

    def __init__(self, app: Any, state: ServerState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") != "/respcheck/info":
            self.state.requests_served += 1
        await self.app(scope, receive, send)


async def info(request: Request) -> Response:
    """Unauthenticated self-description (no secrets): which faults are on, where the MCP server is, and
    what the server still holds (stored responses, running background tasks, files): the cleanup tests
    read it after interrupting a run."""
    st = _state(request)
    records = st.store.stored_records()
    running = [r.id for r in records if r.background and not r.cancelled and not background.is_done(r, st.cfg)]
    return JSONResponse(
        {
            "server": "respcheck-reference",
            "faults": sorted(st.cfg.faults),
            "deployments": list(DEPLOYMENTS),
            "mcp_server_url": st.cfg.mcp_server_url,
            "held": {"responses": len(records), "background_running": len(running), "files": len(st.files)},
            "requests_served": st.requests_served,
        }
    )


def _file_routes(state: ServerState) -> list[Any]:
    """The Files API routes (`files.routes`), behind the same key check and rate limit as the rest."""
    from respcheck.server import files

    def guarded(endpoint: Any) -> Any:
        async def handler(request: Request) -> Response:
            extra = await _guard(request)
            response = await endpoint(request)
            response.headers.update({**_azure_headers(), **extra})
            return response

        return handler

    out = []
    from respcheck.server import vector_stores

    for route in [*files.routes(state.files, state.cfg.faults, prefix=PREFIX),
                  *vector_stores.routes(state.vector_stores, state.files, prefix=PREFIX)]:
        out.append(Route(route.path, guarded(route.endpoint), methods=sorted(route.methods - {"HEAD"})))
    return out


def create_app(config: ServerConfig | None = None) -> Starlette:
    cfg = config or ServerConfig()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc, cfg)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(ApiError(exc.status_code, "Resource not found" if exc.status_code == 404 else str(exc.detail), code=str(exc.status_code)), cfg)

    async def internal_error(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(500, f"The server had an error while processing your request. ({type(exc).__name__})", code="server_error", type="server_error"), cfg)

    api = [
        Route("/responses", create_response, methods=["POST"]),
        Route("/responses/compact", compact_route, methods=["POST"]),
        Route("/responses/{response_id}", get_response, methods=["GET"]),
        Route("/responses/{response_id}", delete_response, methods=["DELETE"]),
        Route("/responses/{response_id}/cancel", cancel_response, methods=["POST"]),
        Route("/responses/{response_id}/input_items", list_input_items, methods=["GET"]),
        Route("/models", list_models, methods=["GET"]),
        Route("/chat/completions", chat_completions, methods=["POST"]),
    ]
    state = ServerState(cfg)
    app = Starlette(
        routes=[*_file_routes(state), Mount(PREFIX, routes=api), Route("/respcheck/info", info, methods=["GET"])],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: internal_error},
        middleware=[Middleware(_CountRequests, state=state)],
    )
    app.state.respcheck = state
    return app
