"""Background mode: cancelling an in-progress task, and cancelling again.

Both tests judge one exchange that is theirs alone (it mutates its task): a background task is started,
polled until it runs, cancelled, looked at again once it would have gone on, and cancelled a second time.
Every request is seen through both channels (the raw answer and the SDK's typed reading of the same bytes).
The synchronous response the cancel endpoint refuses, and the store=true requirement, are judged in
`test_background_stream.py`, on that module's exchange.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from _bg_helpers import TERMINAL, PollResult, bg_body, pause, poll_both

from respcheck.client import Exchange
from respcheck.expect import accepted, fail_for, prerequisite
from respcheck.verdicts import blocked, inconclusive

# Long enough that a cancel arrives while the task runs (the reference server streams one token per 20 ms).
LONG_TASK = "Count to 300."
SETTLE_S = {"reference": 1.2, "live": 8.0}
"""How long after the cancel the task is looked at again: long enough that a task the cancel did not stop
would have moved on (the reference server finishes LONG_TASK in about 4 s; live tasks this size take a few)."""


class Cancelled(NamedTuple):
    created: Exchange
    started: PollResult | None
    """Polls until in_progress (or an end) before the cancel."""
    first: Exchange | None
    """The first cancel."""
    later: Exchange | None
    """GET /responses/{id} SETTLE_S after the first cancel."""
    second: Exchange | None
    """The second cancel, after that GET."""


@pytest.fixture(scope="module")
def cancelled(shared):
    """The module's task: create, poll until in_progress (short, fixed interval, to catch it while it runs),
    cancel (whatever status polling ended on: the idempotence test needs the two cancels either way), GET
    after SETTLE_S, cancel again."""

    def make(c) -> Cancelled:
        target = c.target
        created = c.create_both(bg_body(c, LONG_TASK, max_output_tokens=200))
        rid = created.sdk.id if created.sdk is not None else None
        if not rid:
            return Cancelled(created, None, None, None, None)
        started = poll_both(c, rid, created.sdk.status, until=("in_progress",) + TERMINAL,
                            interval=0.2 if target.mode == "reference" else 0.3)
        first = c.call_both("POST /responses/{id}/cancel", lambda sdk: sdk.responses.with_raw_response.cancel(rid))
        pause(target, SETTLE_S.get(target.mode, 8.0))
        later = c.call_both("GET /responses/{id} (after cancel)", lambda sdk: sdk.responses.with_raw_response.retrieve(rid))
        second = c.call_both("POST /responses/{id}/cancel (again)",
                             lambda sdk: sdk.responses.with_raw_response.cancel(rid), retry=False)
        return Cancelled(created, started, first, later, second)

    return shared("cancelled", make)


def _first(cancelled: Cancelled) -> Exchange:
    """The first cancel, once the background create (background.create.queued's claim) gave an id."""
    prerequisite(cancelled.created, "background create", by="background.create.queued")
    if cancelled.first is None:
        blocked("background.create.queued", "background create answered without a response id: nothing to cancel")
    return cancelled.first


@pytest.mark.behaviour("background.cancel.in_progress")
def test_cancel_in_progress_background_response(cancelled, observe):
    """'You can cancel an in-progress background task using the cancel endpoint.'

    The task was in_progress when cancelled; the cancel answers status `cancelled` (SDK and raw, one
    request), and a GET once the task would have gone on still says `cancelled` (raw and SDK) - the task
    must not go on to complete. A task that finished before the cancel could be sent is inconclusive."""
    first = _first(cancelled)
    rid = cancelled.created.sdk.id
    started = cancelled.started
    if started.lag.unresolved:
        inconclusive(started.lag.reason("GET /responses/{id} right after the background create"))
    assert started.error is None, f"GET while waiting for in_progress: HTTP {started.error.status}: {started.error.http.text[:200]}"
    if started.last in TERMINAL:
        inconclusive(f"the background task ended ({started.last!r}) before it could be cancelled in progress")
    if started.last != "in_progress":
        inconclusive(f"the background task never reached in_progress ({started.last!r} after {started.polls} polls)")

    accepted(first, "cancel of an in-progress task", "background.cancel.in_progress", judge=False)
    typed = first.sdk
    assert typed.id == rid, f"SDK cancel answered id {typed.id!r}, expected {rid!r}"
    assert typed.status == "cancelled", f"SDK cancel of an in-progress task answered status {typed.status!r}"
    assert (first.json() or {}).get("status") == "cancelled", (
        f"raw cancel of an in-progress task answered status {(first.json() or {}).get('status')!r}")

    later = cancelled.later
    assert later.status == 200, f"GET after cancel: HTTP {later.status}: {later.http.text[:200]}"
    seen = {"http": (later.json() or {}).get("status"), "sdk": later.sdk.status}
    observe("background.cancel.statuses_after_cancel", seen)
    assert seen["http"] == "cancelled" and seen["sdk"] == "cancelled", (
        f"after the cancel answered 'cancelled', GET saw status {seen}: the task went on")


@pytest.mark.behaviour("background.cancel.idempotent", "background.cancel.in_progress")
def test_cancel_twice_returns_final_object(cancelled, observe):
    """'Canceling is idempotent—subsequent calls will return the final response object.'
    (ja: 'キャンセルは、処理を繰り返しても結果が変わらない性質があります。続いて行われる呼び出しでは、最終的な応答オブジェクトが返されます。')

    Cancel the module's task, then cancel it again (each cancel seen raw and through the SDK): the later
    call answers 200 with the same response id and the same final status as the first cancel, never an
    error."""
    first = _first(cancelled)
    rid = cancelled.created.sdk.id
    # the first cancel: of a running task (background.cancel.in_progress's claim), or of one that already
    # ended - then it is itself a later call, which the docs say returns the final object (this claim)
    started = cancelled.started.last if cancelled.started else None
    owner = "background.cancel.idempotent" if started in TERMINAL else "background.cancel.in_progress"
    if first.status != 200:
        fail_for(owner, f"first cancel (task {started!r} when sent): HTTP {first.status}: {first.http.text[:200]}")
    final_status = (first.json() or {}).get("status")
    if final_status not in TERMINAL:
        fail_for(owner, f"first cancel answered non-final status {final_status!r}")

    second = cancelled.second
    assert second.status == 200, (
        f"second cancel answered HTTP {second.status} ({second.http.text[:200]}); the docs say later calls "
        f"return the final response object")
    data = second.json() or {}
    assert data.get("id") == rid and data.get("object") == "response", (
        f"second cancel answered {data.get('object')!r} {data.get('id')!r}, expected the response {rid!r}")
    assert data.get("status") == final_status, (
        f"second cancel answered status {data.get('status')!r}, the first answered {final_status!r}")
    typed = second.sdk
    assert typed is not None, f"SDK: second cancel raised {second.error!r:.200}"
    assert typed.id == rid and typed.status == final_status, (
        f"SDK: second cancel answered {typed.id!r} status {typed.status!r}, expected {rid!r} {final_status!r}")
    observe("background.cancel.final_status", final_status)
