"""Property-based contract tests: schemathesis generates create bodies from the contract, the service answers.

The property (issue: "generated valid and invalid create bodies -> a 2xx that conforms to the schema, or a
4xx in the error envelope, never a 5xx"):

* every answer is either a 2xx whose body conforms to the contract (schemathesis'
  ``response_schema_conformance`` + respcheck's ``check_response``), or a 4xx in the error envelope
  (``check_error_envelope``); never a 5xx (schemathesis' ``not_a_server_error``);
* a generated body that breaks the committed contract (``AzureCreateResponse``) is refused with a 4xx
  (schemathesis' ``negative_data_rejection``);
* streamed answers: every SSE event conforms to its schema (schemathesis reads them through the OAS 3.1
  ``contentSchema``) and the stream grammar holds (``check_stream``);
* generated malformed function tools (hypothesis: parameters that are not a JSON Schema, bad names, unknown
  types) are refused with a 4xx in the envelope, never accepted, never a 5xx;
* generated input_items queries (limit, order) answer the right slice of the list in the asked order, or a
  4xx in the envelope (that test, test_property_input_items_queries, is in test_create.py: it lists the input
  items of the chain that module stores; its generators are here); generated unknown previous_response_id
  values are refused (4xx), never ignored.

Every failure names the case (its body or query, shortened) and the check that failed: schemathesis' named
checks (``not_a_server_error``, ``response_schema_conformance``, ``negative_data_rejection``) or respcheck's.

WHY a reduced request schema: the contract's ``AzureCreateResponse`` admits built-in tools (web search, code
interpreter, image generation, remote MCP servers), huge strings and unbounded ``max_output_tokens``; sent to a
live deployment that costs money and calls out to random URLs. The generator works on a copy of the contract
whose create body keeps the cheap, side-effect free fields - their schemas are the contract's own where that
is safe - with tiny strings, ``model`` = the target's deployment and ``max_output_tokens`` capped (16..48).
Negative generation mutates that schema; whether a mutated body is really invalid is decided against the
committed contract, not against the reduction.

WHY the cases come from the cassette in replay: a replay must send exactly the recorded requests, whatever
hypothesis or schemathesis build a fresh install brings (their draws change between releases even with a
fixed seed). So each test asks ``client.cases(name, draw)`` (`respcheck.cases`): when recording, live or
against the reference server the generators draw (a fixed hypothesis seed, ``derandomize``, no database, no
shrinking, a fixed ``max_examples`` and an empty "local constant pool", so serial and ``-n 2`` runs draw the
same list) and a recording stores the drawn bodies in the cassette; a replay reads them back, in recorded
order, and never calls the generator. The bodies are sent one by one through the test's own ``client``
(vcrpy records it; schemathesis' own transport breaks under vcrpy for SSE) and schemathesis' checks run on
the answer, with each body turned back into a schemathesis case of the operation (``operation.Case``).
WHY respcheck's own ``negative_data_rejection``: schemathesis' check of that name needs the generation
metadata of a freshly drawn case, which a recorded body does not carry (it would silently pass); whether a
body is invalid is decided against the committed contract instead, the same way in every run. Valid bodies, streams, malformed
tools and unknown ids go through the SDK with the raw answer kept (``create_both`` / ``stream_both``: one
request judged on the wire and as the SDK's typed reading); generated invalid bodies go raw, byte for byte.

WHY so few cases live: a live run pays per request, so it sends the first case of each property (with
``store: false`` added where a body leaves store out); the reference server and replay keep every case.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import httpx
import jsonschema
import openai
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup

from respcheck import contract
from respcheck.attribution import own, owner
from respcheck.expect import fail_for
from respcheck.findings import render
from respcheck.recorder import ID_RE, PLACEHOLDER_TAIL
from respcheck.validators import (
    check_compaction,
    check_error_envelope,
    check_item_list,
    check_response,
    check_stream,
    event_blocks,
)
from respcheck.validators.response import usage_consistent
from respcheck.verdicts import not_applicable

CREATE = "AzureCreateResponse"
BODY = "RespcheckPropertyCreateBody"
SEED = 20261129
MAX_FAILING = 4  # a broken property shows in a few cases; stop sending there (live runs pay per request)
MAX_BODY_BYTES = 2048  # a generated body larger than this is dropped (live runs pay for every token)
CHECK_NAMES = {
    not_a_server_error: "not_a_server_error",
    response_schema_conformance: "response_schema_conformance",
}


# ---------------------------------------------------------------------------------------------- the schema
def _string(max_len: int, *, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["string", "null"] if nullable else "string", "minLength": 1, "maxLength": max_len}


def _body_schema(deployment: str, *, stream: bool) -> dict[str, Any]:
    """The create body the generator draws from: the contract's cheap fields, bounded."""
    props = contract.load()["components"]["schemas"][CREATE]["properties"]
    function_tool = {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "name", "parameters", "strict"],
        "properties": {
            "type": {"const": "function"},
            "name": {"type": "string", "pattern": "^[a-z][a-z_]{0,11}$"},
            "description": _string(24, nullable=True),
            # the strict-mode compatible empty object schema (strict=true requires additionalProperties false)
            "parameters": {"const": {"type": "object", "properties": {}, "required": [], "additionalProperties": False}},
            "strict": {"type": ["boolean", "null"]},
        },
    }
    message = {
        "type": "object",
        "additionalProperties": False,
        "required": ["role", "content"],
        "properties": {
            "type": {"const": "message"},
            "role": {"enum": ["user", "system", "developer"]},
            "content": _string(24),
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["model", "input", "max_output_tokens", *(["stream"] if stream else [])],
        "properties": {
            "model": {"const": deployment},
            "input": {"anyOf": [_string(24), {"type": "array", "minItems": 1, "maxItems": 2, "items": message}]},
            "instructions": _string(24, nullable=True),
            # JSON Schema's "integer" admits 42.0, which the service refuses (400): the plain run keeps that
            # probe, the streamed run draws whole numbers so most of its streams are accepted
            "max_output_tokens": {"enum": [16, 24, 32, 48]} if stream else {"type": "integer", "minimum": 16, "maximum": 48},
            "temperature": copy.deepcopy(props["temperature"]),
            "top_p": copy.deepcopy(props["top_p"]),
            "truncation": copy.deepcopy(props["truncation"]),
            "parallel_tool_calls": copy.deepcopy(props["parallel_tool_calls"]),
            "tool_choice": {"$ref": "#/components/schemas/OpenAI.ToolChoiceOptions"},
            "tools": {"type": "array", "maxItems": 1, "items": function_tool},
            "text": {
                "type": "object",
                "additionalProperties": False,
                "required": ["format"],
                "properties": {"format": {"type": "object", "additionalProperties": False, "required": ["type"],
                                          "properties": {"type": {"const": "text"}}}},
            },
            "metadata": {
                "type": "object",
                "maxProperties": 2,
                "propertyNames": {"pattern": "^[a-z]{1,8}$"},
                "additionalProperties": {"type": "string", "maxLength": 16},
            },
            "user": {"type": "string", "pattern": "^[a-z0-9]{1,12}$"},
            "store": {"const": False},  # nothing to clean up on a live target
            "stream": {"const": stream},
        },
    }


def _openapi(deployment: str, *, stream: bool) -> dict[str, Any]:
    """A copy of the contract whose only operation is POST /responses with the reduced body."""
    doc = copy.deepcopy(contract.load())
    op = doc["paths"]["/responses"]["post"]
    op["parameters"] = []  # api-version is the client's business, not generated
    op["requestBody"] = {"required": True,
                         "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{BODY}"}}}}
    op.pop("security", None)
    doc["paths"] = {"/responses": {"post": op}}
    doc["security"] = []
    doc["components"].pop("securitySchemes", None)
    doc["components"]["schemas"][BODY] = _body_schema(deployment, stream=stream)
    return doc


@lru_cache(maxsize=8)
def _operation(deployment: str, stream: bool) -> Any:
    schema = schemathesis.openapi.from_dict(_openapi(deployment, stream=stream))
    schema.config.generation.update(codec="ascii", allow_x00=False, with_security_parameters=False,
                                    allow_extra_parameters=False, no_shrink=True)
    schema.config.max_stream_events = 100_000  # validate every SSE event, not only the first 20
    return schema["/responses"]["POST"]


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=repr)


@contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis seeds generation with literals it scans from every *local* module in sys.modules (the
    "constant pool"); which modules are loaded differs between a plain run, pytest and each xdist worker, so
    the same seed drew different bodies. Give it an empty local pool while drawing (global constants stay)."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a hypothesis without the constant pool
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None or not hasattr(providers, "Constants"):
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def draw_examples(strategy: Any, attempts: int) -> list[Any]:
    """Up to `attempts` examples of `strategy`, the same in every process (fixed seed, no database, no
    shrinking, no local constant pool), whatever else the process has imported."""
    drawn: list[Any] = []

    @seed(SEED)
    @settings(max_examples=attempts, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False)
    @given(strategy)
    def draw(example: Any) -> None:
        drawn.append(example)

    with _without_local_constants():
        draw()
    return drawn


@lru_cache(maxsize=16)
def generate(deployment: str, mode: str, count: int, *, stream: bool = False) -> tuple[Any, ...]:
    """`count` schemathesis cases (distinct bodies, JSON-sendable, small), the same in every process."""
    operation = _operation(deployment, stream)
    drawn = draw_examples(operation.as_strategy(generation_mode=GenerationMode(mode)), count * 4)
    seen: set[str] = set()
    out = []
    for case in drawn:
        body = case.body
        try:
            text = json.dumps(body, sort_keys=True)
        except (TypeError, ValueError):  # bytes / NotSet bodies: not JSON, not what this test sends
            continue
        if len(text.encode()) > MAX_BODY_BYTES or text in seen:
            continue
        seen.add(text)
        out.append(case)
        if len(out) == count:
            break
    return tuple(out)


def digest(cases: Any) -> str:
    return hashlib.sha256("\n".join(_canonical(c.body) for c in cases).encode()).hexdigest()[:16]


def body_cases(operation: Any, bodies: list[Any]) -> tuple[Any, ...]:
    """Recorded (or just drawn) bodies as schemathesis cases of ``operation``, for its named checks."""
    return tuple(operation.Case(body=body, media_type="application/json") for body in bodies)


def drawn_bodies(target: Any, cases: tuple[Any, ...], least: int, what: str, pick: Any = None) -> list[Any]:
    """The bodies of generated ``cases`` a run sends (`for_target`), after checking the generator drew at
    least ``least`` of them (a generator that stopped drawing is a broken test, said when it happens)."""
    assert len(cases) >= least, f"the generator drew only {len(cases)} {what}"
    return [c.body for c in for_target(target, cases, pick=pick)]


# ---------------------------------------------------------------------------------------------- the checks
def short(body: Any, n: int = 160) -> str:
    text = _canonical(body)
    return text if len(text) <= n else text[: n - 3] + "..."


def contract_errors(body: Any) -> list[str]:
    """Errors of a generated body against the committed contract's create body (not the reduction)."""
    return contract.validate(CREATE, body)


def _failure_text(exc: BaseException) -> str:
    """One line per schemathesis failure: its title and the first lines of its message."""
    parts = getattr(exc, "exceptions", None) or [exc]
    out = []
    for part in parts:
        title = getattr(part, "title", "") or type(part).__name__
        message = getattr(part, "message", "") or str(part)
        message = " ".join(message.split()).split(" Validated against")[0].split(" Expected: ")[0]
        out.append(f"{title}: {message[:200]}")
    return "; ".join(out)


def schemathesis_failures(case: Any, response: httpx.Response, checks: list[Any]) -> list[str]:
    """Run schemathesis' named checks on an already received response; '<check>: <failure>' per failure."""
    try:
        response.elapsed  # noqa: B018 - schemathesis reads it
    except RuntimeError:
        # an answer replayed by vcrpy through some openai releases (3.60) carries no transport timing; none
        # of these checks judges time, so a zero duration stands in for it
        response.elapsed = datetime.timedelta(0)
    out = []
    for check in checks:
        try:
            case.validate_response(response, checks=[check])
        except (AssertionError, FailureGroup) as exc:  # Failure is an AssertionError, FailureGroup is not
            out.append(f"{CHECK_NAMES.get(check, getattr(check, '__name__', 'check'))}: {_failure_text(exc)}")
    return out


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def usage_problems(obj: Any, where: str) -> list[str]:
    """A finished response (completed / incomplete) reports its usage: an object whose totals add up."""
    if not isinstance(obj, dict) or obj.get("status") not in ("completed", "incomplete"):
        return []
    usage = obj.get("usage")
    if not isinstance(usage, dict):
        return [f"usage_reported: {where} has status {obj.get('status')!r} but usage {usage!r}"]
    found = usage_consistent(usage)
    return [f"usage_reported: {where}: " + render(found)] if found else []


ENVELOPE_CLAIMS = frozenset({"errors.envelope.shape"})
"""Behaviours whose claim includes the error envelope: their tests judge a 4xx's envelope themselves. For
any other test it is errors.envelope.shape's, judged on every error answer by the ambient checks
(`respcheck.attribution`), so one malformed envelope (an integer ``error.code``) does not fail every
property that met a 4xx: "tool call schema errors still show up as 400/500" is a claim about the status."""


def conformance(case: Any, resp: Any, claims: tuple[str, ...], schema_owner: str) -> list[str]:
    """schemathesis' no-5xx on every answer (every property's claim); its schema conformance, and the
    respcheck envelope check, only where this test owns the answer's schema: a 2xx when `schema_owner` is
    one of its `claims`, a 4xx when the envelope is (`ENVELOPE_CLAIMS`)."""
    status = resp.status_code
    envelope = status >= 400 and bool(ENVELOPE_CLAIMS & set(claims))
    checks = [not_a_server_error]
    if envelope or (status < 400 and schema_owner in claims):
        checks.append(response_schema_conformance)
    problems = schemathesis_failures(case, resp, checks)
    if envelope and status < 500:
        found = check_error_envelope(status, _json(resp))
        if found:
            problems.append("check_error_envelope: " + render(found))
    return problems


def answer_problems(case: Any, resp: Any, name: str, validate: Any, claims: tuple[str, ...]) -> list[str]:
    """What every answer owes this test (`claims`, whose first id owns the 2xx body): `conformance`, and
    the respcheck validator `validate` on a 2xx body (its findings this test owns, under `name`)."""
    problems = conformance(case, resp, claims, claims[0])
    if 200 <= resp.status_code < 300:
        found = own(validate(_json(resp)), *claims)
        if found:
            problems.append(f"{name}: " + render(found))
    return problems


def sent_body(client: Any, body: Any) -> Any:
    """The body as it goes on the wire: as generated; on a live target with ``store: false`` added where the
    generated body leaves store out (why the reduced schema's store is false-only: nothing to delete
    afterwards; no property here is about the store default). Reference and replay send it unchanged."""
    if client.target.mode == "live" and isinstance(body, dict) and "store" not in body:
        return {**body, "store": False}
    return body


def send(client: Any, body: Any) -> httpx.Response:
    """POST the body raw (a generated invalid body goes on the wire byte for byte, no SDK in between).
    ``retry=False``: the client still looks past transient 429/5xx answers and hands back what persists (a
    5xx on every attempt is the service's answer to this body)."""
    return client.http_request("POST", "responses", json=sent_body(client, body), retry=False)


def send_both(client: Any, body: dict[str, Any]) -> Any:
    """POST the body once through the SDK and keep the raw answer beside its typed reading (`Exchange`):
    one request for both channels. ``retry=False`` as in `send`."""
    return client.create_both(sent_body(client, body), retry=False)


def sdk_problems(ex: Any) -> list[str]:
    """The SDK's reading of the same answer: on a 2xx a typed Response that agrees with the wire (object,
    id, a finished status), otherwise an APIStatusError carrying the wire's status."""
    if 200 <= ex.status < 300:
        typed, raw = ex.sdk, ex.json() if isinstance(ex.json(), dict) else {}
        if typed is None:
            return [f"sdk_response: HTTP {ex.status} but the SDK produced no Response"]
        if (typed.object != "response" or not typed.id or typed.id != raw.get("id")
                or typed.status not in ("completed", "incomplete")):
            return [f"sdk_response: SDK Response object={typed.object!r} id={typed.id!r} status={typed.status!r} "
                    f"(the wire: id={raw.get('id')!r} status={raw.get('status')!r})"]
        return []
    if not isinstance(ex.error, openai.APIStatusError) or ex.error.status_code != ex.status:
        return [f"sdk_error: HTTP {ex.status} but the SDK raised {type(ex.error).__name__}, expected an "
                f"APIStatusError with status {ex.status}"]
    return []


def judge(case: Any, resp: httpx.Response, *, negative: bool, claims: tuple[str, ...]) -> list[str]:
    """The property for one answered case, as far as this test's `claims` go: named-check failures, empty
    when it holds."""
    invalid = contract_errors(case.body) if negative else []
    problems = conformance(case, resp, claims, "chaining.response.object_shape")
    status = resp.status_code
    payload = _json(resp)
    if 200 <= status < 300:
        found = own(check_response(payload), *claims)
        if found:
            problems.append("check_response: " + render(found))
        if "chaining.response.usage_totals" in claims:
            problems += usage_problems(payload, "the response")
        if ("chaining.response.error_null_on_success" in claims and isinstance(payload, dict)
                and payload.get("status") == "completed" and payload.get("incomplete_details") is not None):
            problems.append(f"error_null_on_success: status 'completed' with incomplete_details "
                            f"{payload.get('incomplete_details')!r}")
        if invalid:
            problems.append(f"negative_data_rejection: HTTP {status} for a body the contract rejects "
                            f"({invalid[0]})")
    elif 400 <= status < 500:
        pass  # a refusal: its envelope is judged by `conformance` where this test owns it
    elif status < 500:
        problems.append(f"unexpected_status: HTTP {status} (expected a 2xx or a 4xx)")
    return problems


def run_property(client: Any, cases: tuple[Any, ...], *, negative: bool,
                 claims: tuple[str, ...]) -> tuple[Counter, list[str]]:
    """Send every case; one failure line per case that breaks the property (the case's body, the checks).
    Across cases: every accepted body gets a response id of its own. Valid bodies go through the SDK with
    the raw answer kept (one request, both channels judged); invalid ones go raw, exactly as generated."""
    statuses: Counter = Counter()
    failures = []
    ids: dict[str, int] = {}
    for n, case in enumerate(cases):
        if len(failures) >= MAX_FAILING:
            failures.append(f"(stopped after {MAX_FAILING} failing cases; {len(cases) - n} not sent)")
            break
        if negative:
            resp, problems = send(client, case.body), []
        else:
            ex = send_both(client, case.body)
            resp, problems = ex.http, sdk_problems(ex)
        statuses[str(resp.status_code)] += 1
        problems = judge(case, resp, negative=negative, claims=claims) + problems
        rid = _json(resp).get("id") if 200 <= resp.status_code < 300 and isinstance(_json(resp), dict) else None
        if isinstance(rid, str):
            if rid in ids:
                problems.append(f"unique_response_id: id {rid!r} was already returned for case {ids[rid]}")
            ids.setdefault(rid, n)
        if problems:
            failures.append(case_failure(n, resp.status_code, f"body {short(case.body)}", problems))
    return statuses, failures


def case_failure(n: int, status: Any, what: str, problems: list[str]) -> str:
    """One broken case for `verdict_message`: its number, HTTP status, what was sent, and its problems."""
    return f"case {n}: HTTP {status} for {what}\n    - " + "\n    - ".join(p[:300] for p in problems)


PROBLEM_OWNERS = {
    "response_schema_conformance": "chaining.response.object_shape",
    "usage_reported": "chaining.response.usage_totals",
    "error_null_on_success": "chaining.response.error_null_on_success",
    "unique_response_id": "chaining.create.basic",
    "content_type": "streaming.events.incremental",
    "sdk_stream": "streaming.events.incremental",
    "sdk_stream_sequence": "streaming.sequence_number.monotonic",
    "retrieve_unknown": "chaining.retrieve.by_id",
}
"""Which behaviour a named problem of a case contradicts, where the test carries it (else its first claim)."""
_PROBLEM = re.compile(r"^\s+- (\w+): (.*)$")
_FINDING = re.compile(r"\[(\w+)\]")


def failure_owners(failures: list[str], claims: tuple[str, ...]) -> list[str]:
    """The claims the broken cases contradict: a rendered finding's owner (`respcheck.attribution`), a
    named problem's (`PROBLEM_OWNERS`), else the test's first claim (its main one)."""
    owners: list[str] = []
    for line in "\n".join(failures).splitlines():
        m = _PROBLEM.match(line)
        if not m:
            continue
        name, rest = m.groups()
        found = [o for o in (owner(c) for c in _FINDING.findall(rest)) if o in claims]
        named = PROBLEM_OWNERS.get(name)
        owners += found or ([named] if named in claims else [claims[0]])
    return list(dict.fromkeys(owners)) or [claims[0]]


def fail_property(kind: str, cases: Any, statuses: Counter, failures: list[str], claims: tuple[str, ...]) -> None:
    """Fail on behalf of the claims the broken cases contradict (a test carries several behaviours: a
    schema finding fails object_shape, not create.basic); nothing when no case broke."""
    if failures:
        fail_for(failure_owners(failures, claims), verdict_message(kind, tuple(cases), statuses, failures))


def verdict_message(kind: str, cases: tuple[Any, ...], statuses: Counter, failures: list[str]) -> str:
    broken = sum(1 for f in failures if f.startswith("case"))
    head = f"{broken} of {len(cases)} generated {kind} break the property (statuses {dict(statuses)}):"
    tail = [f"... and {len(failures) - 6} more case(s)"] if len(failures) > 6 else []
    return "\n".join([head, *failures[:6], *tail])


# ---------------------------------------------------------------------------------------------- the tests
POSITIVE = 24
NEGATIVE = 30
LIVE_CASES = 1
"""A live run (billed per request) sends the first generated case of each property (the first that `pick`
accepts, where a test passes one): the same deterministic list, thinned, so a live profile records and
replays the same requests, while the reference and replay runs keep the full breadth (the selftest judges
the suite against the reference server)."""


def for_target(target: Any, cases: tuple[Any, ...], live: int = LIVE_CASES, pick: Any = None) -> tuple[Any, ...]:
    if target.mode != "live":
        return cases
    return tuple(c for c in cases if pick is None or pick(c))[:live]


VALID_CLAIMS = ("chaining.create.basic", "chaining.response.object_shape", "chaining.response.usage_totals",
                "chaining.response.error_null_on_success")


@pytest.mark.behaviour(*VALID_CLAIMS)
def test_property_valid_bodies_conform(client, target, observe):
    """'Use the Azure OpenAI Responses API to generate stateful, multi-turn responses.'
    '"model": "gpt-4o-2024-08-06", "object": "response", "output": ['
    '"error": null, "incomplete_details": null,'
    '"usage": { "input_tokens": 405, "output_tokens": 285, ... "total_tokens": 690 },'
    Generated valid create bodies: a 2xx whose body conforms to the contract, or a 4xx in the error
    envelope; never a 5xx."""
    bodies = client.cases("valid_bodies", lambda: drawn_bodies(
        target, generate(target.deployment, "positive", POSITIVE), POSITIVE // 2, "valid bodies"))
    cases = body_cases(_operation(target.deployment, False), bodies)
    observe("contract.property.positive.digest", digest(cases))

    statuses, failures = run_property(client, cases, negative=False, claims=VALID_CLAIMS)
    observe("contract.property.positive.statuses", dict(statuses))
    fail_property("valid bodies", cases, statuses, failures, VALID_CLAIMS)
    ok = sum(v for k, v in statuses.items() if k.startswith("2"))
    assert ok, f"no generated valid body was accepted (statuses {dict(statuses)})"


@pytest.mark.behaviour("errors.tool_schema.status_400_500")
def test_property_invalid_bodies_rejected(client, target, observe):
    """'Tool call schema errors still show up as 400/500.'
    Generated invalid create bodies (schemathesis negative mode): a 4xx in the error envelope, never a 5xx;
    a body the contract rejects is never accepted."""
    bodies = client.cases("invalid_bodies", lambda: drawn_bodies(
        target, generate(target.deployment, "negative", NEGATIVE), NEGATIVE // 2, "invalid bodies",
        pick=lambda c: bool(contract_errors(c.body))))  # live: one the contract refuses
    cases = body_cases(_operation(target.deployment, False), bodies)
    invalid = sum(1 for c in cases if contract_errors(c.body))
    observe("contract.property.negative.digest", digest(cases))
    observe("contract.property.negative.contract_invalid", invalid)

    statuses, failures = run_property(client, cases, negative=True, claims=("errors.tool_schema.status_400_500",))
    observe("contract.property.negative.statuses", dict(statuses))
    fail_property("invalid bodies", cases, statuses, failures, ("errors.tool_schema.status_400_500",))


STREAMED = 8
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def _as_httpx(client: Any, wire: Any) -> httpx.Response:
    """The recorded SSE exchange as an httpx.Response schemathesis can validate (all events, not 20)."""
    status, headers, text, _events = wire.wire
    request = httpx.Request("POST", f"{client.target.base_url.rstrip('/')}/responses")
    # schemathesis reads each SSE block as an event: the legal standalone retry:/id: blocks and the data: [DONE]
    # sentinel are not events of the contract, so it gets the event blocks only (the framing is check_stream's)
    resp = httpx.Response(status, headers=dict(headers), content=event_blocks(text).encode("utf-8"), request=request)
    resp.elapsed = datetime.timedelta(0)  # schemathesis reads it; the real timing is in the recorded exchange
    return resp


STREAM_CLAIMS = ("streaming.events.incremental", "streaming.sequence_number.monotonic", "chaining.create.basic",
                 "chaining.response.usage_totals")


@pytest.mark.behaviour(*STREAM_CLAIMS)
def test_property_streamed_bodies_conform(client, target, observe):
    """'The service emits incremental events you can consume to render output token-by-token.'
    'Track your position with the sequence_number from each event.'
    Generated valid create bodies with stream=true: every SSE event conforms to its schema (schemathesis,
    OAS 3.1 contentSchema) and the stream grammar holds, or a 4xx in the error envelope; never a 5xx."""
    bodies = client.cases("streamed_bodies", lambda: drawn_bodies(
        target, generate(target.deployment, "positive", STREAMED, stream=True), STREAMED // 2, "streamed bodies"))
    cases = body_cases(_operation(target.deployment, True), bodies)
    observe("contract.property.stream.digest", digest(cases))

    statuses: Counter = Counter()
    failures = []
    events_seen = 0
    for n, case in enumerate(cases):
        if len(failures) >= MAX_FAILING:
            failures.append(f"(stopped after {MAX_FAILING} failing cases; {len(cases) - n} not sent)")
            break
        # one stream, both channels: the SSE bytes and the SDK's typed events decoded from them
        wire = client.stream_both(sent_body(client, case.body), retry=False)
        statuses[str(wire.status)] += 1
        # the events' schemas are streaming.events.schema's, a refusal's envelope errors.envelope.shape's
        # (ambient checks): this test judges framing, grammar, sequence numbers and the reported usage
        problems = conformance(case, _as_httpx(client, wire), STREAM_CLAIMS, "streaming.events.schema")
        if 200 <= wire.status < 300:
            if not wire.headers.get("content-type", "").startswith("text/event-stream"):
                problems.append(f"content_type: {wire.headers.get('content-type')!r}, expected text/event-stream")
            framing = own(wire.parsed().findings, *STREAM_CLAIMS)
            if framing:
                problems.append("sse_framing: " + render(framing))
            grammar = own(check_stream(wire.events), *STREAM_CLAIMS)
            if grammar:
                problems.append("check_stream: " + render(grammar))
            terminal = next((e for e in reversed(wire.events) if e.get("type") in TERMINAL), None)
            if terminal is not None:
                problems += usage_problems(terminal.get("response"), f"the {terminal['type']} event's response")
            events_seen += len(wire.events)
            problems += sdk_stream_problems(wire)
        if problems:
            failures.append(case_failure(n, wire.status, f"body {short(case.body)}", problems))
    observe("contract.property.stream.statuses", dict(statuses))
    observe("contract.property.stream.events", events_seen)
    fail_property("streamed bodies", cases, statuses, failures, STREAM_CLAIMS)
    assert any(k.startswith("2") for k in statuses), f"no generated streamed body was accepted ({dict(statuses)})"


def sdk_stream_problems(wire: Any) -> list[str]:
    """The SDK channel of an accepted stream: typed events read from the same bytes, ending finished, with
    contiguous sequence numbers."""
    typed = wire.sdk_events
    last = typed[-1].type if typed else None
    seq = [getattr(e, "sequence_number", None) for e in typed]
    out = []
    if last not in ("response.completed", "response.incomplete"):
        out.append(f"sdk_stream: the SDK's typed events end with {last!r}, expected response.completed/incomplete")
    if not seq or None in seq or seq != list(range(seq[0], seq[0] + len(seq))):
        out.append(f"sdk_stream_sequence: the SDK read sequence numbers {seq[:12]}, expected contiguous ones")
    return out


# ------------------------------------------------------------------------------------- malformed tools
def _malformed_tools() -> list[tuple[str, Any, int]]:
    """Function tools that break the tool contract, by kind (name, strategy, how many to send): parameters
    that are not a JSON Schema, a name that is not a string or breaks ^[a-zA-Z0-9_-]+$, no name, an unknown
    tool type."""
    name = st.from_regex(r"\A[a-z][a-z_]{0,7}\Z")
    small = st.text(alphabet="abc", min_size=1, max_size=4)
    digits = st.lists(st.integers(0, 9), min_size=1, max_size=2)
    bad_type = st.one_of(st.sampled_from(["banana", "str", "int", "dict", "objekt"]), st.integers(-3, 3),
                         st.just(["object", 7]))
    obj = st.just("object")
    bad_parameters = st.one_of(
        st.fixed_dictionaries({"type": bad_type}),
        st.fixed_dictionaries({"type": obj, "properties": st.one_of(st.integers(-9, 9), small, digits)}),
        st.fixed_dictionaries({"type": obj, "properties": st.dictionaries(name, st.fixed_dictionaries({"type": bad_type}),
                                                                          min_size=1, max_size=2)}),
        st.fixed_dictionaries({"type": obj, "required": st.one_of(st.integers(-9, 9), small, digits)}),
        st.fixed_dictionaries({"type": obj, "additionalProperties": st.one_of(st.integers(-9, 9), small)}),
        st.fixed_dictionaries({"type": obj, "minProperties": st.one_of(st.integers(-9, -1), small)}),
        st.one_of(st.integers(-9, 9), small, digits),  # parameters that are not an object at all
    )
    return [
        ("parameters", st.fixed_dictionaries({"type": st.just("function"), "name": name, "parameters": bad_parameters},
                                             optional={"strict": st.booleans()}), 12),
        ("name", st.fixed_dictionaries({"type": st.just("function"), "name": st.one_of(
            st.integers(-9, 9), digits, st.just({}), st.from_regex(r"\A[a-z]{1,4}[ .!][a-z]{1,4}\Z"))}), 6),
        ("no_name", st.fixed_dictionaries({"type": st.just("function")}), 1),
        ("type", st.fixed_dictionaries({"type": st.one_of(st.sampled_from(["banana", "functions", "Function"]),
                                                          st.integers(0, 9), st.lists(st.just("function"), min_size=1, max_size=2)),
                                        "name": name}), 5),
    ]


def malformed(tool: Any) -> bool:
    """True when the tool really is malformed (drawn parameters could happen to form a valid schema)."""
    if not isinstance(tool, dict) or tool.get("type") != "function":
        return True
    if not isinstance(tool.get("name"), str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", tool["name"]):
        return True
    params = tool.get("parameters")
    if not isinstance(params, dict):
        return True
    try:
        jsonschema.Draft202012Validator.check_schema(params)
    except jsonschema.SchemaError:
        return True
    return False


@lru_cache(maxsize=4)
def malformed_tool_bodies(deployment: str) -> tuple[dict[str, Any], ...]:
    seen: set[str] = set()
    out = []
    for _kind, strategy, quota in _malformed_tools():
        taken = 0
        for tool in draw_examples(strategy, quota * 6):
            text = _canonical(tool)
            if text in seen or not malformed(tool):
                continue
            seen.add(text)
            out.append({"model": deployment, "input": "Say hi.", "max_output_tokens": 16, "store": False,
                        "tools": [tool]})
            taken += 1
            if taken == quota:
                break
    return tuple(out)


MALFORMED_TOOLS = 24


@pytest.mark.behaviour("errors.tool_schema.status_400_500")
def test_property_malformed_tool_schemas_rejected(client, target, observe):
    """'Tool call schema errors still show up as 400/500.'
    Generated malformed function tools (hypothesis): every one is refused with a 4xx in the error envelope;
    none is accepted, and none is answered with a 5xx (the issue's property; the status mix is recorded)."""
    def draw() -> list[Any]:
        drawn = malformed_tool_bodies(target.deployment)
        assert len(drawn) >= MALFORMED_TOOLS // 2, f"the generator drew only {len(drawn)} malformed tools"
        return list(for_target(target, drawn))

    bodies = client.cases("malformed_tool_bodies", draw)
    observe("contract.property.tools.digest", hashlib.sha256("\n".join(map(_canonical, bodies)).encode()).hexdigest()[:16])
    operation = _operation(target.deployment, False)

    statuses: Counter = Counter()
    failures = []
    for n, body in enumerate(bodies):
        if len(failures) >= MAX_FAILING:
            failures.append(f"(stopped after {MAX_FAILING} failing cases; {len(bodies) - n} not sent)")
            break
        ex = send_both(client, body)  # the raw answer and the SDK's reading of it, one request
        resp = ex.http
        statuses[str(resp.status_code)] += 1
        case = operation.Case(body=body, media_type="application/json")
        problems = conformance(case, resp, ("errors.tool_schema.status_400_500",), "chaining.response.object_shape")
        if 200 <= resp.status_code < 300:
            problems.append(f"malformed_tool_accepted: HTTP {resp.status_code}, expected 400")
        elif 400 <= resp.status_code < 500:
            # the SDK channel: openai.responses.create raises a 4xx APIStatusError for the same answer
            problems += sdk_problems(ex)
        if problems:
            failures.append(case_failure(n, resp.status_code, f"tool {short(body['tools'][0])}", problems))
    observe("errors.tool_schema.status_400_500", dict(statuses))
    fail_property("malformed tools", bodies, statuses, failures, ("errors.tool_schema.status_400_500",))


# ------------------------------------------------------------------------------------- input_items queries
ITEMS_PATH = "/responses/{response_id}/input_items"
ITEMS_QUERIES = 16


@lru_cache(maxsize=2)
def _items_operation() -> Any:
    """The contract's GET input_items with its limit and order parameters. after/before need ids of this
    response's items (a generated string names none), api-version is the client's business; limit gets the
    range its contract description gives ('Limit can range between 1 and 100')."""
    doc = copy.deepcopy(contract.load())
    op = doc["paths"][ITEMS_PATH]["get"]
    op["parameters"] = [p for p in op["parameters"] if p.get("name") in ("response_id", "limit", "order")]
    for p in op["parameters"]:
        if p["name"] == "limit":
            p["schema"] = {**p["schema"], "minimum": 1, "maximum": 100}
    op.pop("security", None)
    doc["paths"] = {ITEMS_PATH: {"get": op}}
    doc["security"] = []
    doc["components"].pop("securitySchemes", None)
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.generation.update(codec="ascii", allow_x00=False, with_security_parameters=False,
                                    allow_extra_parameters=False, no_shrink=True)
    return schema[ITEMS_PATH]["GET"]


@lru_cache(maxsize=4)
def items_queries(mode: str, count: int) -> tuple[Any, ...]:
    """Generated cases for a fixed placeholder id (the real id differs per run; only the query is used)."""
    strategy = _items_operation().as_strategy(generation_mode=GenerationMode(mode),
                                              path_parameters={"response_id": "resp_placeholder"})
    seen: set[str] = set()
    out = []
    for case in draw_examples(strategy, count * 4):
        query = case.query or {}
        text = _canonical(query)
        scalar = all(isinstance(v, str | int | float | bool) or v is None for v in query.values())
        if text in seen or len(text) > 512 or not scalar:
            continue
        seen.add(text)
        out.append(case)
        if len(out) == count:
            break
    return tuple(out)


ITEMS_INPUT = ("My name is Ada.", "Reply with OK.")
"""The two input messages whose input_items are listed, oldest first."""


def item_text(item: Any) -> str:
    """The text of a listed input message (a string content or its text parts)."""
    content = item.get("content") if isinstance(item, dict) else None
    if isinstance(content, str):
        return content
    return "".join(str(p.get("text", "")) for p in content or [] if isinstance(p, dict))


def items_problems(case: Any, resp: Any, query: dict[str, Any], full: list[Any]) -> list[str]:
    """The property for one answered listing: a conforming page that is the right slice of `full` (the item
    ids, oldest first) in the asked order (desc by default), or a 4xx in the envelope; never a 5xx."""
    problems = answer_problems(case, resp, "check_item_list", check_item_list, ("chaining.input_items.list",))
    payload = _json(resp)
    limit, order = query.get("limit", 20), query.get("order", "desc")
    if (200 <= resp.status_code < 300 and isinstance(payload, dict) and isinstance(limit, int)
            and order in ("asc", "desc")):
        want = (full if order == "asc" else full[::-1])[:limit]
        got = [it.get("id") for it in payload.get("data") or [] if isinstance(it, dict)]
        if got != want:
            problems.append(f"page_slice: order={order} limit={limit} listed {got}, expected {want}")
        if payload.get("has_more") is not (len(full) > limit):
            problems.append(f"has_more: {payload.get('has_more')!r} with {len(full)} items and limit {limit}")
    return problems


def input_items_queries(client: Any) -> list[dict[str, Any]]:
    """The generated input_items queries a run sends (schemathesis, valid and invalid; recorded in the
    cassette, read back in replay): every one on the reference and in replay, none live (there the one
    listing without a query is the check; the generated queries are the reference's and replay's breadth)."""

    def draw() -> list[Any]:
        generated = items_queries("positive", ITEMS_QUERIES) + items_queries("negative", ITEMS_QUERIES)
        return [dict(c.query or {}) for c in for_target(client.target, generated, live=0)]

    return client.cases("input_items_queries", draw)


def items_case(rid: str, query: dict[str, Any]) -> Any:
    """A listing query of the response ``rid`` as a case of the contract's GET input_items."""
    return _items_operation().Case(path_parameters={"response_id": rid}, query=query)


def default_items_case(rid: str) -> Any:
    """The listing without a query, as a case of the contract's GET input_items (for schemathesis' checks)."""
    return items_case(rid, {})


def queries_digest(cases: tuple[Any, ...]) -> str:
    return hashlib.sha256("\n".join(_canonical(c.query) for c in cases).encode()).hexdigest()[:16]


# test_property_input_items_queries lives in test_create.py, beside the stored chain it lists the input items
# of (a live run pays for every stored response and for its DELETE at cleanup): the generators are here.


# ------------------------------------------------------------------------------------- unknown response ids
UNKNOWN_IDS = 16
WELL_FORMED_ID = re.compile(r"resp_[0-9a-f]{48}")


@lru_cache(maxsize=2)
def _previous_operation(deployment: str) -> Any:
    """POST /responses whose body is a tiny chained turn: only previous_response_id is generated (the
    contract's string, or one shaped like a real id that no response has)."""
    doc = _openapi(deployment, stream=False)
    props = contract.load()["components"]["schemas"][CREATE]["properties"]
    doc["components"]["schemas"][BODY] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["model", "input", "max_output_tokens", "store", "previous_response_id"],
        "properties": {
            "model": {"const": deployment},
            "input": {"const": "What is my name?"},
            "max_output_tokens": {"const": 16},
            "store": {"const": False},
            "previous_response_id": {"anyOf": [
                # shaped like a real id (48 hex digits) and like the recorder's id placeholders (40 zeros
                # first), so the cassette keeps it verbatim and replay sends the same bytes
                {"type": "string", "pattern": "^resp_0{40}[0-9a-f]{8}$"},
                {**{k: v for k, v in props["previous_response_id"].items() if k != "description"},
                 "type": "string", "minLength": 1, "maxLength": 40},
            ]},
        },
    }
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.generation.update(codec="ascii", allow_x00=False, with_security_parameters=False,
                                    allow_extra_parameters=False, no_shrink=True)
    return schema["/responses"]["POST"]


@lru_cache(maxsize=2)
def unknown_id_cases(deployment: str, count: int) -> tuple[Any, ...]:
    seen: set[str] = set()
    shaped: list[Any] = []
    other: list[Any] = []
    for case in draw_examples(_previous_operation(deployment).as_strategy(), count * 6):
        prev = case.body.get("previous_response_id") if isinstance(case.body, dict) else None
        if not isinstance(prev, str) or prev in seen:
            continue
        if any(not PLACEHOLDER_TAIL.match(m.group(2) or m.group(4)) for m in ID_RE.finditer(prev)):
            continue  # the recorder would rewrite it to a placeholder: record and replay would differ
        seen.add(prev)
        (shaped if WELL_FORMED_ID.fullmatch(prev) else other).append(case)
    half = count // 2
    return tuple(shaped[:half] + other[: count - min(half, len(shaped))])


UNKNOWN_ID_CLAIMS = ("chaining.previous_response_id.carries_context", "chaining.retrieve.by_id")


@pytest.mark.behaviour(*UNKNOWN_ID_CLAIMS)
def test_property_unknown_response_ids_rejected(client, target, observe):
    """'You can chain responses together by passing the response.id from the previous response to the
    previous_response_id parameter.' A previous_response_id no response has (generated: shaped like a real
    id, or any string) is refused with a 4xx in the error envelope - never silently ignored (2xx), never a
    5xx; GET /responses/{id} of an unknown well-formed id answers 404."""
    bodies = client.cases("unknown_id_bodies", lambda: drawn_bodies(
        target, unknown_id_cases(target.deployment, UNKNOWN_IDS), UNKNOWN_IDS // 2, "ids"))
    cases = body_cases(_previous_operation(target.deployment), bodies)
    observe("contract.property.unknown_ids.digest",
            hashlib.sha256("\n".join(_canonical(c.body) for c in cases).encode()).hexdigest()[:16])
    statuses: Counter = Counter()
    failures = []
    for n, case in enumerate(cases):
        if len(failures) >= MAX_FAILING:
            failures.append(f"(stopped after {MAX_FAILING} failing cases; {len(cases) - n} not sent)")
            break
        prev = case.body["previous_response_id"]
        ex = send_both(client, case.body)  # the raw answer and the SDK's reading of it, one request
        resp = ex.http
        statuses[str(resp.status_code)] += 1
        # the refusal's envelope is errors.envelope.shape's (ambient checks): here, that it is refused
        problems = conformance(case, resp, UNKNOWN_ID_CLAIMS, "chaining.response.object_shape")
        if 200 <= resp.status_code < 300:
            problems.append(f"unknown_id_accepted: HTTP {resp.status_code}; an unknown previous_response_id must be refused")
        elif 400 <= resp.status_code < 500:
            # the SDK channel: openai.responses.create raises a 4xx APIStatusError for the same answer
            problems += sdk_problems(ex)
        if WELL_FORMED_ID.fullmatch(prev):
            got = client.http_get(f"responses/{prev}", retry=False)
            statuses[f"GET {got.status_code}"] += 1
            if got.status_code != 404:
                problems.append(f"retrieve_unknown: GET /responses/{prev} answered HTTP {got.status_code}, expected 404")
        if problems:
            failures.append(case_failure(n, resp.status_code, f"previous_response_id {short(prev, 70)}", problems))
    observe("contract.property.unknown_ids.statuses", dict(statuses))
    fail_property("unknown ids", cases, statuses, failures, UNKNOWN_ID_CLAIMS)


# ------------------------------------------------------------------------------------- /responses/compact
COMPACT = "OpenAISpec.CompactResponseMethodPublicBody"
COMPACT_POSITIVE = 10
COMPACT_NEGATIVE = 12


@lru_cache(maxsize=2)
def _compact_operation(deployment: str) -> Any:
    """The contract's POST /responses/compact with a bounded body: the deployment, a tiny input (a string or
    one or two messages), optional instructions and prompt_cache_key (the contract's own schema)."""
    doc = copy.deepcopy(contract.load())
    op = doc["paths"]["/responses/compact"]["post"]
    op["parameters"] = []
    op.pop("security", None)
    props = doc["components"]["schemas"][COMPACT]["properties"]
    body_name = "RespcheckPropertyCompactBody"
    op["requestBody"] = {"required": True,
                         "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body_name}"}}}}
    doc["paths"] = {"/responses/compact": {"post": op}}
    doc["security"] = []
    doc["components"].pop("securitySchemes", None)
    message = _body_schema(deployment, stream=False)["properties"]["input"]["anyOf"][1]
    doc["components"]["schemas"][body_name] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["model", "input"],
        "properties": {
            "model": {"const": deployment},
            "input": {"anyOf": [_string(24), message]},
            "instructions": _string(24, nullable=True),
            "prompt_cache_key": copy.deepcopy(props["prompt_cache_key"]),
        },
    }
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.generation.update(codec="ascii", allow_x00=False, with_security_parameters=False,
                                    allow_extra_parameters=False, no_shrink=True)
    return schema["/responses/compact"]["POST"]


@lru_cache(maxsize=4)
def compact_cases(deployment: str, mode: str, count: int) -> tuple[Any, ...]:
    seen: set[str] = set()
    out = []
    for case in draw_examples(_compact_operation(deployment).as_strategy(generation_mode=GenerationMode(mode)), count * 4):
        try:
            text = json.dumps(case.body, sort_keys=True)
        except (TypeError, ValueError):
            continue
        if len(text.encode()) > MAX_BODY_BYTES or text in seen:
            continue
        seen.add(text)
        out.append(case)
        if len(out) == count:
            break
    return tuple(out)


@pytest.mark.behaviour("compaction.endpoint.compact")
def test_property_compact_bodies(client, target, observe):
    """'POST /responses/compact takes a model and an input array (any earlier items) and returns a compacted
    output list.' Generated valid and invalid compact bodies (schemathesis): a 2xx response.compaction
    object that conforms (with its compaction item), or a 4xx in the error envelope; never a 5xx."""
    operation = _compact_operation(target.deployment)
    positive = body_cases(operation, client.cases("compact_positive", lambda: [
        c.body for c in for_target(target, compact_cases(target.deployment, "positive", COMPACT_POSITIVE))]))
    negative = body_cases(operation, client.cases("compact_negative", lambda: [
        c.body for c in for_target(target, compact_cases(target.deployment, "negative", COMPACT_NEGATIVE), live=0)]))
    cases = [(c, False) for c in positive] + [(c, True) for c in negative]
    observe("contract.property.compact.digest",
            hashlib.sha256("\n".join(_canonical(c.body) for c, _ in cases).encode()).hexdigest()[:16])

    statuses: Counter = Counter()
    failures = []
    for n, (case, neg) in enumerate(cases):
        if len(failures) >= MAX_FAILING:
            failures.append(f"(stopped after {MAX_FAILING} failing cases; {len(cases) - n} not sent)")
            break
        resp = client.http_request("POST", "responses/compact", json=case.body, retry=False)
        statuses[f"{'negative' if neg else 'positive'} {resp.status_code}"] += 1
        if n == 0 and resp.status_code == 404:
            not_applicable(f"POST /responses/compact answered 404 for a valid body: {resp.text[:160]}")
        # WHY no negative_data_rejection here: the contract's compact input items (OpenAI.ItemParam) reject
        # the plain {"role", "content"} messages the docs send, so "contract-invalid" is no verdict for them
        problems = answer_problems(case, resp, "check_compaction", check_compaction, ("compaction.endpoint.compact",))
        if problems:
            failures.append(case_failure(n, resp.status_code, f"body {short(case.body)}", problems))
    observe("contract.property.compact.statuses", dict(statuses))
    fail_property("compact bodies", [c for c, _ in cases], statuses, failures, ("compaction.endpoint.compact",))
    assert any(k.startswith("positive 2") for k in statuses), f"no generated valid compact body was accepted ({dict(statuses)})"
