"""`respcheck selftest`: prove the suite has teeth.

For every fault in the reference server's catalogue (`respcheck.server.faults.ALL_FAULTS`) start the
reference target with that fault, run the suite tests tied to the fault's behaviour ids, and check that at
least one fails naming the behaviour. One clean run of the whole suite first: against the fault-free
server every failure is a false alarm. Real recorded traffic gives the validators' specificity. Exit 0 only
when every fault is detected, the clean run has no failure and no real-traffic finding is unexplained.

Runs are pytest subprocesses (one per fault, a pool of `-n` at a time): each needs its own server and the
harness plugin starts it from `--target reference --reference-fault NAME`.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from respcheck.errors import UserError
from respcheck.selftest.runs import ArgsFor, RunOutcome, collect, harness_args, run_pytest
from respcheck.selftest.score import (
    FaultRow,
    false_alarms,
    judge_fault,
    precision_line,
    tied_tests,
    verdict_counts,
)
from respcheck.selftest.specificity import Specificity
from respcheck.selftest.worker import Worker

__all__ = ["SelftestResult", "add_parser", "render", "run_selftest"]

#: From this many suite tests on, the clean run uses pytest-xdist (`-n workers`).
XDIST_FROM = 60


@dataclass
class SelftestResult:
    faults: list[FaultRow]
    clean: RunOutcome | None
    tests: int
    specificity: Specificity | None
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def detected(self) -> int:
        return sum(r.detected for r in self.faults)

    @property
    def false_alarms(self) -> list:
        return false_alarms(self.clean) if self.clean else []

    @property
    def ok(self) -> bool:
        clean_ok = self.clean is not None and self.clean.error is None and not self.false_alarms
        spec_ok = self.specificity is None or not self.specificity.present or self.specificity.ok
        return self.detected == len(self.faults) and clean_ok and spec_ok

    def to_dict(self) -> dict[str, Any]:
        total = len(self.faults)
        clean = None
        if self.clean is not None:
            clean = {
                "tests": len(self.clean.results),
                "verdicts": verdict_counts(self.clean),
                "false_alarms": [{"nodeid": r.nodeid, "behaviours": r.behaviours, "verdict": r.verdict,
                                  "message": r.message} for r in self.false_alarms],
                "error": self.clean.error,
                "duration_s": round(self.clean.duration_s, 2),
            }
        return {
            "ok": self.ok,
            "score": {"detected": self.detected, "total": total,
                      "percent": round(100.0 * self.detected / total, 1) if total else 0.0},
            "tests_collected": self.tests,
            "clean": clean,
            "faults": [r.to_dict() for r in self.faults],
            "real_traffic": self.specificity.to_dict() if self.specificity else None,
            "duration_s": round(self.duration_s, 2),
            "notes": self.notes,
        }


def _claims() -> dict[str, str]:
    from respcheck.catalogue import load_catalogue

    return {bid: b.claim for bid, b in load_catalogue().items()}


def run_selftest(
    *,
    faults: Mapping[str, Any] | None = None,
    suites: Sequence[str | Path] | None = None,
    rootdir: Path | None = None,
    workers: int = 2,
    args_for: ArgsFor = harness_args,
    extra_args: Sequence[str] = (),
    claims: Mapping[str, str] | None = None,
    real_traffic: bool = True,
    timeout_s: float = 600.0,
    fresh_processes: bool = False,
    spread: bool = False,
    progress=None,
) -> SelftestResult:
    """Collect, run clean, run each fault, judge. `faults`: name -> object with `.behaviours` (and
    optionally `.description`, `.family`); default: the reference server's whole catalogue.
    `fresh_processes=True` runs each fault in a new interpreter instead of a reused worker (slower, for
    ruling out leaks between runs). `spread=True` runs every collected test under each fault, not only the
    tied ones, so a row's `collateral` lists every other behaviour the fault breaks (slow)."""
    from respcheck import paths

    started = time.monotonic()
    if faults is None:
        from respcheck.server.faults import ALL_FAULTS

        faults = ALL_FAULTS
    rootdir = Path(rootdir or paths.project_root())
    suite_paths = [str(p) for p in (suites or [paths.suites_dir()])]
    claims = _claims() if claims is None else claims
    say = progress or (lambda _msg: None)

    behaviours = collect(suite_paths, rootdir=rootdir, args_for=args_for, extra_args=extra_args)
    say(f"collected {len(behaviours)} suite tests")
    rows = []
    for name, fault in faults.items():
        ids = list(getattr(fault, "behaviours", ()))
        rows.append(FaultRow(name=name, family=getattr(fault, "family", name.split(".", 1)[0]),
                             description=getattr(fault, "description", ""), behaviours=ids,
                             tests=tied_tests(ids, behaviours)))

    idle: queue.Queue[Worker] = queue.Queue()
    pool_of = [Worker(rootdir) for _ in range(max(1, workers))]
    for w in pool_of:
        idle.put(w)

    def _clean_run() -> RunOutcome | None:
        if not behaviours:
            return None
        # many tests: spread them over xdist; few: one reused worker (xdist start-up costs more than it saves)
        if len(behaviours) >= XDIST_FROM and workers > 1 or fresh_processes:
            run = run_pytest("clean", list(behaviours), rootdir=rootdir, workers=workers, args_for=args_for,
                             extra_args=extra_args, timeout_s=timeout_s, behaviours=dict(behaviours))
        else:
            run = pool_of[0].run("clean", list(behaviours), args_for=args_for, extra_args=extra_args,
                                 timeout_s=timeout_s, behaviours=dict(behaviours))
        say(f"clean run: {verdict_counts(run)} in {run.duration_s:.1f} s")
        return run

    def one(row: FaultRow) -> FaultRow:
        if not row.tests:
            return judge_fault(row, None, claims)
        tests = list(behaviours) if spread else row.tests
        if fresh_processes:
            run = run_pytest(row.name, tests, rootdir=rootdir, fault=row.name, args_for=args_for,
                             extra_args=extra_args, timeout_s=timeout_s, behaviours=dict(behaviours))
        else:
            worker = idle.get()
            try:
                run = worker.run(row.name, tests, fault=row.name, args_for=args_for, extra_args=extra_args,
                                 timeout_s=timeout_s, behaviours=dict(behaviours))
            finally:
                idle.put(worker)
        judged = judge_fault(row, run, claims)
        say(f"{row.name}: {judged.verdict} ({run.duration_s:.1f} s)")
        return judged

    try:
        clean = _clean_run()
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            rows = list(pool.map(one, rows))
    finally:
        for w in pool_of:
            w.stop()

    spec = None
    if real_traffic:
        from respcheck.selftest.specificity import measure

        spec = measure()
    result = SelftestResult(rows, clean, len(behaviours), spec, time.monotonic() - started)
    if not behaviours:
        result.notes.append("the suites hold no tests: nothing can detect any fault")
    return result


# ---------------------------------------------------------------------------------------- rendering
def render(result: SelftestResult, file=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout)
    if not console.is_terminal:
        console.width = 160  # logs and CI: wide enough that ids are not folded mid-word
    table = Table(title="respcheck selftest: faults of the reference server", show_lines=False)
    for col in ("fault", "family", "tied behaviours", "detecting tests", "behaviours failed", "verdict"):
        table.add_column(col, overflow="fold")
    for row in result.faults:
        style = "green" if row.detected else "red"
        detecting = "\n".join(n.split("::", 1)[-1] for n in row.detecting) or _short(row.reason)
        table.add_row(row.name, row.family, "\n".join(row.behaviours), detecting, _failed_cell(row),
                      f"[{style}]{row.verdict}[/]")
    console.print(table)
    console.print(precision_line(result.faults))
    total = len(result.faults)
    pct = 100.0 * result.detected / total if total else 0.0
    console.print(f"score: {result.detected}/{total} faults detected ({pct:.1f}%) by {result.tests} suite tests")
    if result.clean is None:
        console.print("clean run: not run (no tests)")
    else:
        alarms = result.false_alarms
        console.print(f"clean run: {len(result.clean.results)} tests {verdict_counts(result.clean)}, "
                      f"{len(alarms)} false alarm(s) in {result.clean.duration_s:.1f} s"
                      + (f" - {result.clean.error}" if result.clean.error else ""))
        for res in alarms[:20]:
            console.print(f"  false alarm: {res.nodeid} [{res.verdict}] {res.message[:200]}", markup=False)
    if result.specificity is not None:
        console.print(result.specificity.line())
        for ex in result.specificity.examples:
            console.print(f"  {'' if 'nothing judged' in ex else 'unexplained: '}{ex}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}")
    console.print(f"selftest {'PASSED' if result.ok else 'FAILED'} in {result.duration_s:.1f} s")


def _failed_cell(row: FaultRow) -> str:
    """Own failed behaviours, then the others (marked +) the same failing tests also mark failed."""
    own = [b for b in row.failed_behaviours if b not in row.collateral]
    return "\n".join(own + [f"+ {b}" for b in row.collateral]) or "-"


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------------------------------------- CLI
def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("selftest", help="prove the suite detects every reference-server fault",
                              description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--fault", action="append", default=[], metavar="NAME",
                   help="only this fault (repeatable; default: every fault of `respcheck faults`)")
    p.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    p.add_argument("-n", dest="workers", type=int, default=2, metavar="N", help="parallel runs (default 2)")
    p.add_argument("--suites", action="append", default=[], metavar="PATH", help="suite folder/file (default: suites/)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help="limit per pytest run (default 600)")
    p.add_argument("--fresh", action="store_true", help="a new interpreter per fault run (slower; rules out leaks)")
    p.add_argument("--no-real-traffic", action="store_true", help="skip the real-traffic specificity count")
    p.add_argument("--spread", action="store_true",
                   help="run every suite test under each fault, not only the tied ones, so 'behaviours failed' "
                        "lists all a fault breaks (slow: one suite run per fault)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from respcheck.server.faults import ALL_FAULTS, parse_faults

    if args.workers < 1:
        raise UserError(f"-n must be at least 1, not {args.workers}")
    faults: Mapping[str, Any] = ALL_FAULTS
    if args.fault:
        chosen = parse_faults(args.fault)
        faults = {name: f for name, f in ALL_FAULTS.items() if name in chosen}
    for path in args.suites:
        if not Path(path).exists():
            raise UserError(f"suite path not found: {path}")
    json_path = Path(args.json) if args.json else None
    if json_path is not None and not json_path.parent.is_dir():
        raise UserError(f"cannot write {json_path}: folder {json_path.parent} does not exist")
    result = run_selftest(faults=faults, suites=[Path(p).resolve() for p in args.suites] or None,
                          workers=args.workers, real_traffic=not args.no_real_traffic, timeout_s=args.timeout,
                          fresh_processes=args.fresh, spread=args.spread,
                          progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    render(result)
    if json_path is not None:
        json_path.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0 if result.ok else 1
