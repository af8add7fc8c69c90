"""Every recording format loads into the same Exchange model; corrupt files raise UserError with the path.

Fixtures are written by the tests (tmp_path) from synthetic events, so they run without ../shared.
"""

from __future__ import annotations

import gzip
import json

import pytest
import yaml

from respcheck.errors import UserError
from respcheck.traffic import load_file, load_tree

EVENTS = [
    {"type": "response.created", "sequence_number": 0, "response": {"id": "r", "status": "in_progress"}},
    {"type": "response.completed", "sequence_number": 1, "response": {"id": "r", "status": "completed"}},
]
SSE = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in EVENTS)


def vcr_doc(body, headers):
    return {"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": "https://x/openai/v1/responses", "headers": {}, "body": '{"a":1}'},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": headers, "body": {"string": body}},
    }]}


def test_standard_vcrpy_sse_and_json(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(vcr_doc(SSE, {"Content-Type": ["text/event-stream"]})))
    ex = load_file(p).exchanges[0]
    assert ex.events == EVENTS and ex.raw_sse == SSE and ex.request_body == {"a": 1} and ex.status == 200
    p.write_text(yaml.safe_dump(vcr_doc('{"object":"response"}', {"Content-Type": ["application/json"]})))
    assert load_file(p).exchanges[0].response_body == {"object": "response"}


def test_vcrpy_gzip_binary_body(tmp_path):
    p = tmp_path / "g.yaml"
    doc = vcr_doc(gzip.compress(b'{"object":"response"}'),
                  {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]})
    p.write_text(yaml.dump(doc))  # bytes -> !!binary, as vcrpy writes them
    assert load_file(p).exchanges[0].response_body == {"object": "response"}
    gz = tmp_path / "c.yaml.gz"
    gz.write_bytes(gzip.compress(p.read_bytes()))
    assert load_file(gz).exchanges[0].response_body == {"object": "response"}


def test_parsed_body_variant(tmp_path):
    p = tmp_path / "pb.yaml"
    p.write_text(yaml.safe_dump({"interactions": [{
        "request": {"method": "GET", "uri": "u/responses/r", "headers": {}, "parsed_body": None},
        "response": {"status": {"code": 200}, "headers": {}, "parsed_body": {"object": "response"}}}]}))
    assert load_file(p).exchanges[0].response_body == {"object": "response"}


def test_test_proxy_json_with_sse_lines(tmp_path):
    p = tmp_path / "Rec.json"
    p.write_text(json.dumps({"Entries": [{
        "RequestUri": "https://x/v1/responses/r?stream=true&starting_after=1", "RequestMethod": "GET",
        "RequestHeaders": {}, "RequestBody": None, "StatusCode": 200,
        "ResponseHeaders": {"Content-Type": "text/event-stream"},
        "ResponseBody": SSE.splitlines(keepends=True)}], "Variables": {}}))
    rec = load_file(p)
    assert rec.format == "test-proxy-json" and rec.exchanges[0].events == EVENTS


def test_vercel_chunks_split_into_streams_and_json(tmp_path):
    p = tmp_path / "x.1.chunks.txt"
    p.write_text("\n".join(json.dumps(e) for e in EVENTS + EVENTS) + "\n")
    rec = load_file(p)
    assert [ex.events for ex in rec.exchanges] == [EVENTS, EVENTS]
    j = tmp_path / "x.1.json"
    j.write_text('{"error": {"message": "m"}}')
    assert load_file(j).exchanges[0].response_body == {"error": {"message": "m"}}


def test_raw_sse_file(tmp_path):
    p = tmp_path / "s.sse"
    p.write_text(SSE)
    assert load_file(p).exchanges[0].events == EVENTS


@pytest.mark.parametrize("name,content", [
    ("bad.yaml", "interactions: [\n  - {"), ("bad.json", "{nope"), ("none.yaml", "just: text"),
    ("bad.chunks.txt", "{nope\n"), ("x.bin", "\x00\x01"), ("bad.yaml.gz", "not gzip"),
])
def test_corrupt_files_raise_user_error_with_path(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(UserError, match=str(tmp_path)):
        load_file(p)


def test_missing_file_and_tree(tmp_path):
    with pytest.raises(UserError):
        load_file(tmp_path / "absent.yaml")
    with pytest.raises(UserError):
        load_tree(tmp_path / "absent")
    (tmp_path / "INDEX.md").write_text("# not a recording")
    (tmp_path / "s.sse").write_text(SSE)
    assert [r.path.name for r in load_tree(tmp_path)] == ["s.sse"]
