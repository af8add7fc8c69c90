"""The committed catalogue itself: schema-valid, ids well formed, quotes verbatim from the seeds.

These tests read the real schemas/behaviours.yaml, so a bad edit (a paraphrased quote, a typo in a family,
a non-testable entry with no reason) fails here rather than in a suite run.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from respcheck import catalogue as cat
from respcheck import paths

SCHEMAS = paths.schemas_dir()
RAW = yaml.safe_load((SCHEMAS / "behaviours.yaml").read_text(encoding="utf-8"))
SCHEMA = json.loads((SCHEMAS / "behaviours.schema.json").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _seeds_dir() -> Path | None:
    shared = paths.shared_dir()
    return shared / "seeds" if shared and (shared / "seeds").is_dir() else None


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_yaml_validates_against_schema() -> None:
    assert cat.schema_errors(RAW, SCHEMA) == []


def test_ids_unique_and_well_formed() -> None:
    ids = [e["id"] for e in RAW]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert dupes == []
    bad = [i for i in ids if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", i)]
    assert bad == []


def test_families_allowed_and_id_prefixed_by_family() -> None:
    assert {e["family"] for e in RAW} <= set(cat.FAMILIES)
    assert [e["id"] for e in RAW if not e["id"].startswith(e["family"] + ".")] == []


def test_every_family_has_entries() -> None:
    counts = Counter(e["family"] for e in RAW)
    assert [f for f in cat.FAMILIES if counts[f] == 0] == []


def test_non_testable_entries_say_why() -> None:
    missing = [
        e["id"] for e in RAW if e["wire_testable"] is False and not e.get("why_not_testable", "").strip()
    ]
    assert missing == []
    stray = [e["id"] for e in RAW if e["wire_testable"] and "why_not_testable" in e]
    assert stray == []


def test_japanese_quotes_are_translated() -> None:
    untranslated = []
    for e in RAW:
        for q in [e, *e.get("also", [])]:
            if CJK.search(q["quote"]) and not q.get("quote_en"):
                untranslated.append(e["id"])
    assert untranslated == []


def test_conflicts_are_symmetric_and_name_known_ids() -> None:
    by_id = {e["id"]: e for e in RAW}
    problems = []
    for e in RAW:
        for other in e.get("conflict", {}).get("with", []):
            if other not in by_id:
                problems.append(f"{e['id']} -> unknown {other}")
            elif e["id"] not in by_id[other].get("conflict", {}).get("with", []):
                problems.append(f"{e['id']} -> {other} not reciprocated")
    assert problems == []


def test_documented_conflicts_are_recorded() -> None:
    """The disagreements the issue names must be entries the suite can settle."""
    by_id = {e["id"]: e for e in RAW}
    pdf = by_id["limits.pdf.max_total_size_32mb"]["conflict"]
    assert "limits.pdf.max_total_size_50mb" in pdf["with"]
    idle = by_id["tools.code_interpreter.session_idle_timeout_20min"]["conflict"]
    assert idle["with"] == ["tools.code_interpreter.session_idle_timeout_30min"]
    assert by_id["tools.code_interpreter.session_idle_timeout_20min"]["data"]["idle_minutes"] == 20
    assert by_id["tools.code_interpreter.session_idle_timeout_30min"]["data"]["idle_minutes"] == 30
    assert "auth.entra.scope_cognitiveservices" in by_id["auth.entra.scope_ai_azure"]["conflict"]["with"]
    assert (
        "limits.images.file_upload_unsupported"
        in by_id["limits.images.input.file_id_vision"]["conflict"]["with"]
    )


def test_structured_lists_are_present() -> None:
    by_id = {e["id"]: e for e in RAW}
    regions = by_id["regions.responses_api.available"]["data"]["regions"]
    assert len(regions) == len(set(regions)) == 12 and "eastus2" in regions
    extended = by_id["regions.responses_api.available_extended"]["data"]["regions"]
    assert set(extended) - set(regions) == {"polandcentral", "switzerlandnorth"}
    models = by_id["models.responses_api.supported"]["data"]["models"]
    assert models["gpt-4.1"] == ["2025-04-14"] and "o1" not in models
    assert by_id["limits.images.mime_types"]["data"]["mime_types"] == [
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/gif",
    ]
    assert by_id["limits.images.max_count_100"]["data"]["max_images"] == 100


def test_quotes_are_verbatim_in_their_seed() -> None:
    seeds_dir = _seeds_dir()
    if seeds_dir is None:
        pytest.skip("../shared/seeds not present")
    findings = cat.quote_findings(cat.load_catalogue(), cat.read_seeds(seeds_dir))
    assert [str(f) for f in findings] == []


def test_every_seed_is_cited_and_titles_are_consistent() -> None:
    seeds_dir = _seeds_dir()
    if seeds_dir is None:
        pytest.skip("../shared/seeds not present")
    cited = {e["source"]["file"] for e in RAW} | {a["file"] for e in RAW for a in e.get("also", [])}
    assert {p.name for p in seeds_dir.glob("*.txt")} <= cited
    titles: dict[str, set[str]] = {}
    for e in RAW:
        titles.setdefault(e["source"]["file"], set()).add(e["source"]["title"])
    assert {f: t for f, t in titles.items() if len(t) > 1} == {}


def test_quote_check_catches_a_paraphrase() -> None:
    """The verbatim check must be able to fail: a reworded quote is reported."""
    real = cat.load_catalogue()["limits.images.max_count_100"]
    seeds = {real.source_file: "In a single request,\n   you can include up to 100 images. More text."}
    assert cat.quote_findings({real.id: real}, seeds) == []
    from dataclasses import replace

    reworded = replace(real, quote="In one request you can include up to 100 images.")
    findings = cat.quote_findings({real.id: reworded}, seeds)
    assert [f.check for f in findings] == ["quote_not_verbatim"]
    missing = cat.quote_findings({real.id: real}, {})
    assert [f.check for f in missing] == ["quote_source_missing"]
