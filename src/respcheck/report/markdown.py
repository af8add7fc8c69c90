"""report.md: the form that goes into a pull request or a wiki page.

Order matters for a reader skimming a PR: the score, then **what needs attention** (every failed,
inconclusive or not-run test with its message and a link to its evidence), then who was tested, the family
table, the evidence, and only then the full table, which lists the same worst news first.
"""

from __future__ import annotations

import json

from respcheck.report.aggregate import ATTENTION, VERDICT_ORDER
from respcheck.report.attention import attention_tests, first_line, plain_message
from respcheck.report.text import (
    SYMBOLS,
    conflict_note,
    identity_line,
    md_cell,
    pct,
    ranges,
    score_line,
    spent_text,
    tests_line,
)
from respcheck.report.variants import side_text

_COUNT_HEAD = " | ".join(f"{SYMBOLS[v]} {v}" for v in VERDICT_ORDER)


def _count(summary: dict, verdict: str) -> str:
    """A count cell; a non-zero count of bad news is bold so it does not read like the zeros beside it."""
    n = summary["counts"][verdict]
    return f"**{n}**" if n and verdict in ATTENTION else str(n)


def _counts_cells(summary: dict) -> str:
    return " | ".join(_count(summary, v) for v in VERDICT_ORDER)


def anchor(bid: str) -> str:
    """The anchor of a behaviour's evidence block (the same id report.html gives its row)."""
    return f"b-{bid}"


def _attention(report: dict) -> list[str]:
    tests = attention_tests(report)
    if not tests:
        return ["## What needs attention", "", "Nothing: every test that ran passed or could not apply.", ""]
    out = [f"## What needs attention ({len(tests)} test{'s' if len(tests) != 1 else ''})", "",
           "| Verdict | Test | Behaviours | Message | Evidence |", "|---|---|---|---|---|"]
    for t in tests:
        links = ", ".join(f"[`{b}`](#{anchor(b)})" for b in t["behaviours"]) or "–"
        evidence = []
        if t["cassette"]:
            evidence.append(f"`{t['cassette']}`" + (f" (interactions {ranges(t['interactions'])})" if t["interactions"] else ""))
        if t["request_ids"]:
            more = len(t["request_ids"]) - 1
            evidence.append(f"request id `{t['request_ids'][0]}`" + (f" (+{more})" if more else ""))
        out.append(f"| {SYMBOLS[t['verdict']]} {t['verdict']} | `{md_cell(t['nodeid'])}` | {links} "
                   f"| {md_cell(first_line(plain_message(t))) or '–'} | {md_cell('; '.join(evidence)) or '–'} |")
    return out + [""]


def _fmt_value(value: object) -> str:
    if isinstance(value, list):
        return " / ".join(map(str, value)) + " (tests disagree)"
    return str(value)


def _observed(row: dict) -> str:
    return "; ".join(f"{k} = {_fmt_value(v)}" for k, v in row["observed"].items())


def _variants_section(rows: list[dict]) -> list[str]:
    """Where the docs and the service disagree (catalogue variants): which side this run's values show."""
    picked = [r for r in rows if r.get("variants")]
    if not picked:
        return []
    out = ["", f"## Docs or service: which side held ({len(picked)})", "",
           "Behaviours public reports say the real service contradicts; each side is the catalogue's rule applied "
           "to the value a test recorded under the variant's key (not observed: no test recorded it).", "",
           "| Behaviour | Side held | Variant (treated as) | Side | Recorded values | Sources |", "|---|---|---|---|---|---|"]
    for row in picked:
        section = row["variants"]
        for i, c in enumerate(section["checks"]):
            values = "; ".join(f"`{json.dumps(v['value'])}` → {v['side']} ({len(v['tests'])} test{'s' if len(v['tests']) != 1 else ''})"
                               for v in c["values"]) or (c["note"] or "–")
            head = (f"`{row['id']}`", f"**{section['side']}**") if i == 0 else ("", "")
            out.append(f"| {head[0]} | {head[1]} | {md_cell(c['name'])} ({c['treated_as']}) | {c['side']} "
                       f"| {md_cell(values)} | {md_cell(', '.join(c['sources'])) or '–'} |")
    return out


def _identity_table(report: dict) -> list[str]:
    run = report["run"]
    t, v = run["target"], run["versions"]
    endpoint = t["endpoint"] or "–"
    versions = " · ".join(f"{k} {val}" for k, val in v.items() if val)
    spent = spent_text(run)
    rows = [
        ("Run", f"`{run['run_id']}`"),
        ("Mode", run["mode"]),
        ("Target", f"{t['name'] or '–'} (`{endpoint}`)"),
        ("Region", t["region"] or "–"),
        ("Deployment", (t["deployment"] or "–") + (f" (model version {t['model_version']})" if t["model_version"] else "")),
        ("API version", t["api_version"] or "–"),
        ("Profile", t["profile"] or "–"),
        ("Versions", versions or "–"),
        ("Started", run["started_at"] or "–"),
        ("Duration", f"{run['duration_s']:.1f} s" if run["duration_s"] is not None else "–"),
        ("Spent", spent),
    ]
    return ["| | |", "|---|---|", *(f"| {k} | {md_cell(val)} |" for k, val in rows)]


def _evidence_block(row: dict) -> list[str]:
    lines = [f'<a id="{anchor(row["id"])}"></a>', "", f"### {SYMBOLS[row['verdict']]} {row['verdict']}: `{row['id']}`", "",
             md_cell(row["claim"]), ""]
    if conflict_note(row):
        lines += [conflict_note(row) + " - the test's message and observed values say which side this target bears out", ""]
    if row["quote"]:
        lines += [f"> {md_cell(row['quote'])}" + (f" ({row['source']})" if row["source"] else ""), ""]
        if row["quote_en"]:
            lines += [f"> *{md_cell(row['quote_en'])}*", ""]
    for t in row["tests"]:
        if t["verdict"] == "pass":
            continue
        lines.append(f"- **{t['verdict']}** `{t['nodeid']}`")
        if t["message"]:
            lines.append(f"  - {md_cell(t['message'])}")
        if t["request_ids"]:
            lines.append("  - request ids: " + ", ".join(f"`{r}`" for r in t["request_ids"]))
        if t["cassette"]:
            inter = ranges(t["interactions"])
            lines.append(f"  - cassette `{t['cassette']}`" + (f", interactions {inter}" if inter else ""))
        for shared in t.get("shared_cassettes") or []:
            lines.append(f"  - shared cassette `{shared}`")
    if row["observed"]:
        lines.append(f"- observed: {md_cell(_observed(row))}")
    if row.get("variants"):
        lines.append(f"- {md_cell(side_text(row['variants']))}")
    return lines + [""]


def render_markdown(report: dict) -> str:
    """report.md text for one report."""
    summary = report["summary"]
    rows = report["behaviours"]
    head, _, tail = score_line(summary).partition(", coverage ")
    score, _, detail = head.partition(" (")
    out = [
        f"# respcheck report: {identity_line(report)}",
        "",
        f"**{score}** ({detail}, **coverage {tail.replace(' (', '** (', 1)}.",
        "",
        " · ".join(f"{SYMBOLS[v]} {v} {summary['counts'][v]}" for v in VERDICT_ORDER) + f" ({tests_line(summary)})",
        "",
        *_attention(report),
        "## Run",
        "",
        *_identity_table(report),
        "",
        "## Families",
        "",
        f"| Family | Score | Coverage | {_COUNT_HEAD} |",
        "|---|---:|---:|" + "---:|" * len(VERDICT_ORDER),
    ]
    for fam in report["families"]:
        out.append(f"| {fam['family']} | {pct(fam['score'])} | {pct(fam['coverage'])} | {_counts_cells(fam)} |")
    out.append(f"| **all** | **{pct(summary['score'])}** | **{pct(summary['coverage'])}** | {_counts_cells(summary)} |")
    titles = {"fail": "Failures", "inconclusive": "Inconclusive", "not-run": "Not run"}
    for verdict in ATTENTION:
        picked = [r for r in rows if r["verdict"] == verdict]
        if picked:
            out += ["", f"## {titles[verdict]} ({len(picked)})", ""]
            for row in picked:
                out += _evidence_block(row)
    out += _variants_section(rows)
    out += ["", "## All behaviours", "", "| Behaviour | Verdict | Claim | Reason / observed |", "|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: (VERDICT_ORDER.index(r["verdict"]), r["id"])):
        side = side_text(row["variants"]) if row.get("variants") else ""
        note = "; ".join(x for x in (conflict_note(row), side, first_line(row["reason"], 400), _observed(row)) if x)
        out.append(
            f"| `{row['id']}` | {SYMBOLS[row['verdict']]} {row['verdict']} | {md_cell(row['claim'])} | {md_cell(note)} |"
        )
    untied = report.get("untied_tests") or []
    if untied:
        out += ["", "## Tests that named no catalogue behaviour", ""]
        out += [f"- {SYMBOLS[t['verdict']]} {t['verdict']} `{t['nodeid']}`" + (f": {md_cell(first_line(t['message']))}" if t["message"] else "")
                for t in untied]
    if report["unmatched"]:
        out += ["", "## Results naming behaviours not in the catalogue", ""]
        for u in report["unmatched"]:
            out.append(f"- `{u['behaviour']}`: " + ", ".join(f"`{n}`" for n in u["nodeids"]))
    out += ["", "Score = pass / (pass + fail + inconclusive + not-run): a behaviour passes only when every test "
            "on it ran and passed. Coverage = behaviours decided (pass, fail, not-applicable) / behaviours in scope. "
            "See docs/reports.md.", ""]
    return "\n".join(out)
