"""Several reports side by side: behaviours x runs (twelve regions, three SDK versions, ...).

The matrix is built from reports, not from raw records, so any report.json ever published can be put
next to today's; the rows are the union of the reports' catalogues (a cell is None where a report's
catalogue did not have the behaviour).
"""

from __future__ import annotations

from respcheck.report.aggregate import summarise
from respcheck.report.text import SHORT, SYMBOLS, column_labels, md_cell, pct

MATRIX_VERSION = "1.1"
"""1.1: rows of behaviours with catalogue variants carry `sides` (the side held per run)."""


def matrix(reports: list[dict]) -> dict:
    """The matrix of `reports` (in the given column order)."""
    labels = column_labels(reports)
    columns = [
        {
            "label": label,
            "run_id": r["run"]["run_id"],
            "mode": r["run"]["mode"],
            "target": r["run"]["target"],
            "versions": r["run"]["versions"],
            "started_at": r["run"]["started_at"],
            "summary": {k: r["summary"][k] for k in ("behaviours", "counts", "in_scope", "decided", "score", "coverage")},
        }
        for label, r in zip(labels, reports, strict=True)
    ]
    by_run = [{row["id"]: row for row in r["behaviours"]} for r in reports]
    ids = sorted(set().union(*by_run)) if by_run else []
    rows = []
    for bid in ids:
        present = [b[bid] for b in by_run if bid in b]
        head = present[-1]  # the newest column's wording when catalogues differ
        cells = [b[bid]["verdict"] if bid in b else None for b in by_run]
        rows.append(
            {
                "id": bid,
                "family": head["family"],
                "claim": head["claim"],
                "cells": cells,
                "reasons": [b[bid]["reason"] if bid in b else "" for b in by_run],
                "differs": len(set(cells)) > 1,
            }
        )
        sides = [(b[bid].get("variants") or {}).get("side") if bid in b else None for b in by_run]
        if any(sides):  # which side held where the docs and the service disagree, per run (None: not in it)
            rows[-1]["sides"] = sides
    families = []
    for fam in sorted({row["family"] for row in rows}):
        cells = []
        for b in by_run:
            fam_rows = [row for row in b.values() if row["family"] == fam]
            cells.append(summarise(fam_rows) if fam_rows else None)
        families.append({"family": fam, "cells": cells})
    return {
        "matrix_version": MATRIX_VERSION,
        "columns": columns,
        "families": families,
        "rows": rows,
        "differing": sum(row["differs"] for row in rows),
    }


def family_counts(cell: dict) -> str:
    """``8✓ 3✗`` plus the inconclusive (❔) and not-run (⏸️) counts when there are any: the score counts them."""
    c = cell["counts"]
    extra = "".join(f" {c[v]}{SYMBOLS[v]}" for v in ("inconclusive", "not-run") if c[v])
    return f"{c['pass']}✓ {c['fail']}✗{extra}"


def render_matrix_markdown(m: dict) -> str:
    """The matrix as Markdown: runs, family scores, then one line per behaviour with a symbol per run."""
    cols = m["columns"]
    heads = " | ".join(md_cell(c["label"]) for c in cols)
    out = [
        f"# respcheck compatibility matrix ({len(m['rows'])} behaviours × {len(cols)} runs)",
        "",
        "| Column | Run | Mode | Target | Score | Coverage | pass | fail | other |",
        "|---|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for c in cols:
        counts = c["summary"]["counts"]
        other = sum(counts.values()) - counts["pass"] - counts["fail"]
        target = " ".join(x for x in (c["target"]["name"], c["target"]["region"], c["target"]["deployment"]) if x)
        out.append(
            f"| **{md_cell(c['label'])}** | `{c['run_id']}` | {c['mode']} | {md_cell(target) or '–'} "
            f"| {pct(c['summary']['score'])} | {pct(c['summary']['coverage'])} | {counts['pass']} | {counts['fail']} | {other} |"
        )
    out += ["", "## Families (score per run)", "", f"| Family | {heads} |", "|---|" + "---:|" * len(cols)]
    for fam in m["families"]:
        cells = " | ".join("–" if cell is None else f"{pct(cell['score'])} ({family_counts(cell)})" for cell in fam["cells"])
        out.append(f"| {fam['family']} | {cells} |")
    out += ["", "## Behaviours", "", f"| Behaviour | {heads} |", "|---|" + ":-:|" * len(cols)]
    for row in m["rows"]:
        mark = " ⚑" if row["differs"] and len(cols) > 1 else ""
        out.append(f"| `{row['id']}`{mark} | " + " | ".join(SYMBOLS[v] for v in row["cells"]) + " |")
    sided = [row for row in m["rows"] if row.get("sides")]
    if sided:
        out += ["", "## Docs or service: side held per run", "", f"| Behaviour | {heads} |", "|---|" + "---|" * len(cols)]
        for row in sided:
            out.append(f"| `{row['id']}` | " + " | ".join(md_cell(s) if s else "–" for s in row["sides"]) + " |")
    legend = ", ".join(f"{SYMBOLS[v]} {SHORT[v].lower()}" for v in SYMBOLS if v is not None)
    out += ["", f"Legend: {legend}, blank = not in that run's catalogue; ⚑ = verdicts differ between runs.", ""]
    return "\n".join(out)
