"""How several test results on one behaviour become one verdict, and how verdicts become a score.

The rules live here, apart from report building, because the report, the matrix and the documentation
(docs/reports.md) must all agree on them.

Folding the verdicts of the tests that check one behaviour (first rule that applies wins):

1. any test failed                         -> fail          (one counter-example is enough)
2. any test was inconclusive               -> inconclusive  (we could not find out everywhere)
3. any test did not run (or errored)       -> not-run       (a lost test is never hidden by its siblings)
4. any test passed                         -> pass
5. every test was not-applicable           -> not-applicable
6. no test covers the behaviour at all     -> untested

Rule 3 sits above "pass" on purpose: a behaviour is only `pass` when every test that checks it ran and
passed (or could not apply). A run that lost a test to a harness error, a missing cassette or a budget
must show it in the score, the verdict table and the diff, not as a quiet 100 %.

Score and coverage (per family and overall):

* ``in_scope``  = behaviours the catalogue marks wire-testable, plus any other behaviour a test covered
* ``decided``   = in-scope behaviours whose verdict is pass, fail or not-applicable
* ``score``     = pass / (pass + fail + inconclusive + not-run), or null when that is 0: of the behaviours
  a test was meant to judge on this target, the share that held (not-applicable and untested are left out)
* ``coverage``  = decided / in_scope, or null when nothing is in scope

A high score on low coverage means little, which is why both are always shown together.
"""

from __future__ import annotations

from collections.abc import Iterable

from respcheck.verdicts import Verdict

# every verdict a report row can carry, in the order reports list them (worst news first)
VERDICT_ORDER: tuple[str, ...] = (
    Verdict.FAIL.value,
    Verdict.INCONCLUSIVE.value,
    Verdict.NOT_RUN.value,
    Verdict.UNTESTED.value,
    Verdict.NOT_APPLICABLE.value,
    Verdict.PASS.value,
)
TEST_VERDICTS: frozenset[str] = frozenset(VERDICT_ORDER) - {Verdict.UNTESTED.value}
"""Verdicts a single test result may carry (``untested`` only exists at behaviour level)."""
DECIDED: frozenset[str] = frozenset({Verdict.PASS.value, Verdict.FAIL.value, Verdict.NOT_APPLICABLE.value})
ATTENTION: tuple[str, ...] = (Verdict.FAIL.value, Verdict.INCONCLUSIVE.value, Verdict.NOT_RUN.value)
"""Verdicts that need a person's attention, worst first: they lower the score and lead every report."""
SCORED: tuple[str, ...] = (Verdict.PASS.value, *ATTENTION)
"""Verdicts the score counts: pass over all of these."""


def fold(verdicts: Iterable[str]) -> str:
    """One behaviour verdict from the verdicts of the tests that check it (rules in the module doc)."""
    seen = set(verdicts)
    if not seen:
        return Verdict.UNTESTED.value
    for v in (*ATTENTION, Verdict.PASS.value):
        if v in seen:
            return v
    if seen == {Verdict.NOT_APPLICABLE.value}:
        return Verdict.NOT_APPLICABLE.value
    return Verdict.NOT_RUN.value


def summarise(rows: Iterable[dict]) -> dict:
    """Counts per verdict, score and coverage over report rows (each with verdict and in_scope)."""
    rows = list(rows)
    counts = {v: 0 for v in VERDICT_ORDER}
    in_scope = decided = 0
    for row in rows:
        counts[row["verdict"]] += 1
        if row["in_scope"]:
            in_scope += 1
            decided += row["verdict"] in DECIDED
    judged = sum(counts[v] for v in SCORED)
    return {
        "behaviours": len(rows),
        "counts": counts,
        "in_scope": in_scope,
        "decided": decided,
        "score": round(counts["pass"] / judged, 4) if judged else None,
        "coverage": round(decided / in_scope, 4) if in_scope else None,
    }
