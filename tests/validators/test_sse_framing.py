"""SSE parsing: the three recorder shapes decode to the same events; framing faults are named findings."""

from __future__ import annotations

import json

from stream_builders import message_stream, to_sse

from respcheck.validators import parse_json_lines, parse_sse, parse_sse_lines


def test_lf_crlf_lines_and_jsonl_agree():
    evs = message_stream()
    body = to_sse(evs)
    lf, crlf = parse_sse(body), parse_sse(to_sse(evs, crlf=True).encode())
    lines = parse_sse_lines(body.splitlines(keepends=True))
    jsonl = parse_json_lines("\n".join(json.dumps(e) for e in evs))
    for parsed in (lf, crlf, lines, jsonl):
        assert parsed.events == evs and parsed.findings == []
    assert jsonl.names == [None] * len(evs)


def test_comments_multiline_data_and_done():
    body = ': keep-alive\n\nevent: a\ndata: {"type":\ndata: "a"}\n\ndata: [DONE]\n\n'
    parsed = parse_sse(body)
    assert parsed.events == [{"type": "a"}] and parsed.saw_done and parsed.findings == []


def check_names(body):
    return [(f.check, f.index) for f in parse_sse(body).findings]


def test_event_name_must_match_type():
    assert check_names('event: x\ndata: {"type":"y"}\n\n') == [("sse_event_name_matches_type", 0)]


def test_data_must_be_json_object():
    assert check_names("data: {nope\n\n") == [("sse_data_is_json", 0)]
    assert check_names("data: [1]\n\n") == [("sse_data_is_object", 0)]
    # json.loads raises a plain ValueError (not JSONDecodeError) past Python's integer digit limit: still a
    # finding, the parser stays total
    assert check_names('data: {"n": ' + "9" * 5000 + "}\n\n") == [("sse_data_is_json", 0)]


def test_last_block_needs_blank_line():
    assert check_names('data: {"type":"a"}\n') == [("sse_block_terminated", 0)]


def test_event_without_data_and_unknown_field():
    assert check_names("event: a\n\n") == [("sse_block_has_data", 0)]
    assert check_names('foo: 1\ndata: {"type":"a"}\n\n') == [("sse_known_field", 0)]


def test_nothing_after_done():
    assert check_names('data: [DONE]\n\ndata: {"type":"a"}\n\n') == [("sse_nothing_after_done", 0)]


def test_garbage_never_raises():
    for body in (b"\xff\xfe", "", "\n\n\n", "data:", ":::", b"data: \x00\n\n"):
        parse_sse(body)
    assert parse_sse_lines("not a list").findings  # type: ignore[arg-type]
