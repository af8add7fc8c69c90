"""No answer hangs the harness or exhausts its memory, and every transport failure has a verdict.

Each test talks to `misbehaving.Misbehaving` (a raw socket server) with small deadlines and finishes in a
few seconds: a stream that sends keep-alives forever ends at its total deadline as a ``stream_deadline``
finding, a silent one at its idle deadline (transient, retried, then inconclusive), a dropped one is retried
or handed back to the test, and a 100 MB body stops at the size cap.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import httpx
import httpx2
import pytest

from respcheck.client import DualClient, StreamResult, is_transport_error
from respcheck.guard import Deadlines, ServiceFinding
from respcheck.recorder import Recorder
from respcheck.target import Target
from respcheck.verdicts import Inconclusive

from .misbehaving import Misbehaving

FAST = Deadlines(request_s=3.0, stream_s=1.0, idle_s=0.4, max_body_bytes=1024 * 1024)


@pytest.fixture
def serve():
    servers: list[Misbehaving] = []

    def start(mode: str, **kw) -> Misbehaving:
        servers.append(Misbehaving(mode, **kw).start())
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def _client(srv: Misbehaving, **kw) -> DualClient:
    target = Target("bad", "reference", srv.base_url, "gpt-4.1", api_key="k")
    return DualClient(target, backoff_s=0.0, deadlines=kw.pop("deadlines", FAST), **kw)


def _timed(fn):
    started = time.monotonic()
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the tests judge what was raised
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


@pytest.mark.parametrize("channel", ["http_stream", "stream_both", "sdk_stream"])
def test_keepalives_forever_end_at_the_stream_deadline_as_a_finding(serve, channel):
    srv = serve("keepalive")
    with _client(srv) as c:
        call = {"http_stream": lambda: c.http_stream("responses", c.body("x")),
                "stream_both": lambda: c.stream_both(c.body("x")),
                "sdk_stream": lambda: c.sdk_stream(c.body("x"))}[channel]
        exc, took = _timed(call)
    assert isinstance(exc, ServiceFinding), repr(exc)
    assert exc.finding.check == "stream_deadline" and "--stream-deadline" in str(exc)
    assert 1.0 <= took < 2.5, took  # keep-alives every 0.1 s did not extend the 1 s deadline; not retried
    assert len(srv.requests) == 1


def test_the_deadline_also_holds_while_recording(serve, tmp_path):
    """vcrpy's recording stub reads the whole answer before the client sees it: the guard is below it."""
    srv = serve("keepalive")
    recorder = Recorder(mode="record", root=tmp_path, profile="bad")
    with _client(srv) as c, recorder.use(tmp_path / "t.yaml"):
        exc, took = _timed(lambda: c.http_stream("responses", c.body("x")))
    assert isinstance(exc, ServiceFinding) and exc.finding.check == "stream_deadline", repr(exc)
    assert took < 2.5


@pytest.mark.parametrize("channel", ["http_stream", "stream_both"])
def test_a_silent_stream_ends_at_the_idle_deadline_retried_then_inconclusive(serve, channel):
    srv = serve("silent")
    with _client(srv, retries=1) as c:
        call = c.http_stream if channel == "http_stream" else None
        exc, took = _timed((lambda: call("responses", c.body("x"))) if call else (lambda: c.stream_both(c.body("x"))))
    assert isinstance(exc, Inconclusive), repr(exc)
    assert "ReadTimeout" in str(exc) and "2 attempt" in str(exc)
    assert took < 2.0, took  # two attempts of 0.4 s of silence each
    assert len(srv.requests) == 2


def test_httpx_and_httpx2_transport_errors_are_transient():
    for lib in (httpx, httpx2):
        for name in ("ReadTimeout", "ConnectTimeout", "ReadError", "ConnectError", "RemoteProtocolError"):
            assert is_transport_error(getattr(lib, name)("x")), (lib.__name__, name)
        assert not is_transport_error(lib.UnsupportedProtocol("x"))
    assert not is_transport_error(ValueError("x"))


def test_a_stream_dropped_after_its_headers(serve):
    """retry=True: retried, then inconclusive; retry=False: the broken stream handed back for the test to judge
    (raw and SDK view), never the bare RemoteProtocolError."""
    srv = serve("drop_stream")
    with _client(srv, retries=1) as c:
        with pytest.raises(Inconclusive, match="stream broken .*RemoteProtocolError"):
            c.http_stream("responses", c.body("x"))
        with pytest.raises(Inconclusive, match="RemoteProtocolError"):
            c.stream_both(c.body("x"))
        wire = c.http_stream("responses", c.body("x"), retry=False)
        both = c.stream_both(c.body("x"), retry=False)
        status, _headers, _text, events = wire  # still unpacks as before
    assert isinstance(wire, StreamResult) and status == 200
    assert [e["type"] for e in events] == ["response.created"]
    assert wire.transport_error and "RemoteProtocolError" in wire.transport_error
    assert both.transport_error and "RemoteProtocolError" in both.transport_error
    assert [e["type"] for e in both.events] == ["response.created"]
    assert [e.type for e in both.sdk_events] == ["response.created"]
    assert both.wire.transport_error == both.transport_error


def test_a_connection_dropped_without_an_answer(serve):
    srv = serve("drop")
    with _client(srv, retries=1) as c:
        with pytest.raises(Inconclusive, match="2 attempt"):
            c.create_both(c.body("x"))
        with pytest.raises(ServiceFinding, match="transport_error.*no answer on any of 2 attempt") as info:
            c.create_both(c.body("x"), retry=False)
        assert info.value.finding.check == "transport_error"
        with pytest.raises(ServiceFinding, match="transport_error"):
            c.http_post("responses", c.body("x"), retry=False)
        with pytest.raises(Inconclusive, match="no answer"):
            c.create(c.body("x"), retry="never")


def test_a_body_over_the_cap_stops_reading_there(serve):
    srv = serve("big", big_bytes=20 * 1024 * 1024)
    with _client(srv) as c:
        for call in (lambda: c.http_get("models"), lambda: c.sdk_call("models", lambda: c.sdk.models.list())):
            exc, took = _timed(call)
            assert isinstance(exc, ServiceFinding) and exc.finding.check == "response_too_large", repr(exc)
            assert "1 MiB cap" in str(exc) and "--max-response-mb" in str(exc)


MEMORY_PROBE = '''
import re
from tests.harness.misbehaving import Misbehaving
from respcheck.client import DualClient
from respcheck.guard import ServiceFinding
from respcheck.target import Target

def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) // 1024

srv = Misbehaving("big").start()  # 100 MB
c = DualClient(Target("bad", "reference", srv.base_url, "gpt-4.1", api_key="k"), backoff_s=0.0)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to now: what imports took is not counted
before = status("VmRSS")
for call in (lambda: c.http_get("models"), lambda: c.sdk_call("models", lambda: c.sdk.models.list())):
    try:
        call()
        print("no-finding")
    except ServiceFinding as exc:
        print(exc.finding.check)
print(before, status("VmHWM"))
'''


def test_a_100mb_body_costs_little_memory():
    """The default 32 MiB cap: a 100 MB answer is a finding, and the process grows by far less than the body
    (it took 2.8 GB before the cap; read whole, 100 MB parse to ~300 MB). Measured as the peak RSS of a fresh
    process after its imports (Linux: /proc/self/clear_refs resets the peak)."""
    from respcheck import paths

    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(MEMORY_PROBE)], capture_output=True, text=True,
                          cwd=paths.project_root(), timeout=60)
    lines = proc.stdout.split()
    assert proc.returncode == 0 and lines[:2] == ["response_too_large", "response_too_large"], proc.stdout + proc.stderr
    before_mb, peak_mb = int(lines[2]), int(lines[3])
    print(f"peak RSS reading a 100 MB body twice: {before_mb} MB before, {peak_mb} MB peak")
    # the growth is what the cap bounds (the baseline is whatever the imports take: it varies by machine)
    assert peak_mb - before_mb < 80, (before_mb, peak_mb)  # uncapped: the process grows by the body, ~100+ MB
