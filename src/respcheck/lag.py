"""Read-after-write lag: a request that names a response created a moment ago (GET by id, chaining by
previous_response_id) can be told "not found" on a live Azure resource before the new response is visible
(dotnet/extensions#7704, microsoft/agent-framework#6419: intermittent 400 previous_response_not_found right
after a streamed create; catalogue `chaining.retrieve.by_id` variants).

`after_write` resends such a request a bounded number of times and says how long the lag lasted. The bound
is a number of attempts (with waits only on a live target), not a clock, so a replay re-sends exactly the
attempts its cassette recorded. A lag that outlasts the attempts is reported as unresolved: the caller ends
inconclusive (the service may have lost the response, or be slow; it cannot tell which), never a silent
skip and never a pass. Against the reference server (which has no lag) the first answer is returned as it
is, so a server that really forgets a response still fails the test that judges it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from respcheck.expect import answer_parts

#: Waits (seconds) before each resend on a live target: about a minute in all, the lag reports' order.
LIVE_WAITS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0)
LAG_CODES = frozenset({"previous_response_not_found"})


@dataclass
class Lag:
    """What `after_write` saw: how many attempts, how long, and whether the lag was still there at the end."""

    attempts: int = 1
    waited_s: float = 0.0
    unresolved: bool = False

    def record(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "waited_s": round(self.waited_s, 1), "unresolved": self.unresolved}

    def reason(self, what: str) -> str:
        return (f"{what}: still 'not found' after {self.attempts} attempts over {self.waited_s:.0f} s - "
                "read-after-write lag (catalogue variant) or a lost response; not judged")


def is_lag_answer(ex: Any) -> bool:
    """404, or 400 with code previous_response_not_found: the answers the lag reports describe. `ex`: an
    `Exchange`/`StreamExchange` or a raw ``httpx.Response`` (read by `respcheck.expect.answer_parts`)."""
    status, body, _text = answer_parts(ex)
    if status == 404:
        return True
    if status != 400:
        return False
    err = body.get("error") if isinstance(body, dict) else None
    return isinstance(err, dict) and err.get("code") in LAG_CODES


def after_write(send: Callable[[], Any], *, mode: str, sleep: Callable[[float], None] = time.sleep) -> tuple[Any, Lag]:
    """`send()` until its answer is not a lag answer, at most 1 + len(LIVE_WAITS_S) times (live and replay;
    once on the reference target). Returns the last answer and the `Lag` seen."""
    lag = Lag()
    ex = send()
    if mode == "reference":
        return ex, lag
    for wait in LIVE_WAITS_S:
        if not is_lag_answer(ex):
            return ex, lag
        if mode == "live":
            sleep(wait)
            lag.waited_s += wait
        ex = send()
        lag.attempts += 1
    lag.unresolved = is_lag_answer(ex)
    return ex, lag
