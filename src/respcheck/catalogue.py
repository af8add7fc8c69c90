"""The behaviour catalogue: load and check ``schemas/behaviours.yaml``.

The catalogue is the list of everything the Azure docs (``../shared/seeds``) say the Responses API does,
one entry per behaviour, each with a stable id that suite tests cite (``@pytest.mark.behaviour(id)``) and
that reports fold results into. It lives in YAML so a person can review each claim next to its quoted
sentence; this module turns it into frozen `Behaviour` objects and refuses a broken file with one clear
line (`UserError`) rather than letting a typo surface later as an "unknown behaviour id".

It also adds the ``respcheck behaviours`` subcommand, which lists the catalogue as a table or JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from respcheck import paths
from respcheck.errors import UserError
from respcheck.findings import Finding

CATALOGUE_FILE = "behaviours.yaml"
SCHEMA_FILE = "behaviours.schema.json"

#: The families of the foundation issue, in the order reports list them.
FAMILIES: tuple[str, ...] = (
    "chaining",
    "streaming",
    "background",
    "limits.images",
    "limits.pdf",
    "mcp",
    "tools",
    "compaction",
    "reasoning",
    "files",
    "auth",
    "errors",
    "regions",
    "models",
)

#: Cost classes of testing a behaviour live, cheapest first (budgets compare by this order).
COSTS: tuple[str, ...] = ("free", "cheap", "moderate", "expensive")

ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence from one seed file (``quote_en`` translates the Japanese seed)."""

    file: str
    quote: str
    quote_en: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Where the docs disagree: the other entries, each doc's value, and the measurement that settles it."""

    with_ids: tuple[str, ...]
    values: Mapping[str, str] = field(compare=False)
    settle: str = ""


@dataclass(frozen=True)
class Variant:
    """What the real service was publicly reported doing where that differs from the claim.

    `sources` name the reports (a URL, or ``owner/repo#N`` for a GitHub issue or pull request);
    `treated_as` says how the suite takes it: ``accepted`` (a legal variant: the test passes and records
    which one it met under `recorded_as`), ``inconclusive`` (a transient service condition such as
    read-after-write lag: retried for a bounded time, then inconclusive, never a silent skip) or ``defect``
    (a service bug the suite keeps reporting as a failure).
    """

    observed: str
    sources: tuple[str, ...]
    treated_as: str
    recorded_as: str | None = None
    name: str | None = None
    match: Mapping[str, Any] | None = field(default=None, compare=False)
    documented_match: Mapping[str, Any] | None = field(default=None, compare=False)

    def side_of(self, value: Any) -> str:
        """Which side one value recorded under `recorded_as` shows: ``variant`` (it matches `match`),
        ``documented`` (it matches `documented_match`) or ``unrecognised`` (neither, or no rules given).
        The variant is tested first: where a variant refines the claim (a refusal with one particular
        status) a value matching both is the variant."""
        if self.match is not None and value_matches(self.match, value):
            return "variant"
        if self.documented_match is not None and value_matches(self.documented_match, value):
            return "documented"
        return "unrecognised"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"observed": self.observed, "sources": list(self.sources), "treated_as": self.treated_as}
        if self.recorded_as:
            out["recorded_as"] = self.recorded_as
        if self.name:
            out["name"] = self.name
        if self.match is not None:
            out["match"] = dict(self.match)
        if self.documented_match is not None:
            out["documented_match"] = dict(self.documented_match)
        return out


_MISSING = object()


def _value_text(value: Any) -> str:
    """A value as `pattern` sees it: a string as it is, anything else as compact JSON with sorted keys."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def value_matches(rule: Mapping[str, Any], value: Any) -> bool:
    """Whether an observed value passes a catalogue `value_match` rule (every condition given holds).

    ``field`` first picks a key path (dots) out of an object value (absent: no match); then ``equals``,
    ``one_of``, ``pattern`` (regex search in `_value_text`) and ``min``/``max`` (numbers only; a bool is
    no number) are checked. Pure, so reports and tests compute a side the same way."""
    if "field" in rule:
        for part in str(rule["field"]).split("."):
            value = value.get(part, _MISSING) if isinstance(value, Mapping) else _MISSING
            if value is _MISSING:
                return False
    if "equals" in rule and value != rule["equals"]:
        return False
    if "one_of" in rule and value not in rule["one_of"]:
        return False
    if "pattern" in rule and re.search(str(rule["pattern"]), _value_text(value)) is None:
        return False
    for bound, ok in (("min", lambda v, b: v >= b), ("max", lambda v, b: v <= b)):
        if bound in rule:
            if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value, rule[bound]):
                return False
    return True


@dataclass(frozen=True)
class Behaviour:
    """One documented behaviour of the service."""

    id: str
    family: str
    claim: str
    source_file: str
    source_title: str
    quote: str
    cost: str
    wire_testable: bool
    quote_en: str | None = None
    why_not_testable: str | None = None
    also: tuple[Quote, ...] = ()
    conflict: Conflict | None = None
    variants: tuple[Variant, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __hash__(self) -> int:  # ids are unique within a catalogue; `data` is a dict and unhashable
        return hash(self.id)

    @property
    def quotes(self) -> tuple[Quote, ...]:
        """The main quote and every corroborating one, for checks that walk all of them."""
        return (Quote(self.source_file, self.quote, self.quote_en), *self.also)

    def to_dict(self) -> dict[str, Any]:
        """The entry in the YAML's own shape (for ``--json`` and reports)."""
        out: dict[str, Any] = {
            "id": self.id,
            "family": self.family,
            "claim": self.claim,
            "source": {"file": self.source_file, "title": self.source_title},
            "quote": self.quote,
        }
        if self.quote_en:
            out["quote_en"] = self.quote_en
        if self.also:
            out["also"] = [
                {k: v for k, v in (("file", q.file), ("quote", q.quote), ("quote_en", q.quote_en)) if v}
                for q in self.also
            ]
        out["cost"] = self.cost
        out["wire_testable"] = self.wire_testable
        if self.why_not_testable:
            out["why_not_testable"] = self.why_not_testable
        if self.conflict:
            out["conflict"] = {
                "with": list(self.conflict.with_ids),
                "values": dict(self.conflict.values),
                "settle": self.conflict.settle,
            }
        if self.variants:
            out["variants"] = [v.to_dict() for v in self.variants]
        if self.data:
            out["data"] = dict(self.data)
        return out

    @property
    def sources(self) -> tuple[str, ...]:
        """Every public report cited against this claim (all variants), in order, without repeats."""
        return tuple(dict.fromkeys(src for v in self.variants for src in v.sources))


def families() -> tuple[str, ...]:
    """Every allowed family, in report order."""
    return FAMILIES


def default_path() -> Path:
    return paths.schemas_dir() / CATALOGUE_FILE


def load_catalogue(path: str | Path | None = None) -> dict[str, Behaviour]:
    """The catalogue as ``{id: Behaviour}`` in file order.

    Raises `UserError` (one line) when the file is missing, is not YAML, breaks the JSON schema, or is
    inconsistent (duplicate ids, an id outside its family, a conflict naming an unknown id).
    """
    p = Path(path) if path is not None else default_path()
    try:
        stat = p.stat()
    except OSError:
        hint = None if path is not None else "run from a respcheck checkout or set RESPCHECK_HOME"
        raise UserError(f"behaviour catalogue not found: {p}", hint=hint) from None
    return dict(_load_cached(str(p.resolve()), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> tuple[tuple[str, Behaviour], ...]:
    """Parsed once per file version: the plugin and reports load it many times per run."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read behaviour catalogue {p}: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UserError(f"behaviour catalogue {p} is not valid YAML ({problem} at{line})") from None
    errors = schema_errors(raw, _schema_for(p))
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UserError(f"behaviour catalogue {p} is invalid: {errors[0]}{more}")
    findings = consistency_findings(raw)
    if findings:
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise UserError(f"behaviour catalogue {p} is inconsistent: {findings[0].message}{more}")
    return tuple((entry["id"], _behaviour(entry)) for entry in raw)


def _schema_for(catalogue: Path) -> dict[str, Any]:
    """The JSON schema beside the catalogue, else the project's."""
    for candidate in (catalogue.parent / SCHEMA_FILE, paths.schemas_dir() / SCHEMA_FILE):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UserError(f"cannot read catalogue schema {candidate}: {exc}") from None
    raise UserError(f"catalogue schema {SCHEMA_FILE} not found beside {catalogue}")


def schema_errors(raw: Any, schema: Mapping[str, Any]) -> list[str]:
    """Readable errors of the parsed YAML against the JSON schema (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path)):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        ident = ""
        if isinstance(raw, list) and err.absolute_path and isinstance(err.absolute_path[0], int):
            entry = raw[err.absolute_path[0]]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                ident = f" ({entry['id']})"
        out.append(f"entry{where or ' list'}{ident}: {err.message}")
    return out


def consistency_findings(raw: list[dict[str, Any]]) -> list[Finding]:
    """Cross-entry checks the JSON schema cannot express. Pure; expects schema-valid input."""
    findings: list[Finding] = []
    seen: set[str] = set()
    ids = {e["id"] for e in raw}
    for i, entry in enumerate(raw):
        eid, family = entry["id"], entry["family"]
        if eid in seen:
            findings.append(Finding("duplicate_id", f"id {eid} appears more than once", index=i))
        seen.add(eid)
        if not eid.startswith(family + "."):
            findings.append(
                Finding("id_outside_family", f"id {eid} does not start with its family {family}.", index=i)
            )
        conflict = entry.get("conflict")
        if conflict:
            for other in conflict["with"]:
                if other not in ids:
                    findings.append(
                        Finding("conflict_unknown_id", f"{eid} conflicts with unknown id {other}", index=i)
                    )
                elif other == eid:
                    findings.append(Finding("conflict_self", f"{eid} lists itself as a conflict", index=i))
        findings += _variant_findings(eid, entry.get("variants") or (), i)
    return findings


#: Side names a report uses itself; a variant named so would be indistinguishable from them.
RESERVED_SIDES = frozenset({"documented", "not_observed", "unrecognised"})


def _variant_findings(eid: str, variants: Iterable[Mapping[str, Any]], index: int) -> list[Finding]:
    """Variant names unique within the entry and not a reserved side; every `pattern` a valid regex."""
    findings: list[Finding] = []
    names: set[str] = set()
    for v in variants:
        name = v.get("name")
        if name in RESERVED_SIDES:
            findings.append(Finding("variant_reserved_name", f"{eid}: variant name {name!r} is reserved", index=index))
        elif name is not None and name in names:
            findings.append(Finding("variant_duplicate_name", f"{eid}: variant name {name!r} appears twice", index=index))
        if name is not None:
            names.add(str(name))
        for key in ("match", "documented_match"):
            pattern = (v.get(key) or {}).get("pattern")
            if pattern is None:
                continue
            try:
                re.compile(pattern)
            except re.error as exc:
                findings.append(Finding("variant_bad_pattern", f"{eid}: {key}.pattern {pattern!r}: {exc}", index=index))
    return findings


def _behaviour(entry: Mapping[str, Any]) -> Behaviour:
    conflict = entry.get("conflict")
    return Behaviour(
        id=entry["id"],
        family=entry["family"],
        claim=entry["claim"],
        source_file=entry["source"]["file"],
        source_title=entry["source"]["title"],
        quote=entry["quote"],
        quote_en=entry.get("quote_en"),
        cost=entry["cost"],
        wire_testable=entry["wire_testable"],
        why_not_testable=entry.get("why_not_testable"),
        also=tuple(Quote(a["file"], a["quote"], a.get("quote_en")) for a in entry.get("also", ())),
        conflict=Conflict(tuple(conflict["with"]), dict(conflict["values"]), conflict["settle"])
        if conflict
        else None,
        variants=tuple(Variant(v["observed"], tuple(v["sources"]), v["treated_as"], v.get("recorded_as"),
                               v.get("name"), v.get("match"), v.get("documented_match"))
                       for v in entry.get("variants", ())),
        data=dict(entry.get("data") or {}),
    )


# ----------------------------------------------------------------------------------- quote checking


def collapse_whitespace(text: str) -> str:
    """Quotes are compared after collapsing whitespace: the seeds were scraped with stray line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def quote_findings(catalogue: Mapping[str, Behaviour], seeds: Mapping[str, str]) -> list[Finding]:
    """Every quote that is not a verbatim substring of its seed file (``seeds``: file name -> text)."""
    collapsed = {name: collapse_whitespace(text) for name, text in seeds.items()}
    findings: list[Finding] = []
    for b in catalogue.values():
        for q in b.quotes:
            text = collapsed.get(q.file)
            if text is None:
                findings.append(Finding("quote_source_missing", f"{b.id}: seed file {q.file} does not exist"))
            elif collapse_whitespace(q.quote) not in text:
                findings.append(
                    Finding("quote_not_verbatim", f"{b.id}: not found in {q.file}: {q.quote[:80]!r}")
                )
    return findings


def read_seeds(seeds_dir: Path) -> dict[str, str]:
    """Seed texts by file name, plus the upstream spec documents beside them (``../specs/*.yaml``).

    A few behaviours come from the specs rather than the prose docs (a 429's Retry-After, the Files API's
    purposes and deletion); their quotes are checked verbatim against the spec text the same way."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}
    specs_dir = seeds_dir.parent / "specs"
    if specs_dir.is_dir():
        texts.update({p.name: p.read_text(encoding="utf-8") for p in sorted(specs_dir.glob("*.yaml"))})
    return texts


# ---------------------------------------------------------------------------------------------- CLI


def select(
    catalogue: Mapping[str, Behaviour], *, family: str | None = None, testable_only: bool = False
) -> list[Behaviour]:
    """Entries of one family (or family prefix, e.g. ``limits``), optionally only the wire-testable ones."""
    out: Iterable[Behaviour] = catalogue.values()
    if family:
        out = [b for b in out if b.family == family or b.family.startswith(family + ".")]
    if testable_only:
        out = [b for b in out if b.wire_testable]
    return list(out)


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "behaviours",
        help="list the behaviour catalogue (schemas/behaviours.yaml)",
        description="List the documented behaviours respcheck checks: id, family, cost class and claim.",
    )
    p.add_argument("--family", metavar="F", help=f"only this family (or prefix): {', '.join(FAMILIES)}")
    p.add_argument("--json", action="store_true", help="print the entries as JSON")
    p.add_argument(
        "--testable-only", action="store_true", help="only behaviours that can be tested over the wire"
    )
    p.add_argument("--variants", action="store_true",
                   help="only behaviours the real service was reported to contradict, with the reports")
    p.add_argument("--catalogue", metavar="PATH", help="catalogue file (default: schemas/behaviours.yaml)")
    p.add_argument(
        "--check-quotes",
        action="store_true",
        help="check every quote against ../shared/seeds and exit 1 on a mismatch",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.catalogue)
    if args.family and not any(f == args.family or f.startswith(args.family + ".") for f in FAMILIES):
        raise UserError(f"unknown family {args.family!r}", hint=f"one of: {', '.join(FAMILIES)}")
    if args.check_quotes:
        return _check_quotes(catalogue)
    rows = select(catalogue, family=args.family, testable_only=args.testable_only)
    if getattr(args, "variants", False):
        rows = [b for b in rows if b.variants]
        if not args.json:
            _print_variants(rows)
            return 0
    if args.json:
        print(json.dumps([b.to_dict() for b in rows], ensure_ascii=False, indent=2))
        return 0
    _print_table(rows, total=len(catalogue))
    return 0


def _check_quotes(catalogue: Mapping[str, Behaviour]) -> int:
    shared = paths.shared_dir()
    seeds_dir = shared / "seeds" if shared else None
    if seeds_dir is None or not seeds_dir.is_dir():
        raise UserError("seed documents not found (expected ../shared/seeds)", hint="set RESPCHECK_SHARED")
    findings = quote_findings(catalogue, read_seeds(seeds_dir))
    for f in findings:
        print(f)
    n_quotes = sum(len(b.quotes) for b in catalogue.values())
    print(f"{n_quotes - len(findings)}/{n_quotes} quotes verbatim")
    return 1 if findings else 0


def _print_variants(rows: list[Behaviour]) -> None:
    """Each contradicted claim, then each reported variant with how the suite treats it and its sources."""
    for b in rows:
        print(f"{b.id}: {b.claim}")
        for v in b.variants:
            rec = f", recorded as {v.recorded_as}" if v.recorded_as else ""
            name = f"{v.name}: " if v.name else ""
            print(f"  - [{v.treated_as}{rec}] {name}{v.observed}")
            for src in v.sources:
                print(f"      {src}")
    print(f"{len(rows)} behaviour(s) with reported variants, {sum(len(b.sources) for b in rows)} source(s)")


def _print_table(rows: list[Behaviour], *, total: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} of {total} behaviours", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("family")
    table.add_column("cost")
    table.add_column("claim")
    for b in rows:
        flags = ("" if b.wire_testable else " [not wire-testable]") + (" [conflict]" if b.conflict else "") \
            + (f" [variants: {len(b.variants)}]" if b.variants else "")
        table.add_row(b.id, b.family, b.cost, b.claim + flags)
    # a pipe or file gets a wide table instead of rich's 80-column default, so claims stay on one line
    Console(width=None if sys.stdout.isatty() else 240).print(table)
