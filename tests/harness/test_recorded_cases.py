"""Generated cases live in the cassette, and a recording replaces a good cassette only when its test ended.

Why: a replay must send exactly the recorded requests whatever hypothesis build a fresh install brings, and
an interrupted ``--record`` must never leave a half-written cassette in place of a good one.
"""

from __future__ import annotations

import pytest
import yaml

from respcheck.cases import MissingCases
from respcheck.client import DualClient
from respcheck.recorder import PARTIAL_SUFFIX, Recorder
from respcheck.target import Target


def _send_cases(c: DualClient, draw) -> list[str]:
    """Send one create per generated input and return what each answered."""
    inputs = c.cases("inputs", draw)
    return [c.create(c.body(text)).output_text for text in inputs]


def _record(tmp_path, svc, draw, name="test_cases"):
    recorder = Recorder(mode="record", root=tmp_path)
    path = recorder.cassette_path("demo", name)
    target = Target("fake", "reference", svc.base_url, "fake-1", api_key="k")
    with recorder.use(path) as cassette, DualClient(target) as c:
        c.casebook = recorder.casebook(cassette, path)
        answers = _send_cases(c, draw)
    return path, answers


def _replay(tmp_path, path, draw):
    replayer = Recorder(mode="replay", root=tmp_path)
    target = Target("elsewhere", "replay", "https://somewhere.invalid/openai/v1/", "fake-1", api_key="x")
    with replayer.use(path) as cassette, DualClient(target) as c:
        c.casebook = replayer.casebook(cassette, path)
        answers = _send_cases(c, draw)
        assert cassette.all_played
    return answers


def test_replay_takes_the_cases_from_the_cassette_not_from_the_generator(tmp_path, service):
    path, recorded = _record(tmp_path, service, lambda: ["alpha", "beta", "gamma"])
    stored = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"]
    assert stored == {"respcheck_cases:inputs": '["alpha","beta","gamma"]'}

    def other_generator():  # a newer hypothesis would draw something else; replay must not ask it
        raise AssertionError("replay called the generator")

    assert _replay(tmp_path, path, other_generator) == recorded


def test_a_cassette_without_the_cases_is_one_clear_line(tmp_path):
    path = tmp_path / "demo" / "test_old.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    with pytest.raises(MissingCases) as info:
        _replay(tmp_path, path, lambda: ["x"])
    msg = info.value.render()
    assert str(path) in msg and "'inputs'" in msg and "respcheck run --target reference --record" in msg
    assert "\n" not in msg.split("hint")[0].strip()


def test_ids_inside_cases_are_normalised_with_the_interactions(tmp_path, service):
    """A case naming a response id the run created (e.g. a chained turn) keeps pointing at the same placeholder."""
    recorder = Recorder(mode="record", root=tmp_path)
    path = recorder.cassette_path("demo", "test_ids")
    target = Target("fake", "reference", service.base_url, "fake-1", api_key="k")
    with recorder.use(path) as cassette, DualClient(target) as c:
        c.casebook = recorder.casebook(cassette, path)
        first = c.create(c.body("one"))
        prev = c.cases("previous", lambda: [first.id])[0]
        c.create(c.body("two", previous_response_id=prev))
    text = path.read_text(encoding="utf-8")
    placeholder = "resp_" + "0" * 47 + "1"
    assert f'["{placeholder}"]' in text and first.id not in text


def test_generated_cases_must_be_json(tmp_path, service):
    with pytest.raises(TypeError, match="must be JSON"):
        _record(tmp_path, service, lambda: [object()])


def test_an_interrupted_recording_keeps_the_old_cassette(tmp_path, service):
    path, _ = _record(tmp_path, service, lambda: ["good", "cassette"])
    good = path.read_text(encoding="utf-8")
    recorder = Recorder(mode="record", root=tmp_path)
    target = Target("fake", "reference", service.base_url, "fake-1", api_key="k")
    with pytest.raises(KeyboardInterrupt), recorder.use(path) as cassette, DualClient(target) as c:
        c.casebook = recorder.casebook(cassette, path)
        c.create(c.body("half"))
        raise KeyboardInterrupt  # Ctrl-C (SIGTERM becomes the same) in the middle of the test
    assert path.read_text(encoding="utf-8") == good
    assert not path.with_name(path.name + PARTIAL_SUFFIX).exists()


def test_a_recording_whose_test_did_not_finish_keeps_the_old_cassette(tmp_path, service):
    path, _ = _record(tmp_path, service, lambda: ["good"])
    good = path.read_text(encoding="utf-8")
    recorder = Recorder(mode="record", root=tmp_path)
    target = Target("fake", "reference", service.base_url, "fake-1", api_key="k")
    with recorder.use(path, completed=lambda: False), DualClient(target) as c:
        c.create(c.body("never kept"))
    assert path.read_text(encoding="utf-8") == good


def test_a_finished_recording_replaces_the_cassette_and_a_stale_partial_is_removed(tmp_path, service):
    path, _ = _record(tmp_path, service, lambda: ["old"])
    stale = path.with_name(path.name + PARTIAL_SUFFIX)
    stale.write_text("left by a SIGKILLed run", encoding="utf-8")
    path2, _ = _record(tmp_path, service, lambda: ["new"])
    assert path2 == path
    assert '["new"]' in path.read_text(encoding="utf-8")
    assert not stale.exists()
