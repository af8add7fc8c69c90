"""Record against a local service, stop it, replay anywhere: same results; bad cassettes say so in one line."""

from __future__ import annotations

import pytest
import yaml

from respcheck.client import DualClient
from respcheck.recorder import CassetteError, Recorder, normalise_cassette
from respcheck.target import Target

from . import fake_service


def _scenario(client: DualClient) -> dict:
    """A create, a chained create (previous_response_id from a replayed id), a retrieve, a stream."""
    first = client.create(client.body("one"))
    second = client.create(client.body("two", previous_response_id=first.id))
    got = client.http_get(f"responses/{second.id}").json()
    status, _headers, text, events = client.http_stream("responses", client.body("three"))
    typed = client.sdk_stream(client.body("four"))
    return {
        "second_text": second.output_text,
        "chained_to_first": second.previous_response_id == first.id,
        "retrieved_id_matches": got["id"] == second.id,
        "stream_status": status,
        "stream_types": [e["type"] for e in events],
        "sdk_types": [e.type for e in typed],
        "sse_has_framing": "event: response.completed" in text,
    }


def test_record_then_replay_on_another_base_url(tmp_path):
    svc = fake_service.start()
    try:
        recorder = Recorder(mode="record", root=tmp_path)
        path = recorder.cassette_path("demo", "test_roundtrip")
        with recorder.use(path), DualClient(Target("fake", "reference", svc.base_url, "fake-1", api_key="k1")) as c:
            recorded = _scenario(c)
        port = svc.port
    finally:
        svc.stop()
    assert recorded["chained_to_first"] and recorded["retrieved_id_matches"]
    assert "(after echo: one)" in recorded["second_text"]

    text = path.read_text(encoding="utf-8")
    assert "resp_000000000000000000000000000000000000000000000001" in text, "ids are normalised"
    assert "1767225600" in text, "timestamps are shifted to the fixed epoch"
    assert f":{port}" not in text, "the loopback port is not kept"

    replayer = Recorder(mode="replay", root=tmp_path)
    other = Target("elsewhere", "replay", "https://somewhere.invalid:8443/openai/v1/", "fake-1", api_key="other")
    with replayer.use(path) as cassette, DualClient(other) as c:
        replayed = _scenario(c)
    assert replayed == recorded
    assert cassette.all_played


def test_normalisation_is_consistent_and_idempotent(tmp_path):
    svc = fake_service.start()
    try:
        recorder = Recorder(mode="record", root=tmp_path)
        path = recorder.cassette_path("demo", "t")
        with recorder.use(path), DualClient(Target("fake", "reference", svc.base_url, "fake-1", api_key="k")) as c:
            first = c.create(c.body("a"))
            c.create(c.body("b", previous_response_id=first.id))
    finally:
        svc.stop()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first_id = '"id":"resp_' + "0" * 47 + '1"'
    assert first_id.replace('"id":', "") in data["interactions"][1]["request"]["body"]
    assert first_id in data["interactions"][0]["response"]["body"]["string"].replace(" ", "")


def test_missing_cassette_is_one_line(tmp_path):
    path = tmp_path / "chaining" / "test_nope.yaml"
    with pytest.raises(CassetteError) as info, Recorder(mode="replay", root=tmp_path).use(path):
        pass
    msg = info.value.render()
    assert str(path) in msg and "respcheck run --target reference --record" in msg
    assert len(str(info.value).splitlines()) == 1


@pytest.mark.parametrize("content", ["interactions: [\n  - {unclosed", "just a string", "\x00\x01 binary?: ["])
def test_corrupt_cassette_is_one_line(tmp_path, content):
    path = tmp_path / "f" / "bad.yaml"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CassetteError) as info, Recorder(mode="replay", root=tmp_path).use(path):
        pass
    assert str(info.value).startswith("corrupt cassette") and len(str(info.value).splitlines()) == 1


def test_unmatched_request_names_the_request(tmp_path):
    svc = fake_service.start()
    try:
        recorder = Recorder(mode="record", root=tmp_path)
        path = recorder.cassette_path("demo", "t")
        with recorder.use(path), DualClient(Target("fake", "reference", svc.base_url, "fake-1", api_key="k")) as c:
            c.create(c.body("recorded input"))
    finally:
        svc.stop()
    with Recorder(mode="replay", root=tmp_path).use(path), DualClient(Target("r", "replay", svc.base_url, "fake-1")) as c:
        with pytest.raises(CassetteError) as info:
            c.create(c.body("a different input"))
        with pytest.raises(CassetteError) as raw_info:
            c.http_post("responses", c.body("another"))
    for exc in (info.value, raw_info.value):
        assert "POST /openai/v1/responses" in str(exc) and "json_body" in str(exc)
        assert len(str(exc).splitlines()) == 1


def test_normalise_cassette_leaves_non_volatile_text_alone():
    from vcr.request import Request

    req = Request("POST", "http://127.0.0.1:5/openai/v1/responses", b'{"input": "call_me resp_short"}', {})
    resp = {"status": {"code": 200, "message": "OK"}, "headers": {"date": ["now"]},
            "body": {"string": '{"text": "hello", "created_at": 1763000000}'}}
    out = normalise_cassette({"requests": [req], "responses": [resp]})
    assert out["requests"][0].body == b'{"input": "call_me resp_short"}'
    assert out["requests"][0].uri == "http://127.0.0.1/openai/v1/responses"
    assert out["responses"][0]["body"]["string"] == '{"text": "hello", "created_at": 1767225600}'


def test_a_test_that_sent_nothing_still_gets_a_replayable_cassette(tmp_path):
    path = tmp_path / "f" / "quiet.yaml"
    with Recorder(mode="record", root=tmp_path).use(path):
        pass
    with Recorder(mode="replay", root=tmp_path).use(path) as cassette:
        assert len(cassette) == 0


def _image_body(client: DualClient, blob: str) -> dict:
    return client.body([{"role": "user", "content": [
        {"type": "input_text", "text": "what is this?"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{blob}"}]}])


def test_large_request_bodies_are_stored_as_digests_and_still_match_exactly(tmp_path):
    """A limit probe sends megabytes of base64; the cassette keeps a digest, and replay still tells
    two payloads apart (a different payload of the same size is a miss, not a false match)."""
    big = "A" * 300_000
    svc = fake_service.start()
    try:
        recorder = Recorder(mode="record", root=tmp_path)
        path = recorder.cassette_path("demo", "test_big")
        with recorder.use(path), DualClient(Target("fake", "reference", svc.base_url, "fake-1", api_key="k")) as c:
            c.http_post("responses", _image_body(c, big))
    finally:
        svc.stop()
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 20_000, f"cassette is {path.stat().st_size} bytes"
    assert "<sha256:" in text and big[:5000] not in text

    with Recorder(mode="replay", root=tmp_path).use(path), DualClient(Target("r", "replay", svc.base_url, "fake-1")) as c:
        assert c.http_post("responses", _image_body(c, big)).status_code == 200
    with Recorder(mode="replay", root=tmp_path).use(path), DualClient(Target("r", "replay", svc.base_url, "fake-1")) as c:
        with pytest.raises(CassetteError):
            c.http_post("responses", _image_body(c, "B" * 300_000))


def test_digest_is_idempotent_and_leaves_small_bodies_alone():
    from respcheck.recorder import digest_body

    small = b'{"input": "hi"}'
    assert digest_body(small) is small
    once = digest_body(('{"x": "' + "y" * 5000 + '"}').encode())
    assert digest_body(once) == once
    raw = b"--boundary\r\n" + b"\x00" * 100_000
    assert digest_body(raw).startswith(b"<sha256:") and digest_body(digest_body(raw)) == digest_body(raw)


def test_files_api_hyphenated_ids_are_normalised_keeping_their_prefix():
    from respcheck.recorder import Normaliser

    norm = Normaliser()
    text = '{"id": "assistant-KaVLJQTiWEvdz8yJQHHkqJ", "other": "file-AbCdEfGhIjKlMnOpQr", "again": "assistant-KaVLJQTiWEvdz8yJQHHkqJ"}'
    norm.learn([text])
    out = norm.apply(text)
    assert '"assistant-' + "0" * 47 + '1"' in out and out.count("assistant-" + "0" * 47 + "1") == 2
    assert '"file-' + "0" * 47 + '2"' in out
    assert norm.apply(out) == out
