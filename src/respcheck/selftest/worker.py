"""A long-lived pytest process that runs many fault runs one after another (`pytest.main` in-process).

Why: a fresh `python -m pytest` spends ~3 s importing openai, schemathesis and the plugins before the first
test; with ~90 faults that start-up dominates the selftest. A worker imports once and then runs one pytest
session per job. Every session still gets its own config, plugin state and reference server (the harness
keeps its state in `config.stash`), so one fault cannot leak into the next.

Protocol: the parent writes one JSON job per line on stdin (``{"args": [...], "out": "hooks.jsonl"}``); the
worker answers one JSON line (``{"rc": N, "log": "..."}``) on the stdout it had at start. Everything pytest
prints goes to a log file instead, so test output can never corrupt the protocol.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from respcheck.selftest.hooks import ENV_OUT
from respcheck.selftest.runs import ArgsFor, RunOutcome, clean_env, gather, harness_args, pytest_args


def serve() -> int:
    """The worker's main loop (`python -m respcheck.selftest.worker`)."""
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # stray prints (threads, C code) go nowhere, never into the protocol
    import pytest

    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        os.environ[ENV_OUT] = job["out"]
        log = io.StringIO()
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                rc = int(pytest.main(job["args"]))
        except BaseException as exc:  # noqa: BLE001 - report, keep serving
            rc, log = 3, io.StringIO(f"worker: {type(exc).__name__}: {exc}")
        proto.write(json.dumps({"rc": rc, "log": log.getvalue()[-4000:]}) + "\n")
    return 0


class Worker:
    """The parent's handle on one worker process; restarts it after a crash or a timeout."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-m", "respcheck.selftest.worker"], cwd=self.rootdir,
                                         env=clean_env(None), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True, bufsize=1)
        return self.proc

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(Exception):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def run(self, label: str, paths: Sequence[str], *, fault: str | None = None, args_for: ArgsFor = harness_args,
            extra_args: Sequence[str] = (), timeout_s: float = 600.0,
            behaviours: dict[str, list[str]] | None = None) -> RunOutcome:
        behaviours = behaviours if behaviours is not None else {}
        with tempfile.TemporaryDirectory(prefix="respcheck-selftest-") as tmp:
            out, report_dir = Path(tmp) / "hooks.jsonl", Path(tmp) / "reports"
            args = pytest_args(paths, rootdir=self.rootdir, report_dir=report_dir, fault=fault,
                               args_for=args_for, extra_args=extra_args)
            started = time.monotonic()
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps({"args": args, "out": str(out)}) + "\n")
                proc.stdin.flush()
            except BrokenPipeError:
                self.stop()
                return RunOutcome(label, -1, 0.0, error="the selftest worker died before the run")
            ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
            line = proc.stdout.readline() if ready else ""
            duration = time.monotonic() - started
            if not line:
                why = f"timed out after {timeout_s:.0f} s" if not ready else "the selftest worker crashed"
                self.stop()
                return RunOutcome(label, -1, duration, error=why)
            answer = json.loads(line)
            return gather(label, out=out, report_dir=report_dir, behaviours=behaviours,
                          returncode=int(answer["rc"]), duration_s=duration, stdout=answer.get("log", ""))


if __name__ == "__main__":
    sys.exit(serve())
