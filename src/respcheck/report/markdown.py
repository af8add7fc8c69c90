"""report.md: the form that goes into a pull request or a wiki page.

Order matters for a reader skimming a PR: who was tested and the score first, then the family table,
then what failed with its evidence, and only then the full table.
"""

from __future__ import annotations

from respcheck.report.aggregate import VERDICT_ORDER
from respcheck.report.text import SYMBOLS, conflict_note, identity_line, md_cell, pct

_COUNT_HEAD = " | ".join(f"{SYMBOLS[v]} {v}" for v in VERDICT_ORDER)


def _counts_cells(summary: dict) -> str:
    return " | ".join(str(summary["counts"][v]) for v in VERDICT_ORDER)


def _fmt_value(value: object) -> str:
    if isinstance(value, list):
        return " / ".join(map(str, value)) + " (tests disagree)"
    return str(value)


def _observed(row: dict) -> str:
    return "; ".join(f"{k} = {_fmt_value(v)}" for k, v in row["observed"].items())


def _identity_table(report: dict) -> list[str]:
    run = report["run"]
    t, v, s = run["target"], run["versions"], run["spent"]
    endpoint = t["endpoint"] or "–"
    versions = " · ".join(f"{k} {val}" for k, val in v.items() if val)
    spent = (
        f"{s['requests']} requests · {s['input_tokens']} input tokens · {s['output_tokens']} output tokens"
        f" · {s['bytes_sent']} bytes sent"
        + (f" · ≈ {s['est_cost_usd']:.4f} USD" if s.get("est_cost_usd") else "")
    )
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
    lines = [f"### {SYMBOLS[row['verdict']]} `{row['id']}`", "", md_cell(row["claim"]), ""]
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
            inter = ", ".join(map(str, t["interactions"]))
            lines.append(f"  - cassette `{t['cassette']}`" + (f", interactions {inter}" if inter else ""))
        for shared in t.get("shared_cassettes") or []:
            lines.append(f"  - shared cassette `{shared}`")
    if row["observed"]:
        lines.append(f"- observed: {md_cell(_observed(row))}")
    return lines + [""]


def render_markdown(report: dict) -> str:
    """report.md text for one report."""
    summary = report["summary"]
    rows = report["behaviours"]
    out = [
        f"# respcheck report: {identity_line(report)}",
        "",
        f"**Conformance score {pct(summary['score'])}** (pass / (pass + fail)), "
        f"**coverage {pct(summary['coverage'])}** ({summary['decided']} of {summary['in_scope']} in-scope "
        f"behaviours decided), {summary['behaviours']} behaviours, {summary['tests']} tests.",
        "",
        " · ".join(f"{SYMBOLS[v]} {v} {summary['counts'][v]}" for v in VERDICT_ORDER),
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
    for verdict, title in (("fail", "Failures"), ("inconclusive", "Inconclusive")):
        picked = [r for r in rows if r["verdict"] == verdict]
        if picked:
            out += ["", f"## {title} ({len(picked)})", ""]
            for row in picked:
                out += _evidence_block(row)
    out += ["", "## All behaviours", "", "| Behaviour | Verdict | Claim | Reason / observed |", "|---|---|---|---|"]
    for row in rows:
        note = "; ".join(x for x in (conflict_note(row), row["reason"], _observed(row)) if x)
        out.append(
            f"| `{row['id']}` | {SYMBOLS[row['verdict']]} {row['verdict']} | {md_cell(row['claim'])} | {md_cell(note)} |"
        )
    if report["unmatched"]:
        out += ["", "## Results naming behaviours not in the catalogue", ""]
        for u in report["unmatched"]:
            out.append(f"- `{u['behaviour']}`: " + ", ".join(f"`{n}`" for n in u["nodeids"]))
    out += ["", "Score = pass / (pass + fail); coverage = behaviours decided (pass, fail, not-applicable) / "
            "behaviours in scope. See docs/reports.md.", ""]
    return "\n".join(out)
