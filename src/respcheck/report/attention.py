"""What needs a person's attention in one report: the failed, inconclusive and not-run tests, worst first.

Every renderer (report.md, report.html, the table `respcheck run` prints) leads with this list, and
`respcheck diff` compares the tests it is built from, so a test lost to a harness error, a missing
cassette or a budget shows up in every artefact the same way instead of hiding behind its passing siblings.
"""

from __future__ import annotations

import re

from respcheck.report.aggregate import ATTENTION, TEST_VERDICTS

_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


def all_tests(report: dict) -> dict[str, dict]:
    """nodeid -> the test's entry plus ``behaviours`` (every behaviour id it checked) for one report.

    A test that checks several behaviours appears once per row in report.json; this folds it back to one.
    Tests that named no catalogue behaviour (``untied_tests``, report 1.1) are included too.
    """
    out: dict[str, dict] = {}
    for row in report["behaviours"]:
        for t in row["tests"]:
            entry = out.setdefault(t["nodeid"], {**t, "behaviours": []})
            entry["behaviours"].append(row["id"])
    for t in report.get("untied_tests") or []:
        out.setdefault(t["nodeid"], {**t, "behaviours": []})
    for u in report.get("unmatched") or []:
        for nodeid in u["nodeids"]:
            if nodeid in out:
                out[nodeid]["behaviours"].append(u["behaviour"])
    return out


def attention_tests(report: dict) -> list[dict]:
    """The tests whose verdict is fail, inconclusive or not-run: fail first, then by node id."""
    picked = [t for t in all_tests(report).values() if t["verdict"] in ATTENTION]
    return sorted(picked, key=lambda t: (ATTENTION.index(t["verdict"]), t["nodeid"]))


def test_counts(report: dict) -> dict[str, int]:
    """Tests per test verdict, from the summary (every verdict present, 0 when none)."""
    counts = report["summary"].get("test_counts") or {}
    return {v: int(counts.get(v, 0)) for v in ("pass", "fail", "inconclusive", "not-run", "not-applicable") if v in TEST_VERDICTS}


def plain_message(test: dict | str) -> str:
    """A test's message (or a row's reason) without the ``[behaviour.ids, ...] `` prefix failures carry:
    the ids stand beside it in every table, and repeating them buries the finding."""
    message = (test if isinstance(test, str) else test.get("message") or "").strip()
    if message.startswith("[") and "] " in message:
        head, rest = message[1:].split("] ", 1)
        if all(_ID.fullmatch(part.strip()) for part in head.split(",")):
            return rest
    return message


def first_line(text: str, limit: int = 240) -> str:
    """The first line of a message, cut to `limit` characters (the full text stays in the evidence)."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
