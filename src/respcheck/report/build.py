"""Fold one run (a run record plus its result records) into a report: one row per catalogue behaviour.

The report is the unit everything else consumes (the four files of a run, the matrix, the diff), so it
is plain JSON, versioned (`REPORT_VERSION`, schema in schemas/report.schema.json) and deterministic:
the same records give the same bytes, whatever order pytest-xdist finished the tests in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from respcheck.errors import UserError
from respcheck.report.aggregate import TEST_VERDICTS, VERDICT_ORDER, fold, summarise
from respcheck.report.mask import mask_endpoint, scrub
from respcheck.report.variants import variant_sections
from respcheck.verdicts import Verdict

REPORT_VERSION = "1.2"
"""Bumped on any change a consumer could notice: major for removals/renames, minor for additions."""

_TARGET_FIELDS = ("name", "endpoint", "region", "deployment", "model_version", "api_version", "profile")
_VERSION_FIELDS = ("openai", "respcheck", "python")
_SPENT_FIELDS = ("requests", "input_tokens", "output_tokens", "bytes_sent")
_MODES = ("replay", "live", "reference")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a catalogue entry, whether it is a `Behaviour` object or a plain mapping (tests)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _source(entry: Any) -> str | None:
    """``title (file)`` from the catalogue's source_file/source_title, or a plain ``source`` field."""
    source = _get(entry, "source")
    if source is None:
        title, file = _text(_get(entry, "source_title")), _text(_get(entry, "source_file"))
        return f"{title} ({file})" if title and file else (title or file)
    if isinstance(source, Mapping) and ("file" in source or "title" in source):
        title, file = _text(source.get("title")), _text(source.get("file"))
        return f"{title} ({file})" if title and file else (title or file)
    return _text(source)


def _catalogue_entries(catalogue: Any) -> list[dict]:
    """Normalise the catalogue (mapping id -> entry, or an iterable of entries) to row headers."""
    items: Iterable[tuple[str | None, Any]]
    if isinstance(catalogue, Mapping):
        items = catalogue.items()
    else:
        items = ((None, entry) for entry in catalogue)
    entries = []
    for key, entry in items:
        bid = _get(entry, "id") or key
        if not bid:
            raise UserError("a catalogue entry has no id")
        family = _get(entry, "family") or str(bid).split(".", 1)[0]
        wire = _get(entry, "wire_testable", True)
        entries.append(
            {
                "id": str(bid),
                "family": str(family),
                "claim": _text(_get(entry, "claim")) or "",
                "quote": _text(_get(entry, "quote")),
                "quote_en": _text(_get(entry, "quote_en")),
                "source": _source(entry),
                "wire_testable": bool(True if wire is None else wire),
                "why_not_testable": _text(_get(entry, "why_not_testable")),
            }
        )
    return entries


def _conflicts(catalogue: Any) -> dict[str, list[str]]:
    """id -> the ids the docs contradict it with (catalogue `conflict.with`; a `Behaviour`'s `with_ids`)."""
    items = catalogue.items() if isinstance(catalogue, Mapping) else ((None, e) for e in catalogue)
    out: dict[str, list[str]] = {}
    for key, entry in items:
        conflict = _get(entry, "conflict")
        others = (conflict.get("with") if isinstance(conflict, Mapping) else _get(conflict, "with_ids")) if conflict else None
        if others:
            out[str(_get(entry, "id") or key)] = [str(o) for o in others]
    return out


def _check_result(i: int, result: Any) -> dict:
    if not isinstance(result, Mapping):
        raise UserError(f"result record #{i} is not an object")
    where = result.get("nodeid") or f"#{i}"
    if not isinstance(result.get("nodeid"), str) or not result["nodeid"]:
        raise UserError(f"result record {where} has no nodeid")
    behaviours = result.get("behaviours")
    if not isinstance(behaviours, list) or not all(isinstance(b, str) for b in behaviours):
        raise UserError(f"result record {where}: 'behaviours' must be a list of catalogue ids")
    failed = result.get("failed")
    if failed is not None and (not isinstance(failed, list) or not set(failed) <= set(behaviours)):
        raise UserError(f"result record {where}: 'failed' must list some of its behaviours")
    if result.get("verdict") not in TEST_VERDICTS:
        raise UserError(
            f"result record {where} has verdict {result.get('verdict')!r}; "
            f"expected one of {', '.join(sorted(TEST_VERDICTS))}"
        )
    return dict(result)


NOT_JUDGED = "not judged: the test stopped on a finding of "


def _verdict_on(result: Mapping, behaviour: str | None) -> tuple[str, str]:
    """The verdict and message of a test on one of its behaviours. A failure that names the behaviours it
    contradicts (the record's ``failed``) fails only those; on the test's other behaviours it is
    inconclusive (not judged), so one finding fails one behaviour, not every id the test carries."""
    verdict, message = str(result["verdict"]), str(result.get("message") or "")
    failed = result.get("failed")
    if behaviour is not None and verdict == Verdict.FAIL.value and failed and behaviour not in failed:
        return Verdict.INCONCLUSIVE.value, NOT_JUDGED + ", ".join(failed) + f" ({message})"
    return verdict, message


def _test_entry(result: Mapping, behaviour: str | None = None) -> dict:
    evidence = result.get("evidence") or {}
    interactions = evidence.get("interactions") or []
    duration = result.get("duration_s")
    verdict, message = _verdict_on(result, behaviour)
    return {
        "nodeid": result["nodeid"],
        "verdict": verdict,
        "message": message,
        "channel": result.get("channel"),
        "duration_s": round(float(duration), 3) if isinstance(duration, int | float) else None,
        "request_ids": [str(r) for r in evidence.get("request_ids") or []],
        "cassette": evidence.get("cassette"),
        "interactions": [int(n) for n in interactions],
        "shared_cassettes": [str(u["cassette"]) for u in evidence.get("shared") or [] if u.get("cassette")],
    }


def _merge_observed(tests_with_observed: list[tuple[str, Mapping]]) -> dict:
    """Observed values of all tests on a behaviour; a key the tests disagree on keeps every value."""
    values: dict[str, list] = {}
    for _nodeid, observed in tests_with_observed:
        for key, value in observed.items():
            bucket = values.setdefault(str(key), [])
            if value not in bucket:
                bucket.append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in sorted(values.items())}


def _reason(verdict: str, tests: list[dict], entry: dict) -> str:
    if verdict == "untested":
        if not entry["wire_testable"]:
            return f"not wire-testable: {entry['why_not_testable'] or 'no reason given'}"
        return "no test covers this behaviour"
    for t in tests:
        if t["verdict"] == verdict and t["message"]:
            return t["message"]
    return ""


def _run_identity(run: Mapping, show_resource: bool) -> dict:
    if not isinstance(run, Mapping):
        raise UserError("the run record is not an object")
    mode = run.get("mode")
    if mode not in _MODES:
        raise UserError(f"the run record has mode {mode!r}; expected one of {', '.join(_MODES)}")
    target = run.get("target") or {}
    versions = run.get("versions") or {}
    spent = run.get("spent") or {}
    fields = {f: (None if target.get(f) is None else str(target[f])) for f in _TARGET_FIELDS}
    ident_target: dict[str, str | bool | None] = {
        **fields,
        "endpoint": mask_endpoint(fields["endpoint"], show_resource=show_resource),
        "resource_shown": bool(show_resource),
    }
    ident_versions: dict[str, str | None] = {f: None for f in _VERSION_FIELDS}
    ident_versions.update({str(k): (None if v is None else str(v)) for k, v in sorted(versions.items())})
    ident_spent: dict[str, int | float] = {f: 0 for f in _SPENT_FIELDS}
    ident_spent.update({str(k): v for k, v in sorted(spent.items()) if isinstance(v, int | float)})
    duration = run.get("duration_s")
    return {
        "run_id": str(run.get("run_id") or ""),
        "mode": mode,
        "target": ident_target,
        "versions": ident_versions,
        "started_at": run.get("started_at"),
        "duration_s": round(float(duration), 3) if isinstance(duration, int | float) else None,
        "spent": ident_spent,
    }


def build(run: Mapping, results: Iterable[Mapping], catalogue: Any, *, show_resource: bool = False) -> dict:
    """The report of one run: identity, one row per catalogue behaviour, family summaries, score.

    `catalogue` is what `respcheck.catalogue.load_catalogue()` returns (id -> Behaviour) or any mapping
    / iterable of entries with the same fields. Raises `UserError` on malformed records.
    """
    identity = _run_identity(run, show_resource)
    checked = sorted(
        (_check_result(i, r) for i, r in enumerate(results)), key=lambda r: (r["nodeid"], r["behaviours"])
    )
    entries = _catalogue_entries(catalogue)
    known = {e["id"] for e in entries}

    by_behaviour: dict[str, list[dict]] = {}
    for result in checked:
        for bid in dict.fromkeys(result["behaviours"]):
            by_behaviour.setdefault(bid, []).append(result)

    rows = []
    for entry in sorted(entries, key=lambda e: e["id"]):
        results_here = by_behaviour.get(entry["id"], [])
        tests = [_test_entry(r, entry["id"]) for r in results_here]
        verdict = fold(t["verdict"] for t in tests)
        rows.append(
            {
                **entry,
                "in_scope": entry["wire_testable"] or bool(tests),
                "verdict": verdict,
                "reason": _reason(verdict, tests, entry),
                "tests": tests,
                "observed": _merge_observed([(r["nodeid"], r.get("observed") or {}) for r in results_here]),
            }
        )

    # documentation conflicts (the docs say both X and not-X): name the other side and its verdict beside
    # this one, so a reader judges a row knowing the docs also say otherwise. Which side holds is the tests'
    # to say (their messages and observed values): some settle a conflict by measurement and pass either way
    verdicts = {r["id"]: r["verdict"] for r in rows}
    for row in rows:
        others = [o for o in _conflicts(catalogue).get(row["id"], []) if o in verdicts]
        if others:
            row["conflict"] = {"with": {o: verdicts[o] for o in others}}
    _attach_variants(rows, catalogue, checked)

    families = []
    for family in sorted({r["family"] for r in rows}):
        families.append({"family": family, **summarise(r for r in rows if r["family"] == family)})
    summary = summarise(rows)
    summary["tests"] = len(checked)
    summary["test_counts"] = {v: sum(r["verdict"] == v for r in checked) for v in VERDICT_ORDER if v in TEST_VERDICTS}
    unmatched = [
        {"behaviour": bid, "nodeids": sorted({r["nodeid"] for r in rs})}
        for bid, rs in sorted(by_behaviour.items())
        if bid not in known
    ]
    # a test that names no catalogue behaviour (none at all, or only unknown ids) still counts in the
    # summary; listing it keeps every test of the run somewhere in the report, so none can vanish
    untied = [_test_entry(r) for r in checked if not known.intersection(r["behaviours"])]
    report = {
        "report_version": REPORT_VERSION,
        "run": identity,
        "summary": summary,
        "families": families,
        "behaviours": rows,
        "unmatched": unmatched,
        "untied_tests": untied,
    }
    return scrub(report)


# ----------------------------------------------------------------------- variants (issue 14: which side held)


def _attach_variants(rows: list[dict], catalogue: Any, results: list[dict]) -> None:
    """Give each row whose catalogue entry has `variants` a ``variants`` section saying, for this run, which
    side held (documented, a named variant, or not observed), computed from the values the tests recorded
    under the variants' ``recorded_as`` keys (`respcheck.report.variants`). Rows without variants get none."""
    sections = variant_sections(catalogue, results)
    for row in rows:
        if row["id"] in sections:
            row["variants"] = sections[row["id"]]
