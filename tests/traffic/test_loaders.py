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


def test_legacy_vcrpy_httpx_stub_is_read_and_judged(tmp_path):
    """Old vcrpy httpx stubs wrote `status_code` and `content` (decoded text) instead of status/body."""
    from respcheck.traffic.validate import validate_recording

    p = tmp_path / "legacy.yaml"
    p.write_text(yaml.safe_dump({"version": 1, "interactions": [{
        "request": {"method": "POST", "uri": "https://api.openai.com/v1/responses", "headers": {},
                    "body": '{"model":"m","input":"x","stream":true}'},
        "response": {"status_code": 200, "http_version": "HTTP/1.1",
                     "headers": {"content-type": ["text/event-stream"]}, "content": SSE},
    }]}))
    rec = load_file(p)
    assert rec.format == "vcrpy-httpx-legacy"
    ex = rec.exchanges[0]
    assert ex.status == 200 and ex.events == EVENTS and ex.request_body["stream"] is True
    assert [v.kind for v in validate_recording(rec)] == ["stream"]


def test_ddapm_test_agent_json(tmp_path):
    """DataDog's test-agent VCR proxy: one request/response pair per JSON file, binary bodies base64:."""
    import base64

    doc = {"request": {"method": "POST", "url": "https://api.openai.com/v1/responses",
                       "headers": {"Content-Type": "application/json"}, "body": '{"model":"m","input":"x"}'},
           "response": {"status": {"code": 200, "message": "OK"},
                        "headers": {"Content-Type": "text/event-stream; charset=utf-8"}, "body": SSE}}
    p = tmp_path / "openai_responses_post_1.json"
    p.write_text(json.dumps(doc))
    rec = load_file(p)
    assert rec.format == "ddapm-test-agent-json"
    ex = rec.exchanges[0]
    assert ex.events == EVENTS and ex.status == 200 and ex.request_body == {"model": "m", "input": "x"}
    doc["response"].update(headers={"Content-Type": "application/json"},
                           body="base64:" + base64.b64encode(b'{"object":"response"}').decode())
    p.write_text(json.dumps(doc))
    assert load_file(p).exchanges[0].response_body == {"object": "response"}


def test_nothing_judged_fails_unless_a_paired_request(tmp_path):
    """A file that loads with nothing judged is reported; a request-only file is fine beside its response."""
    from respcheck.traffic.coverage import pair_key, unjudged_reason
    from respcheck.traffic.validate import validate_recording

    def reason(path):
        rec = load_file(path)
        return unjudged_reason(path, rec, validate_recording(rec))

    foreign = tmp_path / "files.yaml"
    foreign.write_text(yaml.safe_dump({"interactions": [{
        "request": {"method": "POST", "uri": "https://x/v1/files", "headers": {}, "body": None},
        "response": {"status": {"code": 200}, "headers": {}, "body": {"string": '{"object":"file"}'}}}]}))
    assert "none judged" in reason(foreign)
    req = tmp_path / "case.1.request.json"
    req.write_text(json.dumps({"model": "m", "input": "hi"}))
    assert "no response" in reason(req)
    (tmp_path / "case.1.json").write_text(json.dumps({"object": "response", "id": "r", "status": "completed",
                                                       "output": []}))
    assert pair_key("case.1.request.json") == pair_key("case.1.json") == pair_key("case.1.chunks.txt")
    assert reason(req) is None
