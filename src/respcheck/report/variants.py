"""Which side held: for each behaviour with catalogue `variants`, what this run's tests observed.

Where the docs say one thing and public reports show the real service doing another (catalogue
``variants``: content_filters null, a 400 instead of a 404, read-after-write lag, ...), a test records the
value it met under the variant's ``recorded_as`` key (``observe(key, value)``). This module reads those
values back out of the run's result records and says, per variant, which side they show: ``variant`` (the
value matches the variant's ``match`` rule), ``documented`` (it matches ``documented_match``),
``other variant`` (a value another variant on the same key describes, e.g. the two ways a reasoning
summary goes missing), ``unrecognised`` (a value no rule describes: the catalogue's rules need a look)
or ``not observed``
(no test of this run recorded the key, or the catalogue names none). Nothing is guessed from verdicts or
messages: a side is only ever the catalogue's rule applied to a value a test recorded.

A value counts whichever test recorded it (the read-after-write lag is met by the tools suite's chained
calls, for example, while the claim is a chaining one); each value names the tests that recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from respcheck.catalogue import Variant

DOCUMENTED = "documented"
NOT_OBSERVED = "not observed"
UNRECOGNISED = "unrecognised"
VARIANT = "variant"
OTHER_VARIANT = "other variant"


def _variant(raw: Any) -> Variant:
    """A catalogue `Variant`, or the same fields as a mapping (tests build catalogues from dicts)."""
    if isinstance(raw, Variant):
        return raw
    return Variant(str(raw.get("observed") or ""), tuple(raw.get("sources") or ()), str(raw.get("treated_as") or ""),
                   raw.get("recorded_as"), raw.get("name"), raw.get("match"), raw.get("documented_match"))


def _entries(catalogue: Any) -> Iterable[tuple[str, tuple[Variant, ...]]]:
    """(id, variants) of every catalogue entry that has variants."""
    items = catalogue.items() if isinstance(catalogue, Mapping) else ((None, e) for e in catalogue)
    for key, entry in items:
        get = entry.get if isinstance(entry, Mapping) else (lambda name, e=entry: getattr(e, name, None))
        variants = get("variants")
        if variants:
            yield str(get("id") or key), tuple(_variant(v) for v in variants)


def _values(results: Iterable[Mapping], key: str) -> list[tuple[Any, list[str]]]:
    """Each distinct value recorded under `key` in this run, with the tests that recorded it (sorted)."""
    out: list[tuple[Any, list[str]]] = []
    for r in sorted(results, key=lambda r: str(r.get("nodeid"))):
        observed = r.get("observed") or {}
        if key not in observed:
            continue
        value = observed[key]
        for known, nodeids in out:
            if known == value:
                nodeids.append(str(r["nodeid"]))
                break
        else:
            out.append((value, [str(r["nodeid"])]))
    return out


def check(variant: Variant, results: list[Mapping], index: int, siblings: tuple[Variant, ...] = ()) -> dict[str, Any]:
    """The side one variant shows in this run, with every value met and the tests that met it. `siblings`
    are the entry's other variants: a value one of them describes is ``other variant`` here, not unrecognised."""
    name = variant.name or variant.recorded_as or f"variant_{index + 1}"
    out: dict[str, Any] = {"name": name, "treated_as": variant.treated_as, "recorded_as": variant.recorded_as,
                           "sources": list(variant.sources), "side": NOT_OBSERVED, "values": [], "note": ""}
    if not variant.recorded_as:
        out["note"] = "the catalogue names no key a test records this variant under"
        return out
    values = _values(results, variant.recorded_as)
    out["values"] = [{"value": v, "side": _side(variant, siblings, v), "tests": nodeids} for v, nodeids in values]
    sides = {v["side"] for v in out["values"]}
    if not sides:
        out["note"] = f"no test of this run recorded {variant.recorded_as}"
    elif VARIANT in sides:
        out["side"] = VARIANT
    elif DOCUMENTED in sides:
        out["side"] = DOCUMENTED
    elif OTHER_VARIANT in sides and UNRECOGNISED not in sides:
        out["side"] = OTHER_VARIANT
        out["note"] = "the recorded values are another variant of this claim"
    else:
        out["side"] = UNRECOGNISED
        out["note"] = ("no catalogue rule tells this variant's values from the documented ones"
                       if variant.match is None else "a recorded value matches neither the variant nor the documented rule")
    return out


def _side(variant: Variant, siblings: tuple[Variant, ...], value: Any) -> str:
    side = variant.side_of(value)
    if side == UNRECOGNISED and any(s.recorded_as == variant.recorded_as and s.side_of(value) == VARIANT for s in siblings):
        return OTHER_VARIANT
    return side


def summary_side(checks: list[dict[str, Any]]) -> str:
    """The row's one-word answer: the held variants' names (joined by ' + '), else documented, else
    unrecognised, else not observed."""
    held = [c["name"] for c in checks if c["side"] == VARIANT]
    if held:
        return " + ".join(held)
    for side in (DOCUMENTED, UNRECOGNISED):
        if any(c["side"] == side for c in checks):
            return side
    return NOT_OBSERVED


def variant_sections(catalogue: Any, results: Iterable[Mapping]) -> dict[str, dict[str, Any]]:
    """``{behaviour id: {"side": ..., "checks": [...]}}`` for every catalogue entry with variants."""
    recorded = list(results)
    out = {}
    for bid, variants in _entries(catalogue):
        checks = [check(v, recorded, i, variants[:i] + variants[i + 1:]) for i, v in enumerate(variants)]
        out[bid] = {"side": summary_side(checks), "checks": checks}
    return out


def side_changes(old_row: Mapping[str, Any], new_row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each variant of one behaviour whose side differs between two reports (for `respcheck diff`).

    A report older than the variants section (report format 1.1) has no side: its variants read as not
    observed, so the first run that records them shows up once as a change."""
    def sides(row: Mapping[str, Any]) -> dict[str, str]:
        return {c["name"]: c["side"] for c in (row.get("variants") or {}).get("checks", [])}

    before, after = sides(old_row), sides(new_row)
    return [{"id": new_row.get("id") or old_row.get("id"), "variant": name,
             "old": before.get(name, NOT_OBSERVED), "new": after.get(name, NOT_OBSERVED)}
            for name in sorted(before.keys() | after.keys())
            if before.get(name, NOT_OBSERVED) != after.get(name, NOT_OBSERVED)]


def side_text(section: Mapping[str, Any]) -> str:
    """One line for a table cell: ``side: X (name: side; ...)``."""
    parts = [f"{c['name']}: {c['side']}" for c in section.get("checks", [])]
    return f"side held: {section.get('side', NOT_OBSERVED)}" + (f" ({'; '.join(parts)})" if len(parts) > 1 else "")
