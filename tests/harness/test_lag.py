"""respcheck.lag: a chain or GET told 'not found' right after a create is resent a bounded number of times
(waits only live), the lag recorded; an unresolved lag is reported, never passed; the reference target is
asked once, so a server that really forgets a response still fails the test judging it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from respcheck.lag import LIVE_WAITS_S, after_write, is_lag_answer

NOT_FOUND = {"error": {"message": "Previous response with id 'resp_1' not found.", "type": "invalid_request_error",
                       "param": "previous_response_id", "code": "previous_response_not_found"}}


@dataclass
class Ans:
    status: int
    body: dict

    def json(self) -> dict:
        return self.body


@dataclass
class StreamAns:
    status: int
    text: str


def sender(answers):
    sent = []

    def send():
        sent.append(1)
        return answers[min(len(sent), len(answers)) - 1]
    return send, sent


def test_lag_answers_are_told_from_other_refusals():
    assert is_lag_answer(Ans(400, NOT_FOUND)) and is_lag_answer(Ans(404, {}))
    assert is_lag_answer(StreamAns(400, json.dumps(NOT_FOUND)))
    assert not is_lag_answer(Ans(400, {"error": {"code": "invalid_request_error", "message": "bad call_id"}}))
    assert not is_lag_answer(Ans(200, {})) and not is_lag_answer(StreamAns(400, "not json"))


def test_live_resends_until_visible_and_records_the_wait():
    send, sent = sender([Ans(400, NOT_FOUND), Ans(404, {}), Ans(200, {"id": "r"})])
    waits = []
    ex, lag = after_write(send, mode="live", sleep=waits.append)
    assert ex.status == 200 and len(sent) == 3 and lag.attempts == 3 and not lag.unresolved
    assert waits == list(LIVE_WAITS_S[:2]) and lag.record()["waited_s"] == sum(LIVE_WAITS_S[:2])


def test_unresolved_lag_is_reported_after_a_bounded_number_of_attempts():
    send, sent = sender([Ans(400, NOT_FOUND)])
    ex, lag = after_write(send, mode="replay", sleep=lambda _s: (_ for _ in ()).throw(AssertionError("slept")))
    assert lag.unresolved and len(sent) == 1 + len(LIVE_WAITS_S) and lag.waited_s == 0
    assert "not judged" in lag.reason("turn 2")


def test_reference_target_is_asked_once():
    send, sent = sender([Ans(400, NOT_FOUND), Ans(200, {})])
    ex, lag = after_write(send, mode="reference")
    assert ex.status == 400 and len(sent) == 1 and not lag.unresolved
