"""One behaviour, one cause: which catalogue behaviour owns each named check, and the ambient checks.

Why: every exchange a test sees can break shallow rules (a response's schema, an error envelope, SSE
framing, sequence numbers) that are not what the test was written for. If each test asserted them all, one
shallow deviation would fail dozens of unrelated behaviours and hide what each test is for. So:

* `AMBIENT` declares named ambient checks (the schemathesis idea of named checks), each owned by one
  catalogue behaviour and covering the `Finding.check` names the validators return;
* the client runs them once on every answer it sees (`observe`) and keeps the observations in the test's
  evidence; the plugin turns them into one result record per ambient check (``ambient::<name>``), failing
  with the first findings (test nodeid and request id as evidence) or passing once an answer was clean;
* a test asserts only the findings its own behaviours own (`own`) and goes on to judge its claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from respcheck.findings import Finding


@dataclass(frozen=True)
class AmbientCheck:
    """A named ambient check: the behaviour that owns it and the validator check names it covers."""

    name: str
    owner: str
    checks: frozenset[str]
    what: str
    """What the check judges, for the result record ("every response object's shape and schema")."""


def _c(*names: str) -> frozenset[str]:
    return frozenset(names)


AMBIENT: tuple[AmbientCheck, ...] = (
    AmbientCheck("response_object", "chaining.response.object_shape",
                 _c("response_object", "response_id", "response_status", "response_output", "output_item_rules",
                    "response_schema"),
                 "every response object: object/id/status/output rules and the contract schema"),
    AmbientCheck("usage_totals", "chaining.response.usage_totals", _c("usage_consistent"),
                 "every reported usage: total_tokens = input_tokens + output_tokens, details within totals"),
    AmbientCheck("error_envelope", "errors.envelope.shape",
                 _c("error_envelope_status", "error_envelope_shape", "error_envelope_schema"),
                 "every error answer: an error object with a message and string (or null) code, type, param"),
    AmbientCheck("sse_framing", "streaming.events.incremental",
                 _c("sse_nothing_after_done", "sse_data_is_json", "sse_data_is_object", "sse_event_name_matches_type",
                    "sse_block_has_data", "sse_known_field", "sse_block_terminated"),
                 "every event stream's SSE framing: event names equal data.type, JSON object data, blank-line ends"),
    AmbientCheck("stream_sequence_numbers", "streaming.sequence_number.monotonic",
                 _c("sequence_number_present", "sequence_numbers_start_at_zero_and_rise_by_one"),
                 "every stream's sequence_number: present, from 0 (or starting_after + 1), rising by one"),
    AmbientCheck("stream_lifecycle", "streaming.events.incremental",
                 _c("event_is_typed_object", "created_first", "lifecycle_order", "background_lifecycle",
                    "lifecycle_snapshot_status", "response_id_consistent", "exactly_one_terminal_event",
                    "terminal_matches_final_status", "output_items_paired", "output_index_sequential",
                    "indices_consistent", "content_parts_paired", "tool_call_events_ordered", "check_crashed"),
                 "every stream's event grammar: created first, items and parts opened and closed, one terminal event"),
    AmbientCheck("stream_event_schema", "streaming.events.schema", _c("event_schema"),
                 "every stream event against the contract schema of its type"),
    AmbientCheck("stream_text", "streaming.output_text.delta",
                 _c("deltas_concatenate_to_done", "done_events_agree", "done_text_matches_final_response"),
                 "every stream's deltas: they add up to the .done values and to the terminal response"),
    AmbientCheck("stream_error_event", "streaming.error_event.in_stream", _c("error_event_shape", "error_event_ends_stream"),
                 "every in-stream error event: a message and code, followed only by response.failed"),
    AmbientCheck("item_list", "chaining.input_items.list", _c("item_list_object", "item_list_schema"),
                 "every input_items page: a list object with data, first_id/last_id, has_more"),
    AmbientCheck("compaction_object", "compaction.endpoint.compact", _c("compaction_object", "compaction_schema"),
                 "every /responses/compact answer: object response.compaction with a compaction item"),
    AmbientCheck("deleted_object", "chaining.delete.by_id", _c("deleted_object"),
                 "every DELETE /responses/{id} answer: {id, object: response.deleted, deleted: true}"),
)
BY_NAME: dict[str, AmbientCheck] = {a.name: a for a in AMBIENT}
GROUP_OF: dict[str, AmbientCheck] = {check: a for a in AMBIENT for check in a.checks}
OWNERS: frozenset[str] = frozenset(a.owner for a in AMBIENT)
AMBIENT_PREFIX = "ambient::"
OBSERVER_ERROR = "observer_error"
"""The observation `observe` returns when it could not judge an answer (becomes one not-run record)."""


def owner(check: str) -> str | None:
    """The catalogue behaviour that owns findings named `check` (None: no ambient owner, the caller's own)."""
    group = GROUP_OF.get(check)
    return group.owner if group is not None else None


def own(findings: Iterable[Finding], *behaviours: str) -> list[Finding]:
    """The findings a test with these behaviour ids must fail on: those its behaviours own, and those no
    ambient check owns. The rest are recorded against their owners by the ambient checks."""
    mine = set(behaviours)
    return [f for f in findings if owner(f.check) is None or owner(f.check) in mine]


# ----------------------------------------------------------------------------------- observing answers


def _request_of(response: Any) -> tuple[str, str, dict[str, str]]:
    request = getattr(response, "request", None)
    if request is None:
        return "", "", {}
    try:
        return str(request.method), str(request.url.path), dict(request.url.params)
    except Exception:  # noqa: BLE001 - a mocked request without a URL: nothing to route on
        return "", "", {}


def _request_id(response: Any) -> str | None:
    from respcheck.client import REQUEST_ID_HEADERS

    headers = getattr(response, "headers", None) or {}
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return str(value)
    return None


def _group(findings: list[Finding], applicable: Iterable[str]) -> dict[str, list[Finding]]:
    """Findings sorted into the ambient checks that apply to this answer (each applicable one listed)."""
    out: dict[str, list[Finding]] = {name: [] for name in applicable}
    for f in findings:
        group = GROUP_OF.get(f.check)
        if group is not None:
            out.setdefault(group.name, []).append(f)
    return out


def _json_groups(method: str, path: str, status: int, body: Any) -> dict[str, list[Finding]]:
    from respcheck.validators import (
        check_compaction,
        check_deleted,
        check_gateway_error_envelope,
        check_item_list,
        check_response,
    )

    if status >= 400:
        # lenient on purpose: a gateway (401/429/api-version) leaves out type and param; tests whose claim
        # is the full envelope check it themselves
        return _group(check_gateway_error_envelope(status, body), ["error_envelope"])
    if not isinstance(body, dict):
        return {}
    kind = body.get("object")
    if kind == "response":
        applicable = ["response_object"] + (["usage_totals"] if body.get("usage") is not None else [])
        return _group(check_response(body), applicable)
    if kind == "response.compaction":
        return {"compaction_object": check_compaction(body)}  # its item and usage rules are compaction's own
    if kind == "list" and path.rstrip("/").endswith("/input_items"):
        return _group(check_item_list(body), ["item_list"])
    if method == "DELETE" and "/responses/" in path and kind in ("response.deleted", None):
        return _group(check_deleted(body), ["deleted_object"])
    return {}


def _stream_groups(text: str, params: dict[str, str]) -> dict[str, list[Finding]]:
    from respcheck.validators import check_stream, parse_sse

    parsed = parse_sse(text)
    after: int | None = None
    try:
        after = int(params["starting_after"]) if "starting_after" in params else None
    except ValueError:
        after = None
    findings = parsed.findings + check_stream(parsed.events, starting_after=after)
    applicable = ["sse_framing", "stream_sequence_numbers", "stream_lifecycle", "stream_event_schema"]
    if any(e.get("type") == "response.output_text.delta" for e in parsed.events):
        applicable.append("stream_text")
    if any(e.get("type") == "error" for e in parsed.events):
        applicable.append("stream_error_event")
    return _group(findings, applicable)


def observe(response: Any) -> list[dict[str, Any]]:
    """The ambient observations of one answer (an httpx response, body read): one per applicable ambient
    check, ``{"check", "ok", "findings": [str, ...], "request", "request_id"}``. Never raises: a broken
    answer is the validators' to report, and a bug here must not fail the test that made the request."""
    try:
        method, path, params = _request_of(response)
        status = int(getattr(response, "status_code", 0) or 0)
        ctype = str((getattr(response, "headers", None) or {}).get("content-type", ""))
        if ctype.startswith("text/event-stream") and status < 400:
            groups = _stream_groups(response.text, params)
        elif "json" in ctype or status >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None  # an error answer must still be an envelope; other bodies are not judged here
                if status < 400:
                    return []
            groups = _json_groups(method, path, status, body)
        else:
            return []
        where = f"{method} {path}".strip()
        rid = _request_id(response)
        return [{"check": name, "ok": not found, "findings": [str(f) for f in found[:3]], "request": where,
                 "request_id": rid} for name, found in groups.items()]
    except Exception as exc:  # noqa: BLE001 - never let the ambient pass break a test
        return [{"check": OBSERVER_ERROR, "ok": False, "findings": [f"{type(exc).__name__}: {exc}"],
                 "request": "", "request_id": None}]


# ------------------------------------------------------------------------------------ result records


MAX_CITED = 5


def records(observations: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One result record per ambient check that judged something: ``(test nodeid, observation)`` pairs in,
    records (ARCHITECTURE.md's result record shape) out. Fail cites the first findings (test, request,
    request id); pass needs at least one clean answer."""
    seen: dict[str, dict[str, Any]] = {}
    crashed: list[tuple[str, dict[str, Any]]] = []
    for nodeid, obs in observations:
        if obs.get("check") == OBSERVER_ERROR:
            crashed.append((nodeid, obs))
            continue
        check = BY_NAME.get(str(obs.get("check")))
        if check is None:
            continue
        row = seen.setdefault(check.name, {"checked": 0, "broken": 0, "cited": [], "request_ids": []})
        row["checked"] += 1
        if obs.get("ok"):
            continue
        row["broken"] += 1
        if len(row["cited"]) < MAX_CITED:
            rid = obs.get("request_id")
            row["cited"].append({"test": nodeid, "request": obs.get("request"), "request_id": rid,
                                 "findings": list(obs.get("findings") or [])})
            if rid and rid not in row["request_ids"]:
                row["request_ids"].append(rid)
    out = []
    for name, row in sorted(seen.items()):
        check = BY_NAME[name]
        failed = row["broken"] > 0
        message = ""
        if failed:
            first = row["cited"][0]
            message = (f"[{check.owner}] {row['broken']} of {row['checked']} answer(s) break {check.what}; first in "
                       f"{first['test']} ({first['request']}): " + "; ".join(first["findings"]))
        out.append({
            "nodeid": AMBIENT_PREFIX + name,
            "behaviours": [check.owner],
            "verdict": "fail" if failed else "pass",
            "message": message,
            "channel": "http",
            "evidence": {"request_ids": row["request_ids"], "cassette": None, "interactions": [],
                         "ambient": {"checked": row["checked"], "broken": row["broken"], "cited": row["cited"]}},
            "observed": {},
            "duration_s": 0.0,
        })
    if crashed:
        out.append(_observer_error_record(crashed))
    return out


def _observer_error_record(crashed: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A not-run record for the answers the ambient pass could not judge (a bug of ours, or an answer no
    validator survives): never silently dropped, so a run whose ambient checks missed answers says so. It
    names no behaviour (the report lists it among the tests tied to none)."""
    nodeid, first = crashed[0]
    return {
        "nodeid": AMBIENT_PREFIX + OBSERVER_ERROR,
        "behaviours": [],
        "verdict": "not-run",
        "message": (f"the ambient checks could not judge {len(crashed)} answer(s); first in {nodeid}: "
                    + "; ".join(first.get("findings") or [])),
        "channel": "http",
        "evidence": {"request_ids": [], "cassette": None, "interactions": [],
                     "ambient": {"checked": len(crashed), "broken": len(crashed),
                                 "cited": [{"test": n, "findings": list(o.get("findings") or [])}
                                           for n, o in crashed[:MAX_CITED]]}},
        "observed": {},
        "duration_s": 0.0,
    }
