"""Judge the runs: which faults the suite detected, and which tests failed against the clean server.

Pure functions over `TestResult`s so the rules are testable without running anything. A fault is detected
when at least one test tied to its behaviour ids has verdict `fail` and its message names one of those
behaviours (the id, or its catalogue claim). A failure that does not say which behaviour broke is reported
as such - it is not counted, because a report reader could not tell what the deployment got wrong. Each
row also lists the behaviours its failing tests mark failed, and which of them the fault is not tied to
(`collateral`): a fault should fail its own behaviours, not fifty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from respcheck.attribution import AMBIENT_PREFIX
from respcheck.selftest.runs import RunOutcome, TestResult

DETECTED = "detected"
NO_TEST = "undetectable: no test"
NOT_FAILED = "missed: no tied test failed"
UNNAMED = "missed: failed without naming the behaviour"
RUN_ERROR = "run error"

#: Verdicts of the clean run that are false alarms (a perfect server must not fail a test).
FALSE_ALARM_VERDICTS = frozenset({"fail", "error", "xpassed"})


@dataclass
class FaultRow:
    name: str
    family: str
    description: str
    behaviours: list[str]
    tests: list[str] = field(default_factory=list)
    detecting: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    """Tied tests that failed (detecting or not): what a reader checks when a fault is missed."""
    failed_behaviours: list[str] = field(default_factory=list)
    """Every behaviour id the failing tests carry: what a report of this fault would mark failed."""
    collateral: list[str] = field(default_factory=list)
    """Of those, the ones not tied to the fault: a precise fault fails its own behaviours and no others."""
    verdict: str = NO_TEST
    reason: str = ""
    duration_s: float = 0.0

    @property
    def detected(self) -> bool:
        return self.verdict == DETECTED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def names_behaviour(message: str, ids: Iterable[str], claims: Mapping[str, str]) -> bool:
    """Does the failure message name one of `ids` (the id itself, or its claim sentence)?"""
    msg = _norm(message)
    for bid in ids:
        if bid.lower() in msg:
            return True
        claim = claims.get(bid)
        if claim and _norm(claim) in msg:
            return True
    return False


def tied_tests(fault_ids: Iterable[str], behaviours: Mapping[str, list[str]]) -> list[str]:
    ids = set(fault_ids)
    return [nodeid for nodeid, bids in behaviours.items() if ids & set(bids)]


def judge_fault(row: FaultRow, run: RunOutcome | None, claims: Mapping[str, str]) -> FaultRow:
    """Fill `row` from its run (None: nothing was run because no test is tied)."""
    if not row.behaviours:
        row.verdict, row.reason = NO_TEST, "the fault catalogue ties no behaviour id to this fault"
        return row
    if not row.tests or run is None:
        row.verdict, row.reason = NO_TEST, "no suite test carries " + " / ".join(row.behaviours)
        return row
    row.duration_s = round(run.duration_s, 2)
    ids = set(row.behaviours)
    # the ambient checks' records (respcheck.attribution) belong to no collected test: one whose owner
    # behaviour is the fault's counts like a tied test (the run executed only tied tests to produce it)
    ambient = [n for n, res in run.results.items() if n.startswith(AMBIENT_PREFIX) and ids & set(res.behaviours)]
    for nodeid in [*row.tests, *ambient]:
        res: TestResult | None = run.results.get(nodeid)
        if res is None or res.verdict != "fail":
            continue
        row.failing.append(nodeid)
        if names_behaviour(res.message, ids & set(res.behaviours) or ids, claims):
            row.detecting.append(nodeid)
    # every failing test of the run counts here, tied or not (with `selftest --spread` the run is the whole
    # suite, so this is everything the fault breaks)
    failed = {bid for res in run.results.values() if res.verdict == "fail" for bid in res.failed_behaviours()}
    row.failed_behaviours = sorted(failed)
    row.collateral = sorted(failed - ids)
    if row.detecting:
        row.verdict, row.reason = DETECTED, ""
    elif run.error and not run.results:
        row.verdict, row.reason = RUN_ERROR, run.error
    elif row.failing:
        first = run.results[row.failing[0]].message
        row.verdict = UNNAMED
        row.reason = f"{len(row.failing)} tied test(s) failed but no message names {' / '.join(sorted(ids))}; e.g. {first[:160]!r}"
    else:
        seen = [run.results[n].verdict for n in row.tests if n in run.results]
        counts = {v: seen.count(v) for v in sorted(set(seen))}
        missing = len(row.tests) - len(seen)
        row.verdict = NOT_FAILED
        row.reason = "tied tests ended " + (", ".join(f"{n} {v}" for v, n in counts.items()) or "unrun")
        if missing:
            row.reason += f", {missing} not reported"
        if run.error:
            row.reason += f" ({run.error})"
    return row


def false_alarms(run: RunOutcome) -> list[TestResult]:
    return [r for r in run.results.values() if r.verdict in FALSE_ALARM_VERDICTS]


def verdict_counts(run: RunOutcome) -> dict[str, int]:
    counts: dict[str, int] = {}
    for res in run.results.values():
        counts[res.verdict] = counts.get(res.verdict, 0) + 1
    return dict(sorted(counts.items()))


def precision_line(rows: Iterable[FaultRow]) -> str:
    """One line: how many faults fail only their own behaviours, and the worst spill-over."""
    rows = [r for r in rows if r.failed_behaviours]
    spilled = [r for r in rows if r.collateral]
    line = f"precision: {len(rows) - len(spilled)}/{len(rows)} failing faults fail only their own behaviours"
    if spilled:
        worst = max(spilled, key=lambda r: len(r.collateral))
        line += f"; most spill-over: {worst.name} ({len(worst.collateral)} other behaviour(s))"
    return line
