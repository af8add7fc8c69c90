"""The dual client every suite test uses: the real openai SDK *and* raw httpx, against one target.

Why both: the SDK is what users run (typed objects, typed stream events), raw httpx shows the wire as it is.
When the wire is something the contract allows but the SDK cannot parse, that is its own finding
(``sdk_parse_error``, reported against the installed openai version) - the SDK-upgrade regression check.

The helpers keep suite tests short and make the harness's cross-cutting jobs impossible to forget:
budget checks and accounting, request-id capture for evidence, bounded retries on transient failures (429
with Retry-After, 5xx, timeouts) that end in `Inconclusive` rather than a fail, tagging created objects with
the run id, and a cleanup registry so stored responses, uploaded files and background tasks do not outlive
the test that made them.
"""

from __future__ import annotations

import functools
import inspect
import ssl
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple, TypeVar

import httpx
import openai

from respcheck.budget import Budget, BudgetExhausted
from respcheck.cases import CaseBook, unrecorded
from respcheck.findings import Finding
from respcheck.guard import Deadlines, ServiceFinding, find_in_chain, for_mode, guard_client
from respcheck.ledger import RUN_TAG, Created, Kind, Ledger, file_proof
from respcheck.recorder import CassetteError, explain_miss, find_cassette_miss
from respcheck.scrub import learn_httpx_request
from respcheck.target import Target
from respcheck.verdicts import Inconclusive

T = TypeVar("T")
Retry = bool | Literal["never"]
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_CODES = frozenset({"server_error", "rate_limit_exceeded", "too_many_requests", "429", "500", "502", "503",
                             "504", "timeout", "service_unavailable"})
"""`error` event codes that mean "try again" (the docs: an error event (500, 429 and similar) during streaming)."""


class TransientStreamError(Exception):
    """A stream cut by an `error` event with a transient code: retried like a 5xx; if it stays, inconclusive
    (``retry=True``) or the stream itself is handed back (``retry=False``, in ``.result``)."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


def stream_error_code(events: list[Any]) -> str | None:
    """The code of the first `error` event of a stream (dicts or SDK objects), None when there is none."""
    for ev in events:
        kind = ev.get("type") if isinstance(ev, dict) else getattr(ev, "type", None)
        if kind != "error":
            continue
        get = ev.get if isinstance(ev, dict) else (lambda k, e=ev: getattr(e, k, None))
        nested = get("error")
        code = get("code") or (nested.get("code") if isinstance(nested, dict) else getattr(nested, "code", None))
        return str(code or "error")
    return None
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "x-ms-request-id")


class SdkParseError(ServiceFinding):
    """The openai SDK could not turn traffic into its types; carries the `sdk_parse_error` finding."""


def sdk_parse_finding(what: str, exc: BaseException) -> Finding:
    """The SDK channel's finding: it could not read the traffic, or (an AttributeError on the SDK's own
    resource object) the installed release has no method for this call at all (``sdk_missing_method``: e.g.
    openai 2.x has no ``responses.compact``), which an SDK upgrade check must name as such."""
    missing = isinstance(exc, AttributeError) and "WithRawResponse" in str(exc)
    if missing:
        name = getattr(exc, "name", None) or _first_line(exc)
        return Finding("sdk_missing_method", f"openai {openai.__version__} has no SDK method {name!r} for {what}",
                       extra={"openai_version": openai.__version__, "exception": type(exc).__name__})
    return Finding(
        "sdk_parse_error",
        f"openai {openai.__version__} could not parse {what}: {type(exc).__name__}: {_first_line(exc)}",
        extra={"openai_version": openai.__version__, "exception": type(exc).__name__},
    )


@dataclass
class Evidence:
    """What one test's traffic leaves behind for its result record."""

    request_ids: list[str] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)
    models: list[str] = field(default_factory=list)
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    """What this test spent (the run's budget counts the same, for all tests together)."""

    ambient: list[dict[str, Any]] = field(default_factory=list)
    """Observations of the ambient checks (`respcheck.attribution`) on every answer this test saw; the
    plugin records them against their owner behaviours, not against this test."""
    sdk_notes: list[str] = field(default_factory=list)
    """SDK limitations met on legal traffic (``sdk_sse_limitation``: the installed openai cannot decode a
    legal SSE block); the result record shows them under ``observed["sdk.limitations"]``, never as a fault."""

    def saw(self, response: Any) -> None:
        """Run the ambient checks on one answer (an httpx response, body read)."""
        from respcheck.attribution import observe

        self.ambient.extend(observe(response))

    def channel(self) -> str:
        if self.channels >= {"sdk", "http"}:
            return "both"
        return next(iter(self.channels), "both")


class _StreamFields(NamedTuple):
    status: int
    headers: httpx.Headers
    text: str
    events: list[dict[str, Any]]


class StreamResult(_StreamFields):
    """A raw SSE exchange: unpack as ``status, headers, text, events = client.http_stream(...)``.

    ``transport_error`` is None, or what broke the stream after its headers (a dropped connection, a read
    timeout) when a ``retry=False``/``"never"`` call hands the broken stream back: ``text`` and ``events`` are
    then what arrived before the break, for the test to judge (an attribute, so the 4-tuple unpacking stays)."""

    transport_error: str | None = None

    @classmethod
    def of(cls, status: int, headers: Any, text: str, events: list[dict[str, Any]],
           transport_error: str | None = None) -> StreamResult:
        result = cls(status, headers, text, events)
        result.transport_error = transport_error
        return result

    def parsed(self) -> Any:
        """The full `respcheck.validators.sse.ParsedStream` (framing findings, event names, [DONE])."""
        from respcheck.validators.sse import parse_sse

        return parse_sse(self.text)


class Exchange(NamedTuple):
    """One request seen through both channels: the wire answer and the SDK's typed reading of those bytes.

    Why one request and not two: a live run pays for every request, and two requests only show that two
    answers each parse, not that the SDK reads *this* wire answer right. ``http`` is the raw response
    (``.status_code``, ``.headers``, ``.json()``); ``sdk`` the typed object (None for an error status);
    ``error`` the SDK's `openai.APIStatusError` for an error status (None otherwise)."""

    http: Any
    sdk: Any
    error: Any

    @property
    def status(self) -> int:
        return int(self.http.status_code)

    def json(self) -> Any:
        """The raw JSON body (None when the body is not JSON)."""
        try:
            return self.http.json()
        except ValueError:
            return None


class StreamExchange(NamedTuple):
    """One streamed request seen through both channels: the SSE bytes as sent (``text``, ``events`` as
    dicts) and the SDK's typed events decoded from the same bytes (``sdk_events``). ``error`` is the SDK's
    `openai.APIStatusError` when the request got an error status (then both event lists are empty)."""

    status: int
    headers: Any
    text: str
    events: list[dict[str, Any]]
    sdk_events: list[Any]
    error: Any = None
    sdk_error: Any = None
    """What the SDK raised while iterating (an `openai.APIError` at an in-stream `error` event), else None."""
    transport_error: str | None = None
    """What broke the stream after its headers, when a ``retry=False``/``"never"`` call hands it back (the
    events are then those that arrived before the break), else None."""

    @property
    def wire(self) -> StreamResult:
        """The raw view alone, as `http_stream` returns it (for helpers that take a `StreamResult`)."""
        return StreamResult.of(self.status, self.headers, self.text, self.events, self.transport_error)

    def parsed(self) -> Any:
        """The full `respcheck.validators.sse.ParsedStream` (framing findings, event names, [DONE])."""
        return self.wire.parsed()


@dataclass
class CleanupRegistry:
    """Objects a test created on the service, removed when the test ends (also after a failure).

    With a `Ledger` every object is written to disk as it is registered and struck off when it is deleted,
    so a run that dies before its teardown still knows its leftovers (`respcheck cleanup`)."""

    responses: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    ledger: Ledger | None = None

    def add_response(self, response_id: str | None, *, background: bool = False) -> None:
        if response_id and response_id not in self.responses:
            self.responses.append(response_id)
            if background:
                self.background.append(response_id)
            if self.ledger is not None:
                self.ledger.created("response", response_id, background=background)

    def add_file(self, file_id: str | None, obj: Any = None) -> None:
        """``obj``: the upload answer, whose filename/bytes/created_at the ledger keeps as proof of ownership."""
        if file_id and file_id not in self.files:
            self.files.append(file_id)
            if self.ledger is not None:
                self.ledger.created("file", file_id, proof=file_proof(obj))

    def finished(self, response_id: str | None) -> None:
        """A background response was seen in a terminal status: cleanup deletes it without a cancel first."""
        if response_id in self.background:
            self.background.remove(response_id)

    def forget(self, kind: Kind, object_id: str | None) -> None:
        """The test deleted this object itself: nothing left to clean (struck off the ledger too)."""
        listed = self.responses if kind == "response" else self.files
        if object_id not in listed:
            return
        listed.remove(object_id)
        self.finished(object_id)
        if self.ledger is not None:
            self.ledger.deleted(kind, object_id)

    def __bool__(self) -> bool:
        return bool(self.responses or self.files)

    def run(self, http: httpx.Client) -> list[str]:
        """Cancel background tasks, delete responses and files; returns what could not be cleaned."""
        from respcheck.cleanup import sweep

        items = [Created("response", i, i in self.background) for i in self.responses]
        items += [Created("file", i) for i in self.files]
        result = sweep(http, items, ledger=self.ledger)
        self.responses.clear()
        self.background.clear()
        self.files.clear()
        return result.left


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the run: loading the CA bundle costs ~25 ms, and each
    test makes two clients (the replay of 180 tests spent 9 s on it)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


@functools.cache
def _create_params() -> frozenset[str]:
    from openai.resources.responses import Responses

    return frozenset(inspect.signature(Responses.create).parameters) - {"self", "extra_body"}


def _split_body(body: dict[str, Any]) -> dict[str, Any]:
    """SDK keyword arguments for a request body; fields the SDK does not know go through ``extra_body``."""
    known = _create_params()
    kwargs = {k: v for k, v in body.items() if k in known}
    extra = {k: v for k, v in body.items() if k not in known}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


class _BearerAuth(httpx.Auth):
    def __init__(self, provider: Callable[[], str]) -> None:
        self.provider = provider

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.provider()}"
        yield request


class DualClient:
    """``.sdk`` (openai.OpenAI) and ``.http`` (httpx.Client) on one target, plus short helpers."""

    def __init__(
        self,
        target: Target,
        *,
        budget: Budget | None = None,
        run_id: str = "",
        evidence: Evidence | None = None,
        retries: int = 3,
        backoff_s: float = 0.5,
        timeout_s: float | None = None,
        ledger: Ledger | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        self.target = target
        self.budget = budget or Budget()
        self.run_id = run_id
        self.evidence = evidence or Evidence()
        self.retries = retries
        self.backoff_s = 0.0 if target.mode == "replay" else backoff_s
        self.ledger = ledger if target.mode != "replay" else None
        self.cleanup = CleanupRegistry(ledger=self.ledger)
        self.last_stream_timing: tuple[float | None, float] = (None, 0.0)
        """(seconds to the first body chunk, seconds to the end) of the last `http_stream` or `stream_both`."""
        self.spent_usage: list[dict[str, int]] = []
        self.casebook: CaseBook = unrecorded()
        """Where generated cases come from and go (the plugin sets the book of this client's cassette)."""

        self.deadlines = deadlines or for_mode(target.mode)
        """Total/idle deadlines and the size cap of every answer (`respcheck.guard`); ``timeout_s`` overrides
        the non-streamed total."""
        if timeout_s is not None:
            self.deadlines = replace(self.deadlines, request_s=timeout_s)
        import httpx2

        sdk_http = openai.DefaultHttpxClient(
            timeout=httpx2.Timeout(**self.deadlines.timeout_args()),
            verify=_ssl_context(),
            event_hooks={"request": [self._on_request], "response": [self._hook_response("sdk")]},
        )
        api_key: Any = target.token_provider if target.auth == "entra" else (target.api_key or "none")
        self.sdk = openai.OpenAI(base_url=target.base_url, api_key=api_key, max_retries=0, http_client=sdk_http)

        headers = {"api-key": target.api_key} if target.auth != "entra" and target.api_key else {}
        self.http = httpx.Client(
            base_url=target.base_url,
            headers=headers,
            auth=_BearerAuth(target.token_provider) if target.auth == "entra" else None,
            timeout=httpx.Timeout(**self.deadlines.timeout_args()),
            verify=_ssl_context(),
            event_hooks={"request": [self._on_request], "response": [self._hook_response("http")]},
        )
        guard_client(sdk_http, self.deadlines)  # total deadlines and the size cap, under vcrpy's recording stub
        guard_client(self.http, self.deadlines)

    def cases(self, name: str, draw: Callable[[], Sequence[Any]]) -> list[Any]:
        """Generated cases named ``name`` (JSON): ``draw()`` when recording or live, the cassette's recorded
        ones in replay (`respcheck.cases`: a replay never depends on the generator's version)."""
        return self.casebook.cases(name, draw)

    def large(self, key: str, make: Callable[[], str]) -> str:
        """A big request value (a limit probe's data URI) named ``key``: ``make()``, except in replay, where
        it is the digest the cassette stored for it (nothing made or sent; `CaseBook.large_value`)."""
        return self.casebook.large_value(key, make)

    # -- plumbing ----------------------------------------------------------------------------------------
    def close(self) -> None:
        self.sdk.close()
        self.http.close()

    def __enter__(self) -> DualClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _on_request(self, request: Any) -> None:
        try:
            size = len(request.content)
        except Exception:  # noqa: BLE001 - a streamed upload has no length yet
            size = 0
        self.budget.charge_request(size)
        self.evidence.requests += 1
        learn_httpx_request(request)  # its secrets are the run's: scrubbed from everything written

    def _hook_response(self, channel: str) -> Callable[[Any], None]:
        def hook(response: Any) -> None:
            if self.target.mode == "replay":
                check_replayed_body(response, self.target.profile)
            self.evidence.channels.add(channel)
            for name in REQUEST_ID_HEADERS:
                value = response.headers.get(name)
                if value and value not in self.evidence.request_ids:
                    self.evidence.request_ids.append(value)

        return hook

    def _created(self, body: Any, response_id: str | None) -> None:
        """A stream announced a response (response.created): register it for cleanup unless store=false."""
        if isinstance(body, dict) and body.get("store", True) is not False:
            self.cleanup.add_response(response_id, background=bool(body.get("background")))

    def _read_timed(self, r: Any, started: float) -> str | None:
        """Read a streamed response to the end, timing the first body chunk (`last_stream_timing`); the body
        is kept as ``r.read()`` would keep it, so ``.text`` and the SDK's iteration read the same bytes.

        A transport error after the headers (the connection dropped, a read timeout) ends the read: what
        arrived is kept and the error is returned ("RemoteProtocolError: ..."), for the caller to retry or
        hand back; None when the stream was read to its end. Deadlines and the size cap raise."""
        first, chunks = None, []
        broken = None
        try:
            for chunk in r.iter_bytes():
                if first is None and chunk:
                    first = time.monotonic() - started
                chunks.append(chunk)
        except Exception as exc:
            if not is_transport_error(exc):
                raise
            broken = f"{type(exc).__name__}: {_first_line(exc) or 'no detail'}"
        r._content = b"".join(chunks)
        self.last_stream_timing = (first, time.monotonic() - started)
        return broken

    def _register_announced(self, body: Any, events: list[dict[str, Any]]) -> None:
        """Register the response a stream announced (response.created) for cleanup, at once: also the
        responses of attempts about to be retried, which are stored too."""
        for ev in events:
            if ev.get("type") == "response.created" and isinstance(ev.get("response"), dict):
                self._created(body, ev["response"].get("id"))

    def _learn_from_stream(self, events: list[Any], *, billed: bool = True) -> None:
        """What a stream's response snapshots (dicts or SDK objects) tell the harness: responses seen
        finished (cleanup needs no cancel) and, for a stream that ran the model, the usage to charge."""
        for ev in events:
            response = _field(ev, "response")
            if response is None or (isinstance(ev, dict) and not isinstance(response, dict)):
                continue
            self._seen(response)
            usage = _field(response, "usage")
            if billed and usage:
                self._account(usage, _field(response, "model"))

    def _seen(self, obj: Any) -> None:
        """Learn from a response object in any answer: a background response seen finished needs no cancel."""
        if obj is not None and _field(obj, "status") in TERMINAL_STATUSES:
            self.cleanup.finished(_field(obj, "id"))

    def _account(self, usage: Any, model: Any = None) -> None:
        if usage is not None:
            inp, out = self.budget.charge_usage(usage)
            self.evidence.input_tokens += inp
            self.evidence.output_tokens += out
        if isinstance(model, str) and model not in self.evidence.models:
            self.evidence.models.append(model)

    def with_credentials(self, api_key: str | None = None, *, token: str | None = None) -> DualClient:
        """This client with other credentials, for auth probes: ``api_key`` (the raw channel sends it as
        ``api-key``, the SDK as ``Authorization: Bearer``; None sends no credential on the raw channel),
        or an Entra ``token`` (``Authorization: Bearer`` on both). Budget, evidence, retries and the cleanup
        list are this client's: its requests are counted, and what a wrongly accepted credential created is
        deleted by this client's cleanup, with the run's own credentials. Close it (``with``) when done."""
        if token is not None:
            target = replace(self.target, auth="entra", api_key=None, token_provider=lambda: token)
        else:
            target = replace(self.target, auth="key", api_key=api_key, token_provider=None)
        other = DualClient(target, budget=self.budget, run_id=self.run_id, evidence=self.evidence,
                           retries=self.retries, backoff_s=self.backoff_s, ledger=self.ledger,
                           deadlines=self.deadlines)
        other.cleanup = self.cleanup
        return other

    def tag(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body with ``metadata.respcheck_run`` added (unless the test sets metadata itself)."""
        if "metadata" in body or not self.run_id:
            return dict(body)
        return {**body, "metadata": {RUN_TAG: self.run_id}}

    def body(self, input: Any = "Say hello.", **fields: Any) -> dict[str, Any]:
        """A minimal create body for this target's deployment (tests add what they check)."""
        return {"model": self.target.deployment, "input": input, **fields}

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        if not self.backoff_s:
            return
        delay = self.backoff_s * (2**attempt)
        if retry_after:
            try:
                delay = float(retry_after)
            except ValueError:
                pass
        time.sleep(min(delay, 30.0))

    def _call(self, what: str, fn: Callable[[], T], *, retry: Retry = True, sdk: bool = False) -> T:
        """Run one request with budget check, bounded retries and clear errors for cassette misses.

        ``retry=True``: transient answers (429/5xx/timeouts, transient in-stream `error` events) are retried;
        if they persist the test is inconclusive. ``retry=False`` (a test that wants to see an error answer):
        transient answers are still retried, so an injected or real 429 cannot pose as the answer under test,
        but what persists is handed back (a 500 to bad input on every attempt is the service's answer, not bad
        luck). ``retry="never"``: one attempt, for a test that provokes a 429 or an error event itself.

        Transport errors (httpx and httpx2 timeouts, dropped connections) are transient too. What persists:
        with ``retry=True`` inconclusive; with ``retry=False``/``"never"`` a stream broken after its headers is
        handed back (``.transport_error``, the events that arrived), and a request that got no answer at all
        is a ``transport_error`` finding (``retry=False``: it failed on every attempt, so it is the service's
        answer) or inconclusive (``"never"``: one attempt proves nothing). A deadline or the size cap
        (`respcheck.guard`) is a finding at once, never retried.
        """
        attempts = 1 if retry == "never" else self.retries + 1
        last = ""
        for attempt in range(attempts):
            final = attempt + 1 == attempts
            self.budget.check()
            try:
                result = fn()
            except (BudgetExhausted, CassetteError, ServiceFinding, Inconclusive):
                raise
            except Exception as exc:
                miss = find_cassette_miss(exc)
                if miss is not None:
                    raise explain_miss(miss, self.target.profile) from None
                inner = find_in_chain(exc, (CassetteError, ServiceFinding))  # the SDK wraps what its transport raised
                if inner is not None:
                    raise inner from None
                transient, retry_after = _transient(exc)
                if not transient:
                    if sdk and _is_parse_failure(exc):
                        raise SdkParseError(sdk_parse_finding(what, exc)) from exc
                    raise
                last = f"{type(exc).__name__}: {_first_line(exc)}"
                if retry is not True and final:
                    if isinstance(exc, TransientStreamError):
                        return exc.result  # type: ignore[no-any-return]  # the persisting stream is the answer
                    if is_transport_error(exc):
                        if retry == "never":
                            raise Inconclusive(f"{what}: no answer ({last})") from exc
                        raise ServiceFinding(Finding("transport_error", f"{what}: no answer on any of {attempts} "
                                                     f"attempt(s) ({last})")) from exc
                    raise
                if not final:
                    self._sleep(attempt, retry_after)
                continue
            status, headers = _status_of(result)
            if retry != "never" and status in TRANSIENT_STATUS:
                last = f"HTTP {status}"
                if not final:
                    self._sleep(attempt, headers.get("retry-after") if headers is not None else None)
                    continue
                if retry is False:
                    return result
                break
            return result
        raise Inconclusive(f"{what}: still failing after {attempts} attempt(s) ({last})")

    # -- SDK channel -------------------------------------------------------------------------------------
    def create(self, body: dict[str, Any], *, retry: Retry = True) -> Any:
        """``POST /responses`` through the SDK; returns the typed ``openai.types.responses.Response``."""
        body = self.tag(body)
        if body.get("stream"):
            raise ValueError("use sdk_stream() for stream=true")
        resp = self._call("POST /responses (sdk)", lambda: self.sdk.responses.create(**_split_body(body)), retry=retry, sdk=True)
        self._account(getattr(resp, "usage", None), getattr(resp, "model", None))
        if body.get("store", True) is not False:
            self.cleanup.add_response(getattr(resp, "id", None), background=bool(body.get("background")))
        self._seen(resp)
        return resp

    def sdk_stream(self, body: dict[str, Any], *, retry: Retry = True) -> list[Any]:
        """``POST /responses`` with ``stream=true`` through the SDK; all typed events, in order."""
        body = self.tag({**body, "stream": True})

        def run() -> list[Any]:
            stream = self.sdk.responses.create(**_split_body(body))
            events: list[Any] = []
            try:
                for ev in stream:  # register the response as soon as it exists: a stream may still fail
                    events.append(ev)
                    if getattr(ev, "type", "") == "response.created":
                        self._created(body, getattr(getattr(ev, "response", None), "id", None))
            except openai.APIError:
                raise
            except Exception as exc:  # noqa: BLE001 - anything else while decoding events is a parse failure
                if find_cassette_miss(exc) or _transient(exc)[0] or isinstance(exc, ServiceFinding):
                    raise
                raise SdkParseError(sdk_parse_finding("a stream event", exc)) from exc
            finally:
                stream.close()
            code = stream_error_code(events)
            if retry != "never" and code in TRANSIENT_CODES:
                raise TransientStreamError(f"in-stream error event {code!r}", events)
            return events

        events = self._call("POST /responses stream (sdk)", run, retry=retry, sdk=True)
        self._learn_from_stream(events)
        return events

    def create_both(self, body: dict[str, Any], *, retry: Retry = True, headers: dict[str, str] | None = None) -> Exchange:
        """``POST /responses`` once, seen through both channels (`Exchange`): the SDK sends it (extra fields
        through ``extra_body``) and parses the answer; the raw answer is kept beside the typed object.
        An error status is returned (``.error`` set), not raised: the test judges it. ``headers`` are sent as
        well (e.g. the image-generation deployment header)."""
        body = self.tag(body)
        if body.get("stream"):
            raise ValueError("use stream_both() for stream=true")

        ex = self.call_both("POST /responses (both)",
                            lambda sdk: sdk.responses.with_raw_response.create(**_split_body(body), extra_headers=headers),
                            retry=retry, billed=True)
        if ex.error is None and body.get("store", True) is not False:
            self.cleanup.add_response(getattr(ex.sdk, "id", None), background=bool(body.get("background")))
            self._seen(ex.sdk)
        return ex

    def call_both(self, what: str, call: Callable[[openai.OpenAI], Any], *, retry: Retry = True,
                  billed: bool = False) -> Exchange:
        """Any SDK call made through ``with_raw_response`` (``lambda sdk: sdk.responses.with_raw_response
        .retrieve(rid)``), once, seen through both channels (`Exchange`); an error status is returned, not
        raised. ``billed=True`` when the call runs the model: its usage is charged to the budget."""

        def run() -> Exchange:
            try:
                raw = call(self.sdk)
            except openai.APIStatusError as exc:
                return Exchange(exc.response, None, exc)
            return Exchange(raw.http_response, raw.parse(), None)

        ex = self._call(what, run, retry=retry, sdk=True)
        self.evidence.channels.update(("sdk", "http"))
        self.evidence.saw(ex.http)
        if ex.error is None and billed:
            self._account(getattr(ex.sdk, "usage", None), getattr(ex.sdk, "model", None))
        request = getattr(ex.http, "request", None)
        method, path = (request.method, request.url.path) if request is not None else ("", "")
        if ex.error is None and method == "POST" and path.rstrip("/").endswith("/files"):
            self.cleanup.add_file(getattr(ex.sdk, "id", None), ex.sdk)  # an upload: deleted at cleanup
        deleted = _deleted_object(method, path) if ex.status < 300 else None
        if deleted:
            self.cleanup.forget(*deleted)
        elif ex.error is None and getattr(ex.sdk, "object", None) == "response":
            self._seen(ex.sdk)
        return ex

    def stream_both(self, body: dict[str, Any], *, retry: Retry = True, headers: dict[str, str] | None = None) -> StreamExchange:
        """``POST /responses`` with ``stream=true`` once, seen through both channels (`StreamExchange`):
        the SSE text and its events as dicts, and the SDK's typed events decoded from the same bytes."""
        body = self.tag({**body, "stream": True})
        return self.call_stream_both(
            "POST /responses stream (both)",
            lambda sdk: sdk.responses.with_raw_response.create(**_split_body(body), extra_headers=headers),
            retry=retry, creates=body)

    def call_stream_both(self, what: str, call: Callable[[openai.OpenAI], Any], *, retry: Retry = True,
                         creates: dict[str, Any] | None = None) -> StreamExchange:
        """Any streamed SDK call made through ``with_raw_response`` once, seen through both channels: a
        streamed create (`stream_both`), or a resumed one (``lambda sdk: sdk.responses.with_raw_response
        .retrieve(rid, stream=True, starting_after=3)``). ``creates``: the create body, when the call creates
        a response: the response the stream announces is registered for cleanup, and its usage charged (a
        resumed stream's usage is the original bill, not a new one). A transient in-stream `error` event, and a
        stream broken after its headers (``transport_error``), are retried like a 5xx; `last_stream_timing` is
        set."""
        from respcheck.validators.sse import parse_sse

        def run() -> StreamExchange:
            started = time.monotonic()
            try:
                raw = call(self.sdk)
            except openai.APIStatusError as exc:
                r = exc.response
                return StreamExchange(r.status_code, r.headers, r.text, [], [], exc)
            r = raw.http_response
            broken = self._read_timed(r, started)  # the whole stream; the SDK then decodes the same bytes
            events = parse_sse(r.text).events
            if creates is not None:
                self._register_announced(creates, events)
            typed: list[Any] = []
            sdk_error = None
            try:
                typed.extend(raw.parse())
            except openai.APIError as exc:
                sdk_error = exc  # the SDK raises at an `error` event; the typed events before it are kept
            except Exception as exc:  # noqa: BLE001 - anything else while decoding events is a parse failure
                if find_cassette_miss(exc):
                    raise
                if broken is None:  # a cut stream's last event may be cut too: not the SDK's failure
                    limited = self._sdk_read_event_blocks(raw, r, exc)
                    if limited is None:
                        raise SdkParseError(sdk_parse_finding("a stream event", exc)) from exc
                    typed, sdk_error = limited
            result = StreamExchange(r.status_code, r.headers, r.text, events, typed, None, sdk_error, broken)
            if broken is not None:
                raise TransientStreamError(f"stream broken after {len(r.content)} bytes ({broken})", result)
            self.evidence.saw(r)
            code = stream_error_code(events)
            if retry != "never" and code in TRANSIENT_CODES:
                raise TransientStreamError(f"in-stream error event {code!r}", result)
            return result

        ex = self._call(what, run, retry=retry, sdk=True)
        self.evidence.channels.update(("sdk", "http"))
        self._learn_from_stream(ex.events, billed=creates is not None)
        return ex

    def _sdk_read_event_blocks(self, raw: Any, r: Any, exc: BaseException) -> tuple[list[Any], Any] | None:
        """The SDK raised while decoding a stream. If the cause is legal SSE its decoder cannot read (a
        standalone ``retry:`` block, `validators.sse.sdk_unreadable`), the SDK decodes the stream's event
        blocks alone (`validators.sse.event_blocks`, the same bytes less those blocks) and the limitation is
        noted in `Evidence.sdk_notes`: an SDK limitation, not a service fault. Returns the typed events and
        what the SDK raised at an in-stream `error` event (as the caller's own reading keeps them); None: not
        that case (or the SDK fails on the event blocks too), so the caller reports ``sdk_parse_error``."""
        from respcheck.validators.sse import event_blocks, sdk_unreadable

        text = r.text  # read (and cached) before the body is swapped
        why = sdk_unreadable(text)
        cache = getattr(raw, "_parsed_by_type", None)
        if why is None or not isinstance(cache, dict):
            return None
        content = r._content
        typed: list[Any] = []
        sdk_error = None
        try:
            r._content = event_blocks(text).encode()
            cache.clear()
            try:
                typed.extend(raw.parse())
            except openai.APIError as err:
                sdk_error = err  # an in-stream `error` event: the typed events before it are kept
        except Exception:  # noqa: BLE001 - the SDK cannot read the events either: its parse error stands
            return None
        finally:
            r._content = content
            cache.clear()
        note = Finding("sdk_sse_limitation", f"openai {openai.__version__} cannot decode {why} "
                       f"({type(exc).__name__}: {_first_line(exc)}); legal SSE, so its typed events were "
                       "decoded from the stream's event blocks alone",
                       extra={"openai_version": openai.__version__})
        if str(note) not in self.evidence.sdk_notes:
            self.evidence.sdk_notes.append(str(note))
        return typed, sdk_error

    def sdk_call(self, what: str, fn: Callable[[], T], *, retry: Retry = True, billed: bool = False) -> T:
        """Any other SDK call (``lambda: client.sdk.responses.retrieve(rid)``) with the same handling.
        ``billed=True`` for a call that runs the model (``responses.parse``): the usage of what it returns is
        charged like a create's (a retrieve's usage is the old bill, not a new one)."""
        result = self._call(what, fn, retry=retry, sdk=True)
        if billed:
            self._account(getattr(result, "usage", None), getattr(result, "model", None))
        if getattr(result, "object", None) == "response":
            self._seen(result)
        return result

    # -- raw httpx channel -------------------------------------------------------------------------------
    def http_request(self, method: str, path: str, *, json: Any = None, retry: Retry = True, **kw: Any) -> httpx.Response:
        """A raw request relative to the base URL (``responses``, ``responses/{id}``); no SDK in between."""
        if isinstance(json, dict) and method == "POST" and path.rstrip("/") == "responses":
            json = self.tag(json)
        resp = self._call(f"{method} /{path}", lambda: self.http.request(method, path, json=json, **kw), retry=retry)
        self.evidence.saw(resp)
        self._after_http(method, path, json, resp)
        return resp

    def http_post(self, path: str, json: Any = None, *, retry: Retry = True, **kw: Any) -> httpx.Response:
        return self.http_request("POST", path, json=json, retry=retry, **kw)

    def http_get(self, path: str, *, retry: Retry = True, **kw: Any) -> httpx.Response:
        return self.http_request("GET", path, retry=retry, **kw)

    def http_delete(self, path: str, *, retry: Retry = True, **kw: Any) -> httpx.Response:
        return self.http_request("DELETE", path, retry=retry, **kw)

    def http_stream(self, path: str, json: Any = None, *, method: str = "POST", retry: Retry = True, **kw: Any) -> StreamResult:
        """A raw SSE exchange read to the end: ``(status, headers, text, events)`` with events as dicts."""
        if isinstance(json, dict) and method == "POST":
            json = self.tag({**json, "stream": True}) if path.rstrip("/") == "responses" else json

        from respcheck.validators.sse import parse_sse

        def run() -> StreamResult:
            started = time.monotonic()
            with self.http.stream(method, path, json=json, **kw) as r:
                broken = self._read_timed(r, started)  # .text works after the close
            parsed = parse_sse(r.text).events if r.status_code < 400 else []
            self._register_announced(json, parsed)
            result = StreamResult.of(r.status_code, r.headers, r.text, parsed, broken)
            if broken is not None:
                raise TransientStreamError(f"stream broken after {len(r.content)} bytes ({broken})", result)
            self.evidence.saw(r)
            code = stream_error_code(parsed)
            if retry != "never" and code in TRANSIENT_CODES:
                raise TransientStreamError(f"in-stream error event {code!r}", result)
            return result

        result = self._call(f"{method} /{path} stream", run, retry=retry)
        self._learn_from_stream(result.events)
        return result

    def _after_http(self, method: str, path: str, body: Any, resp: httpx.Response) -> None:
        if resp.status_code >= 300 or "json" not in resp.headers.get("content-type", ""):
            return
        deleted = _deleted_object(method, path)
        if deleted:
            self.cleanup.forget(*deleted)
            return
        try:
            data = resp.json()
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        self._account(data.get("usage"), data.get("model"))
        clean = path.strip("/")
        if method == "POST" and clean == "responses" and isinstance(body, dict) and body.get("store", True) is not False:
            self.cleanup.add_response(data.get("id"), background=bool(body.get("background")))
        if data.get("object") == "response":
            self._seen(data)
        elif method == "POST" and clean == "files":
            self.cleanup.add_file(data.get("id"), data)

    # -- teardown ----------------------------------------------------------------------------------------
    def run_cleanup(self) -> list[str]:
        """Delete/cancel what this client created (skipped in replay: nothing real exists)."""
        if self.target.mode == "replay" or not self.cleanup:
            self.cleanup = CleanupRegistry(ledger=self.ledger)
            return []
        return self.cleanup.run(self.http)


TERMINAL_STATUSES = frozenset({"completed", "failed", "incomplete", "cancelled"})


def check_replayed_body(response: Any, profile: str) -> None:
    """A replayed answer whose JSON body does not parse is a corrupt cassette (one `CassetteError` line, the
    test not-run), not the service's fault: left alone, the SDK would report it as an ``sdk_parse_error``
    FAIL of every test that reads it. Replayed bodies are in memory already, so reading one costs nothing;
    streams (SSE) are judged by the stream checker as they are."""
    if "json" not in response.headers.get("content-type", ""):
        return
    body = response.read()
    if not body.strip():
        return
    import json

    try:
        json.loads(body)
    except ValueError as exc:
        from respcheck.recorder import record_command

        request = response.request
        where = _active_cassette() or "the cassette"
        raise CassetteError(f"corrupt cassette {where}: the recorded answer to {request.method} {request.url.path} "
                            f"is not valid JSON ({_first_line(exc)})",
                            hint=f"re-record it with: {record_command(profile)}") from None


def _active_cassette() -> str | None:
    """The path of the cassette vcrpy is replaying, found in its patch of the transport (for the message)."""
    try:
        import httpx2
    except ImportError:  # pragma: no cover
        return None
    for transport in (httpx.HTTPTransport, httpx2.HTTPTransport):
        for cell in getattr(transport.handle_request, "__closure__", None) or ():
            path = getattr(cell.cell_contents, "_path", None)
            if isinstance(path, str):
                return path
    return None


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


_DELETABLE: dict[str, Kind] = {"responses": "response", "files": "file"}


def _deleted_object(method: str, path: str) -> tuple[Kind, str] | None:
    """(kind, id) when ``method path`` deletes a response or a file (``DELETE .../responses/{id}``)."""
    parts = path.strip("/").split("/")
    if method.upper() != "DELETE" or len(parts) < 2:
        return None
    kind = _DELETABLE.get(parts[-2])
    return (kind, parts[-1]) if kind else None


def _status_of(result: Any) -> tuple[int | None, Any]:
    """(HTTP status, headers) of what one attempt returned: a response, an `Exchange`, a `StreamExchange`
    or a ``(response, events)`` pair; (None, None) for an SDK object (its errors arrive as exceptions)."""
    if isinstance(result, StreamExchange | StreamResult):
        return result.status, result.headers
    http = result.http if isinstance(result, Exchange) else result[0] if isinstance(result, tuple) else result
    return getattr(http, "status_code", None), getattr(http, "headers", None)


def _transient(exc: BaseException) -> tuple[bool, str | None]:
    if isinstance(exc, TransientStreamError):
        return True, None
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIStatusError | openai.APIConnectionError):
        body = exc.body if isinstance(exc.body, dict) else {}
        code = body.get("code") or (body.get("error") or {}).get("code") if isinstance(body.get("error"), dict) else body.get("code")
        return str(code) in TRANSIENT_CODES, None  # the SDK raises an `error` event as a plain APIError
    if isinstance(exc, openai.APIStatusError):
        retry_after = exc.response.headers.get("retry-after") if exc.response is not None else None
        return exc.status_code in TRANSIENT_STATUS, retry_after
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError) or is_transport_error(exc):
        return True, None
    return False, None


@functools.cache
def _transport_errors() -> tuple[type[BaseException], ...]:
    """The transport errors worth another attempt, of httpx (the raw channel) and of httpx2 (the openai SDK's
    fork, with its own classes; optional, so an SDK on plain httpx works too): timeouts, network errors and
    a server that closed the connection mid-answer. Not: a bad URL, a proxy refusal, our own protocol bug."""
    kinds: list[type[BaseException]] = [httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError]
    try:
        import httpx2
    except ImportError:  # pragma: no cover - openai before 3.x
        return tuple(kinds)
    return (*kinds, httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)


def is_transport_error(exc: BaseException) -> bool:
    """A transient transport error of either HTTP library, also wrapped by the SDK (`openai.APIConnectionError`
    and `openai.APITimeoutError` name no status: the connection itself failed)."""
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError included; a status error is not one
        return find_in_chain(exc, ServiceFinding) is None
    return isinstance(exc, _transport_errors())


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0][:200] if text else ""


def _is_parse_failure(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIResponseValidationError):
        return True
    if isinstance(exc, openai.APIError):
        return False
    return isinstance(exc, ValueError | TypeError | KeyError | AttributeError | IndexError)
