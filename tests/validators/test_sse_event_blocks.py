"""`event_blocks`: the legal non-event blocks of a stream (standalone `retry:`, comments, `data: [DONE]`)
are dropped before a per-event schema checker sees the stream; real events, even malformed ones, stay."""

from __future__ import annotations

import json

from respcheck.validators import event_blocks, parse_sse

CREATED = 'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n'
DONE = 'event: response.completed\ndata: {"type":"response.completed","sequence_number":1}\n\n'


def _datas(text: str) -> list[str]:
    return [b.split("data: ", 1)[1] for b in text.split("\n\n") if b]


def test_retry_block_comments_and_done_are_dropped():
    body = "retry: 3000\n\n: keep-alive\n\n" + CREATED + DONE + "data: [DONE]\n\n"
    out = event_blocks(body)
    assert out == CREATED + DONE
    assert all(isinstance(json.loads(d), dict) for d in _datas(out))
    assert parse_sse(out).events == parse_sse(body).events
    assert not parse_sse(body).findings  # the validator accepts the original as legal


def test_crlf_and_bytes_normalised():
    body = ("retry: 10\r\n\r\n" + CREATED + DONE).replace("\n", "\r\n").encode()
    assert event_blocks(body) == CREATED + DONE


def test_malformed_events_are_kept_for_the_checker():
    body = CREATED + "event: response.completed\ndata: {not json\n\n"
    assert event_blocks(body).endswith("data: {not json\n\n")


def test_unterminated_last_block_is_closed():
    assert event_blocks(CREATED + DONE.rstrip("\n")) == CREATED + DONE
