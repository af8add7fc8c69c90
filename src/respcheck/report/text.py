"""Small text helpers every renderer shares, so Markdown, HTML and junit say the same thing the same way."""

from __future__ import annotations

SYMBOLS: dict[str | None, str] = {
    "pass": "✅",
    "fail": "❌",
    "inconclusive": "❔",
    "not-applicable": "➖",
    "not-run": "⏸️",
    "untested": "⬜",
    None: " ",
}
"""Matrix cell symbol per verdict; None = the behaviour is not in that run's catalogue."""

SHORT: dict[str | None, str] = {
    "pass": "PASS",
    "fail": "FAIL",
    "inconclusive": "INCONCL",
    "not-applicable": "N/A",
    "not-run": "NOT RUN",
    "untested": "UNTESTED",
    None: "absent",
}


def pct(ratio: float | None) -> str:
    """A 0..1 ratio as a percentage, or an en dash when undefined (no data is not 0 %)."""
    return "–" if ratio is None else f"{ratio * 100:.1f} %"


def md_cell(text: object) -> str:
    """Text made safe for one Markdown table cell (pipes escaped, newlines folded)."""
    return " ".join(str("" if text is None else text).split()).replace("|", "\\|")


def identity_line(report: dict) -> str:
    """``reference · eastus2 · gpt-4.1 (2025-04-14) · api v1 · replay · openai 3.54.0`` style summary."""
    run = report["run"]
    t, v = run["target"], run["versions"]
    parts = [t.get("name") or "unnamed target"]
    if t.get("region"):
        parts.append(t["region"])
    if t.get("deployment"):
        parts.append(t["deployment"] + (f" ({t['model_version']})" if t.get("model_version") else ""))
    if t.get("api_version"):
        parts.append(f"api {t['api_version']}")
    parts.append(run["mode"])
    if v.get("openai"):
        parts.append(f"openai {v['openai']}")
    return " · ".join(parts)


_LABEL_FIELDS = (
    ("name", lambda r: r["run"]["target"].get("name")),
    ("region", lambda r: r["run"]["target"].get("region")),
    ("deployment", lambda r: r["run"]["target"].get("deployment")),
    ("model", lambda r: r["run"]["target"].get("model_version")),
    ("openai", lambda r: r["run"]["versions"].get("openai") and f"openai {r['run']['versions']['openai']}"),
    ("mode", lambda r: r["run"]["mode"]),
)


def column_labels(reports: list[dict]) -> list[str]:
    """Short, distinct column labels for reports shown side by side.

    Only the identity fields that differ between the reports make the label (twelve regions -> the
    region names; three SDK versions -> ``openai 3.54.0``...); if that still leaves twins, the run id
    is appended, and failing that a counter.
    """
    if not reports:
        return []
    if len(reports) == 1:
        values = [get(reports[0]) for _, get in _LABEL_FIELDS[:1]]
        return [values[0] or reports[0]["run"]["run_id"] or "run 1"]
    varying = [get for _, get in _LABEL_FIELDS if len({get(r) for r in reports}) > 1]
    labels = [" / ".join(str(get(r) or "?") for get in varying) for r in reports]
    if not varying or len(set(labels)) < len(labels):
        labels = [(f"{lab} / " if lab else "") + (r["run"]["run_id"] or "?") for lab, r in zip(labels, reports, strict=True)]
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 and labels.count(lab) == 1 else f"{lab} #{seen[lab]}")
    return out


def conflict_note(row: dict, quote: str = "`") -> str:
    """'⚖ the docs also say otherwise: ...' for a behaviour the docs contradict elsewhere ('' for the others);
    ids are put between `quote` (backticks for Markdown, nothing for HTML)."""
    conflict = row.get("conflict")
    if not conflict:
        return ""
    others = ", ".join(f"{quote}{o}{quote} ({v})" for o, v in conflict["with"].items())
    return f"⚖ the docs also say otherwise: {others}"
