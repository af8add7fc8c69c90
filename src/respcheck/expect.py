"""What a suite test demands of an answer before it judges its claim, and whose finding a failure is.

Why one module: every family had its own ``_ok()`` (status 200, then every `check_response` finding
asserted), so one shallow deviation of a target (an extra or missing field, an integer ``error.code``)
failed every test that needed an answer, and a model's context-length refusal read as a protocol fault.
Here a test says which of its behaviours an answer is evidence for:

* `accepted(answer, what, *claims)` - the answer *is* the claim's evidence: a refusal fails those claims
  (a context-length refusal is the model's limit, inconclusive), and of the response object's findings
  only those the claims own fail the test (`respcheck.attribution.own`; the ambient checks record the
  rest against their owners);
* `prerequisite(answer, what, by=...)` - the answer is only a step towards the claim (the stored turn a
  chained turn needs, the upload a tool needs): a refusal leaves the claim unjudged, inconclusive and
  "blocked by" the behaviour whose own test reports the refusal;
* `fail_for(owners, message)` / `fail_on(findings, what, *claims)` - fail naming the behaviours the
  finding contradicts, so a test that carries several behaviour ids fails only the owners; the report
  shows its other behaviours as not judged (`respcheck.report.build`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from respcheck.attribution import own, owner
from respcheck.findings import Finding, render
from respcheck.verdicts import blocked, context_length_refusal, model_limit


class OwnedFailure(AssertionError):
    """A failed claim that names the behaviours it contradicts (a subset of the test's behaviour ids)."""

    def __init__(self, owners: Iterable[str], message: str) -> None:
        self.owners: tuple[str, ...] = tuple(dict.fromkeys(o for o in owners if o))
        self.detail = message
        super().__init__(f"[{', '.join(self.owners)}] {message}" if self.owners else message)


def fail_for(owners: str | Iterable[str], message: str) -> NoReturn:
    """Fail the test on behalf of `owners` only (a behaviour id or several)."""
    raise OwnedFailure([owners] if isinstance(owners, str) else owners, message)


def fail_on(findings: Iterable[Finding], what: str, *claims: str) -> None:
    """Fail when a finding is the claims' own (or has no ambient owner); each names its owner."""
    mine = own(findings, *claims)
    if not mine:
        return
    owners: list[str] = []
    for f in mine:
        found = owner(f.check)
        owners.extend([found] if found else claims)
    _fail(owners, f"{what}: " + render(mine))  # no claims named: tied to every behaviour of the test


def answer_parts(answer: Any) -> tuple[int, Any, str]:
    """(status, JSON body or None, text) of any answer a test holds: a `respcheck.client.Exchange`
    (``.status``, ``.json()``, text on ``.http``), a `StreamExchange` (``.status``, ``.text``; an accepted
    stream has no JSON body, its events are the answer: ``{}``), or a raw httpx(2) response
    (``.status_code``, ``.json()``)."""
    status = getattr(answer, "status", None)
    status = int(getattr(answer, "status_code", 0) or 0) if status is None else int(status)
    text = str(getattr(getattr(answer, "http", answer), "text", "") or "")
    if hasattr(answer, "events") and status < 400:
        return status, {}, text
    try:
        body = answer.json() if hasattr(answer, "json") else json.loads(text)
    except ValueError:
        body = None
    return status, body, text


def _context_limit(status: int, body: Any, text: str, what: str) -> None:
    """Inconclusive (the model's limit) when a refusal says the input does not fit the context window."""
    if context_length_refusal(status, body):
        model_limit(f"{what}: the input does not fit the model's context window (HTTP {status}: {text[:200]})")


def _fail(claims: Sequence[str], message: str) -> NoReturn:
    """Fail on behalf of `claims`; with none named, a plain failure the plugin ties to every behaviour."""
    if claims:
        fail_for(claims, message)
    raise AssertionError(message)


def _response_findings(body: dict[str, Any]) -> list[Finding]:
    from respcheck.validators import check_response

    return check_response(body)


def accepted(answer: Any, what: str, *claims: str, statuses: Sequence[int] = (200,),
             judge: bool = True) -> dict[str, Any]:
    """The JSON object of an answer that is evidence for `claims`: a refusal fails them, a context-length
    refusal is the model's limit, and a response object's findings fail the test only where the claims
    own them (``judge=False``: the test judges them itself, after its main claim, with `fail_on`).
    Returns the body."""
    status, body, text = answer_parts(answer)
    if status not in statuses:
        _context_limit(status, body, text, what)
        _fail(claims, f"{what}: expected HTTP {' or '.join(map(str, statuses))}, got {status}: {text[:300]}")
    if not isinstance(body, dict):
        _fail(claims, f"{what}: the HTTP {status} answer is not a JSON object: {text[:200]}")
    if judge and body.get("object") == "response":
        fail_on(_response_findings(body), what, *claims)
    return body


def prerequisite(answer: Any, what: str, *, by: str, statuses: Sequence[int] = (200,)) -> dict[str, Any]:
    """The JSON object of an answer the test needs only to reach its claim: a refusal (or a non-object
    body) is inconclusive, blocked by `by` (the behaviour whose own test judges that step). Its findings
    are the ambient checks' (recorded against their owners), never this test's."""
    status, body, text = answer_parts(answer)
    if status not in statuses:
        _context_limit(status, body, text, what)
        blocked(by, f"{what} answered HTTP {status}: {text[:200]}")
    if not isinstance(body, dict):
        blocked(by, f"{what}: the HTTP {status} answer is not a JSON object: {text[:200]}")
    return body


TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed", "response.cancelled")
"""The events a stream may end with (``response.cancelled``: a cancelled background stream)."""


def finished_stream(events: Sequence[Any], what: str) -> dict[str, Any]:
    """The terminal event of a stream a test needs finished (its final response is the test's evidence):
    a stream that does not end with one is streaming.events.incremental's finding (the ambient grammar
    check records it), so the claim behind it is blocked, not failed a second time."""
    last = events[-1] if events else None
    kind = last.get("type") if isinstance(last, dict) else getattr(last, "type", None)
    if kind not in TERMINAL_EVENTS:
        blocked("streaming.events.incremental", f"{what}: the stream ended with {kind!r}, no terminal event")
    return last if isinstance(last, dict) else {}
