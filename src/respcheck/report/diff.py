"""What changed between two runs, regressions first, so CI can gate an SDK upgrade or a region roll-out.

Classification of one behaviour, old verdict -> new verdict (first rule that applies):

* same verdict                                   -> unchanged
* absent in old (catalogue grew)                 -> added
* absent in new (catalogue shrank)               -> removed
* new is fail, or old was pass and new is not    -> regression
  (pass->fail, pass->inconclusive, pass->not-run, pass->untested, pass->not-applicable, X->fail)
* old was fail and new is pass                   -> fix
* new is pass                                    -> improved (was inconclusive/not-run/untested/n/a)
* anything else                                  -> changed (e.g. fail->inconclusive, untested->not-run)

A test is compared too: one that ran in OLD (any verdict but not-run) and is missing from NEW or not-run
there is a **lost test**, and counts as a regression on its own. Without it a run that lost a test to a
harness error or a missing cassette could still diff clean when the behaviour's other tests passed, or
when the test vanished from the run altogether.

Where the catalogue lists variants (the docs say one thing, public reports show the service doing
another), the side each variant showed is compared too (``variant_changes``: documented -> a variant,
a variant -> not observed, ...) and flagged in its own section. A change of side does not gate on its
own: a variant the suite treats as a defect already fails its behaviour, and an accepted one is legal.

Only regressions (behaviours and lost tests) make `respcheck diff` exit 1. Observed values (measured limits) and the run identity
(SDK version, region, deployment...) are compared too and reported, but never gate on their own: a
changed limit is news, whether it is bad news depends on the claim, and the claim's test decides that.
"""

from __future__ import annotations

from respcheck.report.attention import all_tests, first_line
from respcheck.report.text import SYMBOLS, identity_line, md_cell, pct
from respcheck.report.variants import side_changes

DIFF_VERSION = "1.1"
KINDS: tuple[str, ...] = ("regression", "fix", "improved", "changed", "added", "removed", "unchanged")


def classify(old: str | None, new: str | None) -> str:
    """The kind of change from verdict `old` to `new` (None = behaviour absent from that report)."""
    if old == new:
        return "unchanged"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if new == "fail" or old == "pass":
        return "regression"
    if new == "pass":
        return "fix" if old == "fail" else "improved"
    return "changed"


def _identity_fields(report: dict) -> dict[str, object]:
    run = report["run"]
    fields: dict[str, object] = {"mode": run["mode"]}
    fields.update({f"target.{k}": v for k, v in run["target"].items()})
    fields.update({f"versions.{k}": v for k, v in run["versions"].items()})
    return fields


def _side(report: dict) -> dict:
    s = report["summary"]
    return {
        "run_id": report["run"]["run_id"],
        "identity": identity_line(report),
        "score": s["score"],
        "coverage": s["coverage"],
        "counts": s["counts"],
        "tests": s.get("tests", 0),
    }


def lost_tests(old: dict, new: dict) -> list[dict]:
    """Tests that ran in `old` and are missing from `new` or did not run there (see the module doc)."""
    before, after = all_tests(old), all_tests(new)
    out = []
    for nodeid, t in sorted(before.items()):
        n = after.get(nodeid)
        if t["verdict"] == "not-run" or (n is not None and n["verdict"] != "not-run"):
            continue
        out.append({"nodeid": nodeid, "behaviours": sorted(set(t["behaviours"]) | set((n or {}).get("behaviours", []))),
                    "old": t["verdict"], "new": None if n is None else n["verdict"],
                    "new_message": "" if n is None else n["message"]})
    return out


def diff(old: dict, new: dict) -> dict:
    """The diff of two reports (see the module doc for the classification)."""
    old_rows = {r["id"]: r for r in old["behaviours"]}
    new_rows = {r["id"]: r for r in new["behaviours"]}
    changes, observed_changes, variant_changes = [], [], []
    counts = dict.fromkeys(KINDS, 0)
    for bid in sorted(old_rows.keys() | new_rows.keys()):
        o, n = old_rows.get(bid), new_rows.get(bid)
        ov, nv = (o or {}).get("verdict"), (n or {}).get("verdict")
        kind = classify(ov, nv)
        counts[kind] += 1
        head = n or o
        assert head is not None
        if kind != "unchanged":
            changes.append(
                {
                    "id": bid,
                    "family": head["family"],
                    "claim": head["claim"],
                    "kind": kind,
                    "old": ov,
                    "new": nv,
                    "old_reason": (o or {}).get("reason", ""),
                    "new_reason": (n or {}).get("reason", ""),
                }
            )
        if o and n:
            variant_changes += side_changes(o, n)
            for key in sorted(o["observed"].keys() | n["observed"].keys()):
                before, after = o["observed"].get(key), n["observed"].get(key)
                if before != after:
                    observed_changes.append({"id": bid, "key": key, "old": before, "new": after})
    changes.sort(key=lambda c: (KINDS.index(c["kind"]), c["id"]))
    old_ident, new_ident = _identity_fields(old), _identity_fields(new)
    identity_changes = [
        {"field": f, "old": old_ident.get(f), "new": new_ident.get(f)}
        for f in sorted(old_ident.keys() | new_ident.keys())
        if old_ident.get(f) != new_ident.get(f)
    ]
    lost = lost_tests(old, new)
    return {
        "diff_version": DIFF_VERSION,
        "old": _side(old),
        "new": _side(new),
        "identity_changes": identity_changes,
        "counts": counts,
        "regressions": counts["regression"] + len(lost),
        "lost_tests": lost,
        "changes": changes,
        "observed_changes": observed_changes,
        "variant_changes": variant_changes,
    }


def _val(value: object) -> str:
    return "absent" if value is None else md_cell(value)


def _v(verdict: str | None) -> str:
    return "absent" if verdict is None else f"{SYMBOLS[verdict]} {verdict}"


def _lost_section(lost: list[dict]) -> list[str]:
    if not lost:
        return []
    out = ["", f"## Lost tests ({len(lost)})", "", "A test that ran in the old run and is missing or did not run in the new one.",
           "", "| Test | Behaviours | Old | New | Message |", "|---|---|---|---|---|"]
    for t in lost:
        ids = ", ".join(f"`{b}`" for b in t["behaviours"]) or "–"
        out.append(f"| `{md_cell(t['nodeid'])}` | {ids} | {_v(t['old'])} | {_v(t['new'])} "
                   f"| {md_cell(first_line(t['new_message'])) or '–'} |")
    return out


def render_diff_markdown(d: dict) -> str:
    """The diff as Markdown (also readable in a terminal): verdict, then regressions, then the rest."""
    old, new = d["old"], d["new"]
    c = d["counts"]
    lost = d.get("lost_tests") or []
    n = d["regressions"]
    headline = (
        f"**{n} regression{'s' if n != 1 else ''}** ({c['regression']} behaviour{'s' if c['regression'] != 1 else ''}, "
        f"{len(lost)} lost test{'s' if len(lost) != 1 else ''})"
        if n
        else "**no regressions**"
    )
    out = [
        f"# respcheck diff: `{old['run_id']}` → `{new['run_id']}`",
        "",
        f"- old: {old['identity']}",
        f"- new: {new['identity']}",
        "",
        headline + ", " + ", ".join(f"{c[k]} {k}" for k in KINDS if k != "regression"),
        "",
        f"Score {pct(old['score'])} → {pct(new['score'])}; coverage {pct(old['coverage'])} → {pct(new['coverage'])}.",
    ]
    if d["identity_changes"]:
        out += ["", "## Run identity changes", ""]
        out += [f"- {ch['field']}: {ch['old'] or '–'} → {ch['new'] or '–'}" for ch in d["identity_changes"]]
    titles = {"regression": "Regressions", "fix": "Fixes", "improved": "Improved", "changed": "Other changes",
              "added": "Added behaviours", "removed": "Removed behaviours"}
    for kind, title in titles.items():
        rows = [ch for ch in d["changes"] if ch["kind"] == kind]
        if kind == "fix":  # lost tests gate too: right after the behaviour regressions
            out += _lost_section(lost)
        if not rows:
            continue
        out += ["", f"## {title} ({len(rows)})", "", "| Behaviour | Old | New | Reason |", "|---|---|---|---|"]
        for ch in rows:
            reason = ch["new_reason"] if ch["new"] not in (None, "pass") else ch["old_reason"]
            out.append(f"| `{ch['id']}` | {_v(ch['old'])} | {_v(ch['new'])} | {md_cell(reason)} |")
    if d["observed_changes"]:
        out += ["", f"## Observed value changes ({len(d['observed_changes'])})", "",
                "| Behaviour | Observed | Old | New |", "|---|---|---|---|"]
        for ch in d["observed_changes"]:
            out.append(f"| `{ch['id']}` | `{ch['key']}` | {_val(ch['old'])} | {_val(ch['new'])} |")
    out += _variant_section(d.get("variant_changes") or [])
    return "\n".join(out) + "\n"


def _variant_section(changes: list[dict]) -> list[str]:
    """Variants whose side changed between the runs (the docs' side, a reported variant, not observed)."""
    if not changes:
        return []
    out = ["", f"## Side changes: docs or service ({len(changes)})", "",
           "Which side held changed for these catalogue variants (see the behaviours' variants in report.md).", "",
           "| Behaviour | Variant | Old side | New side |", "|---|---|---|---|"]
    out += [f"| `{ch['id']}` | {md_cell(ch['variant'])} | {ch['old']} | {ch['new']} |" for ch in changes]
    return out
