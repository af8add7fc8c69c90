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

HEADS: dict[str, str] = {"fail": "fail", "inconclusive": "inconcl.", "not-run": "not-run", "untested": "untested",
                         "not-applicable": "n/a", "pass": "pass"}
"""Short column titles for counts per verdict: an 80-column terminal and a 1280 px page keep their width."""


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


MODE_LABELS = {"replay": "replay", "reference": "reference server", "live": "live"}


def target_label(report: dict) -> str:
    """A person's name for what a run tested: ``replay of reference`` for the target ``replay:reference``,
    ``reference server`` for the plain reference target, else the target's own name."""
    run = report["run"]
    name = run["target"].get("name") or ""
    if run["mode"] == "replay" or name.startswith("replay:"):
        return f"replay of {name.removeprefix('replay:') or 'cassettes'}"
    if run["mode"] == "reference" and name == "reference":
        return MODE_LABELS["reference"]
    return name


_LABEL_FIELDS = (
    ("name", target_label),
    ("region", lambda r: r["run"]["target"].get("region")),
    ("deployment", lambda r: r["run"]["target"].get("deployment")),
    ("model", lambda r: r["run"]["target"].get("model_version")),
    ("openai", lambda r: r["run"]["versions"].get("openai") and f"openai {r['run']['versions']['openai']}"),
    ("mode", lambda r: MODE_LABELS.get(r["run"]["mode"], r["run"]["mode"])),
)


def column_labels(reports: list[dict]) -> list[str]:
    """Short, distinct column labels for reports shown side by side.

    Identity fields are taken in order (target, region, deployment, model version, SDK version, mode), each
    only when it tells apart columns the fields before it left tied: twelve regions -> the region names;
    three SDK versions -> ``openai 3.54.0``...; a replay, a reference run and a faulted reference run -> their
    target names, without repeating the mode each name already implies. Columns still tied get their run id.
    """
    if not reports:
        return []
    if len(reports) == 1:
        return [target_label(reports[0]) or reports[0]["run"]["run_id"] or "run 1"]
    chosen: list = []

    def groups(fields: list) -> int:
        return len({tuple(get(r) for get in fields) for r in reports})

    for _, get in _LABEL_FIELDS:
        if groups(chosen) == len(reports):
            break
        if groups([*chosen, get]) > groups(chosen):
            chosen.append(get)
    labels = [" · ".join(str(get(r) or "?") for get in chosen) for r in reports]
    tied = {lab for lab in labels if labels.count(lab) > 1}
    labels = [(f"{lab} · " if lab else "") + (r["run"]["run_id"] or "?") if lab in tied else lab
              for lab, r in zip(labels, reports, strict=True)]
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if labels.count(lab) == 1 else f"{lab} #{seen[lab]}")
    return out


def conflict_note(row: dict, quote: str = "`") -> str:
    """'⚖ the docs also say otherwise: ...' for a behaviour the docs contradict elsewhere ('' for the others);
    ids are put between `quote` (backticks for Markdown, nothing for HTML)."""
    conflict = row.get("conflict")
    if not conflict:
        return ""
    others = ", ".join(f"{quote}{o}{quote} ({v})" for o, v in conflict["with"].items())
    return f"⚖ the docs also say otherwise: {others}"


def score_line(summary: dict) -> str:
    """The headline every form of a report shares: score with what it counts, coverage, sizes (plain text)."""
    c = summary["counts"]
    judged = c["pass"] + c["fail"] + c["inconclusive"] + c["not-run"]
    parts = [f"{c[v]} {v}" for v in ("fail", "inconclusive", "not-run") if c[v]]
    held = f"{c['pass']} of {judged} judged behaviours pass" + (f"; {', '.join(parts)}" if parts else "")
    return (
        f"Conformance score {pct(summary['score'])} ({held}), coverage {pct(summary['coverage'])} "
        f"({summary['decided']} of {summary['in_scope']} in-scope behaviours decided), "
        f"{summary['behaviours']} behaviours, {summary.get('tests', 0)} tests"
    )


def tests_line(summary: dict) -> str:
    """``182 tests: 145 pass, 27 not-applicable, 10 not-run`` (verdicts with no test left out)."""
    counts = summary.get("test_counts") or {}
    order = ("fail", "inconclusive", "not-run", "not-applicable", "pass")
    parts = [f"{counts[v]} {v}" for v in order if counts.get(v)]
    return f"{summary.get('tests', 0)} tests: " + (", ".join(parts) or "none ran")


def spent_items(run: dict) -> list[tuple[str, str]]:
    """What the run spent, as (label, value) pairs. Bytes sent and the USD estimate only for live runs:
    a replay sends nothing anywhere and the reference server is free, so those figures would only mislead."""
    s = run["spent"]
    items = [(k.replace("_", " "), str(s[k])) for k in ("requests", "input_tokens", "output_tokens") if k in s]
    if run["mode"] == "live":
        items.append(("bytes sent", str(s.get("bytes_sent", 0))))
        if s.get("est_cost_usd"):
            items.append(("estimated cost", f"≈ {s['est_cost_usd']:.4f} USD"))
    return items


def spent_text(run: dict) -> str:
    """``120 requests · 9000 input tokens · ...`` (see `spent_items`); replays say their requests were replayed."""
    text = " · ".join(f"{v} {k}" if k != "estimated cost" else v for k, v in spent_items(run))
    return text + (" (replayed from cassettes)" if run["mode"] == "replay" else "")


def ranges(numbers: list[int]) -> str:
    """``0–16, 20`` for [0, 1, ..., 16, 20]: interaction indexes stay short in a table cell."""
    out: list[str] = []
    for n in sorted(set(numbers)):
        if out and n == int(out[-1].split("–")[-1]) + 1:
            out[-1] = f"{out[-1].split('–')[0]}–{n}"
        else:
            out.append(str(n))
    return ", ".join(out)
