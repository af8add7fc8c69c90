"""Run the suite in a pytest subprocess and read back what every test claimed and how it ended.

Each run is its own process because each needs its own reference server (with or without a fault) and a
fresh import of the suites. Results come from two places: the harness plugin's ``results.jsonl`` (its
verdicts and messages are the product's truth, so they win when present) and our `hooks` plugin (always
there, so the selftest still works while the harness is unfinished).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from respcheck.errors import UserError
from respcheck.selftest.hooks import ENV_OUT

#: How the selftest tells a suite run which target to use: the harness plugin's documented options.
ArgsFor = Callable[[str | None, Path], list[str]]


def harness_args(fault: str | None, report_dir: Path) -> list[str]:
    """`--target reference` (+ `--reference-fault NAME`) and a private `--report-dir` per run."""
    args = ["--target", "reference", "--report-dir", str(report_dir)]
    if fault:
        args += ["--reference-fault", fault]
    return args


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class despite the name

    nodeid: str
    behaviours: list[str]
    verdict: str
    """pass | fail | error | skipped | not-applicable | inconclusive | not-run | xfailed | xpassed"""
    message: str = ""
    failed: list[str] | None = None
    """The behaviours a failure names as contradicted (result record ``failed``); None: all of them."""

    def failed_behaviours(self) -> list[str]:
        return list(self.failed) if self.failed else list(self.behaviours)


@dataclass
class RunOutcome:
    label: str
    returncode: int
    duration_s: float
    results: dict[str, TestResult] = field(default_factory=dict)
    error: str | None = None
    """Set when pytest itself broke (usage error, crash, timeout): the run judged nothing."""


# pytest exit codes 0 (all passed), 1 (some failed) and 5 (nothing collected) are normal outcomes
_NORMAL_EXITS = (0, 1, 5)


def clean_env(out: Path | None) -> dict[str, str]:
    """No xdist worker identity or outer test id leaks into a nested run (plugins key files on them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT_TEST"))}
    env.pop("PYTEST_ADDOPTS", None)
    if out is not None:
        env[ENV_OUT] = str(out)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def _read_lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def _from_hooks(rows: list[dict[str, Any]], behaviours: dict[str, list[str]]) -> dict[str, TestResult]:
    """Fold per-phase reports into one verdict per test: a failed call is `fail`, a broken setup/teardown
    `error`, a skip `skipped`; a test that only passed is `pass`."""
    out: dict[str, TestResult] = {}
    for row in rows:
        if row.get("kind") == "item":
            behaviours.setdefault(row["nodeid"], row.get("behaviours", []))
            continue
        nodeid, when, outcome = row["nodeid"], row.get("when"), row.get("outcome")
        res = out.setdefault(nodeid, TestResult(nodeid, behaviours.get(nodeid, []), "pass"))
        if outcome == "failed":
            verdict = "fail" if when == "call" else "error"
            if res.verdict not in ("fail", "error"):
                res.verdict, res.message = verdict, row.get("message", "")
        elif outcome in ("skipped", "xfailed", "xpassed") and res.verdict == "pass":
            res.verdict, res.message = outcome, row.get("message", "")
    return out


def _from_harness(report_dir: Path, behaviours: dict[str, list[str]]) -> dict[str, TestResult]:
    out: dict[str, TestResult] = {}
    for path in sorted(report_dir.glob("*/results.jsonl")):
        for row in _read_lines(path):
            nodeid = row.get("nodeid")
            if not nodeid:
                continue
            out[nodeid] = TestResult(nodeid, list(row.get("behaviours") or behaviours.get(nodeid, [])),
                                     str(row.get("verdict", "")), str(row.get("message") or ""),
                                     list(row["failed"]) if row.get("failed") else None)
    return out


def _pytest_error(stdout: str, stderr: str) -> str:
    """The one line that says why pytest refused to run (usage errors end up on stderr)."""
    for text in (stderr, stdout):
        for line in text.splitlines():
            if "error:" in line.lower() or line.startswith(("E ", "ERROR")):
                return line.strip()
    lines = (stderr or stdout).strip().splitlines()
    return lines[-1].strip() if lines else "pytest exited without output"


def pytest_args(paths: Sequence[str], *, rootdir: Path, report_dir: Path, fault: str | None = None,
                workers: int = 0, collect_only: bool = False, args_for: ArgsFor = harness_args,
                extra_args: Sequence[str] = ()) -> list[str]:
    """The pytest command line (without the interpreter) for one run: our hooks, the target, the paths."""
    args = ["-q", "-p", "respcheck.selftest.hooks", "--rootdir", str(rootdir), *args_for(fault, report_dir), *extra_args]
    if collect_only:
        args.append("--collect-only")
    if workers > 1:
        args += ["-n", str(workers)]
    return args + list(paths)


def gather(label: str, *, out: Path, report_dir: Path, behaviours: dict[str, list[str]], returncode: int,
           duration_s: float, stdout: str = "", stderr: str = "") -> RunOutcome:
    """Read what one finished run left behind (hooks file, harness results) into a `RunOutcome`."""
    results = _from_hooks(_read_lines(out), behaviours)
    for nodeid, res in _from_harness(report_dir, behaviours).items():
        if not res.behaviours and nodeid in results:
            res.behaviours = results[nodeid].behaviours
        results[nodeid] = res
    error = None
    if returncode not in _NORMAL_EXITS:
        error = f"pytest exit {returncode}: {_pytest_error(stdout, stderr)}"
    return RunOutcome(label, returncode, duration_s, results, error)


def run_pytest(
    label: str,
    paths: Sequence[str],
    *,
    rootdir: Path,
    fault: str | None = None,
    workers: int = 0,
    collect_only: bool = False,
    args_for: ArgsFor = harness_args,
    extra_args: Sequence[str] = (),
    timeout_s: float = 600.0,
    behaviours: dict[str, list[str]] | None = None,
) -> RunOutcome:
    """One fresh pytest subprocess over `paths` (files, folders or nodeids) with our hooks plugin loaded."""
    behaviours = behaviours if behaviours is not None else {}
    with tempfile.TemporaryDirectory(prefix="respcheck-selftest-") as tmp:
        out = Path(tmp) / "hooks.jsonl"
        report_dir = Path(tmp) / "reports"
        cmd = [sys.executable, "-m", "pytest", *pytest_args(
            paths, rootdir=rootdir, report_dir=report_dir, fault=fault, workers=workers,
            collect_only=collect_only, args_for=args_for, extra_args=extra_args)]
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=rootdir, env=clean_env(out), capture_output=True, text=True,
                                  timeout=timeout_s, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return RunOutcome(label, -1, time.monotonic() - started, error=f"timed out after {timeout_s:.0f} s")
        return gather(label, out=out, report_dir=report_dir, behaviours=behaviours, returncode=proc.returncode,
                      duration_s=time.monotonic() - started, stdout=proc.stdout, stderr=proc.stderr)


def collect(paths: Sequence[str], *, rootdir: Path, args_for: ArgsFor = harness_args,
            extra_args: Sequence[str] = (), timeout_s: float = 300.0) -> dict[str, list[str]]:
    """`{nodeid: behaviour ids}` of every test the suites hold. A broken collection is a `UserError`."""
    behaviours: dict[str, list[str]] = {}
    run = run_pytest("collect", paths, rootdir=rootdir, collect_only=True, args_for=args_for,
                     extra_args=extra_args, timeout_s=timeout_s, behaviours=behaviours)
    if run.error:
        raise UserError(f"cannot collect the suites: {run.error}",
                        hint="the selftest needs the harness plugin's --target reference / --reference-fault / --report-dir options")
    return behaviours
