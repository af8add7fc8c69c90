"""Acceptance: the validators find nothing wrong with real recorded traffic (../shared/real-traffic).

Real traffic is conformant by definition, so every finding here is a validator bug unless
`respcheck.traffic.justified.JUSTIFIED` lists it with a reason. A file that loads but in which nothing is
judged fails too (a silent pass otherwise), unless it is a request-only file whose response sits in a
sibling file (`respcheck.traffic.coverage`). A second test fails on justifications that no longer match any
finding, so the table cannot rot. Skips (with the reason) when ../shared is absent.
"""

from __future__ import annotations

import pytest

from respcheck.findings import Finding
from respcheck.traffic import iter_real_traffic, load_file
from respcheck.traffic.coverage import unjudged_reason
from respcheck.traffic.justified import JUSTIFIED, justification_for
from respcheck.traffic.loaders import real_traffic_dir
from respcheck.traffic.validate import validate_recording

ROOT = real_traffic_dir()
FILES = iter_real_traffic()
pytestmark = pytest.mark.skipif(ROOT is None, reason="../shared/real-traffic is absent: no real traffic to accept")


def _rel(path) -> str:
    assert ROOT is not None
    return path.relative_to(ROOT).as_posix()


def findings_of(path) -> list[tuple[int, Finding]]:
    return [(v.index, f) for v in validate_recording(load_file(path)) for f in v.findings]


@pytest.mark.parametrize("path", FILES, ids=[_rel(p) for p in FILES] if ROOT else [])
def test_real_traffic_has_no_unexplained_findings(path):
    rec = load_file(path)
    verdicts = validate_recording(rec)
    assert rec.exchanges, "a recording with no exchanges"
    nothing = unjudged_reason(path, rec, verdicts)
    assert nothing is None, f"nothing in this file was judged: {nothing}"
    rel = _rel(path)
    unexplained = [f"exchange {v.index}: {f}" for v in verdicts for f in v.findings
                   if justification_for(rel, f) is None]
    assert not unexplained, "\n".join(unexplained[:40])


def test_real_traffic_is_judged_at_all():
    judged = [v for p in FILES for v in validate_recording(load_file(p)) if v.judged]
    kinds = {v.kind for v in judged}
    assert len(FILES) >= 100 and {"stream", "response", "error", "compaction", "deleted"} <= kinds


def test_no_stale_justifications():
    used = set()
    for path in FILES:
        rel = _rel(path)
        for _, f in findings_of(path):
            j = justification_for(rel, f)
            if j is not None:
                used.add(j)
    stale = [f"{j.glob} / {j.check} / {j.match!r}" for j in JUSTIFIED if j not in used]
    assert not stale, "justifications that no longer match a finding:\n" + "\n".join(stale)


def test_file_rules_are_few_and_named():
    """Justifications are shape rules ("*") or name one file each: no wildcard over a folder of recordings,
    which would let a new recording's real problem through unseen."""
    for j in JUSTIFIED:
        assert j.by_shape or not any(c in j.glob for c in "*?["), j
