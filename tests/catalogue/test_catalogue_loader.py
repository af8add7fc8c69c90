"""`load_catalogue`: typed, ordered, frozen entries; a broken file is one clear `UserError`."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from respcheck import catalogue as cat
from respcheck import paths
from respcheck.errors import UserError

GOOD = {
    "id": "chaining.test.one",
    "family": "chaining",
    "claim": "A claim long enough to pass.",
    "source": {"file": "000_0e52e1d8ba3c0ea7.txt", "title": "t"},
    "quote": "some quote",
    "cost": "cheap",
    "wire_testable": True,
}


def _write(tmp_path: Path, entries: object) -> Path:
    shutil.copy(paths.schemas_dir() / "behaviours.schema.json", tmp_path / "behaviours.schema.json")
    path = tmp_path / "behaviours.yaml"
    path.write_text(entries if isinstance(entries, str) else yaml.safe_dump(entries), encoding="utf-8")
    return path


def test_loads_real_catalogue_in_file_order() -> None:
    loaded = cat.load_catalogue()
    raw = yaml.safe_load((paths.schemas_dir() / "behaviours.yaml").read_text(encoding="utf-8"))
    assert list(loaded) == [e["id"] for e in raw]
    assert len(loaded) >= 90
    b = loaded["chaining.previous_response_id.carries_context"]
    assert isinstance(b, cat.Behaviour) and b.family == "chaining" and b.wire_testable
    assert b.source_file.startswith("001_")


def test_behaviour_is_frozen_and_hashable() -> None:
    b = cat.load_catalogue()["limits.pdf.max_total_size_32mb"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.cost = "free"  # type: ignore[misc]
    assert {b: 1}[b] == 1
    assert b.quote_en and b.conflict is not None
    assert "limits.pdf.max_total_size_50mb" in b.conflict.with_ids
    assert b.data["max_total_bytes"] == 32 * 1024 * 1024


def test_to_dict_round_trips_the_yaml_entry() -> None:
    raw = yaml.safe_load((paths.schemas_dir() / "behaviours.yaml").read_text(encoding="utf-8"))
    loaded = cat.load_catalogue()
    assert [loaded[e["id"]].to_dict() for e in raw] == raw


def test_families_are_the_issue_families() -> None:
    assert cat.families()[0] == "chaining"
    assert {"limits.images", "limits.pdf", "regions", "models"} <= set(cat.families())


def test_minimal_file_loads(tmp_path: Path) -> None:
    loaded = cat.load_catalogue(_write(tmp_path, [GOOD]))
    assert list(loaded) == ["chaining.test.one"]


@pytest.mark.parametrize(
    ("entries", "needle"),
    [
        ("- id: [unclosed\n", "not valid YAML"),
        ({"not": "a list"}, "is invalid"),
        ([{**GOOD, "quote": None}], "chaining.test.one"),
        ([{k: v for k, v in GOOD.items() if k != "claim"}], "'claim' is a required property"),
        ([{**GOOD, "family": "nonsense"}], "is invalid"),
        ([{**GOOD, "id": "NoDots"}], "does not match"),
        ([{**GOOD, "cost": "pricey"}], "is invalid"),
        ([{**GOOD, "wire_testable": False}], "why_not_testable"),
        ([{**GOOD, "unknown_key": 1}], "Additional properties"),
        ([GOOD, GOOD], "appears more than once"),
        ([{**GOOD, "id": "streaming.test.one"}], "does not start with its family"),
        (
            [
                {
                    **GOOD,
                    "conflict": {"with": ["x.y"], "values": {"a": "1", "b": "2"}, "settle": "measure it now"},
                }
            ],
            "unknown id x.y",
        ),
    ],
)
def test_broken_file_is_one_line_user_error(tmp_path: Path, entries: object, needle: str) -> None:
    with pytest.raises(UserError) as exc:
        cat.load_catalogue(_write(tmp_path, entries))
    message = str(exc.value)
    assert needle in message
    assert "\n" not in message


def test_missing_file_is_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        cat.load_catalogue(tmp_path / "absent.yaml")


def test_edit_is_picked_up_despite_cache(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD])
    assert list(cat.load_catalogue(path)) == ["chaining.test.one"]
    path.write_text(yaml.safe_dump([GOOD, {**GOOD, "id": "chaining.test.two_longer"}]), encoding="utf-8")
    assert list(cat.load_catalogue(path)) == ["chaining.test.one", "chaining.test.two_longer"]


def test_select_by_family_prefix_and_testability() -> None:
    loaded = cat.load_catalogue()
    limits = cat.select(loaded, family="limits")
    assert {b.family for b in limits} == {"limits.images", "limits.pdf"}
    testable = cat.select(loaded, testable_only=True)
    assert testable and all(b.wire_testable for b in testable)
    assert len(testable) < len(loaded)


VARIANT = {"observed": "the service does something else", "sources": ["owner/repo#12"], "treated_as": "accepted",
           "recorded_as": "chaining.test.variant"}


def test_variants_load_and_round_trip(tmp_path: Path) -> None:
    more = {**VARIANT, "sources": ["https://learn.microsoft.com/x", "owner/repo#12"], "treated_as": "defect"}
    more.pop("recorded_as")
    entry = {**GOOD, "variants": [VARIANT, more]}
    b = cat.load_catalogue(_write(tmp_path, [entry]))["chaining.test.one"]
    assert [v.treated_as for v in b.variants] == ["accepted", "defect"]
    assert b.sources == ("owner/repo#12", "https://learn.microsoft.com/x")
    assert b.to_dict()["variants"] == [VARIANT, more]


@pytest.mark.parametrize(
    "variant",
    [
        {**VARIANT, "sources": []},
        {**VARIANT, "sources": ["a forum said so"]},
        {**VARIANT, "treated_as": "ignored"},
        {k: v for k, v in VARIANT.items() if k != "observed"},
    ],
)
def test_a_variant_needs_its_sources_and_a_treatment(tmp_path: Path, variant: dict) -> None:
    with pytest.raises(UserError, match="is invalid"):
        cat.load_catalogue(_write(tmp_path, [{**GOOD, "variants": [variant]}]))


def test_claims_the_service_contradicts_carry_their_sources() -> None:
    """Issue 14: each expectation public reports contradict names the reports (GitHub threads, Learn pages)."""
    loaded = cat.load_catalogue()
    contradicted = {
        "chaining.response.object_shape", "chaining.previous_response_id.carries_context", "chaining.retrieve.by_id",
        "streaming.error_event.in_stream", "tools.web_search.unsupported", "errors.ratelimit.retry_after",
        "models.request.deployment_name", "compaction.endpoint.compact", "errors.envelope.type_and_param",
        "reasoning.encrypted_content.include", "reasoning.encrypted_content.store_false_roundtrip",
    }
    missing = sorted(i for i in contradicted if not loaded[i].sources)
    assert not missing, missing


RULED = {**VARIANT, "name": "something_else", "match": {"equals": "else"}, "documented_match": {"pattern": "^as documented"}}


def test_variant_rules_load_round_trip_and_tell_the_sides(tmp_path: Path) -> None:
    (v,) = cat.load_catalogue(_write(tmp_path, [{**GOOD, "variants": [RULED]}]))["chaining.test.one"].variants
    assert (v.name, v.side_of("else"), v.side_of("as documented here"), v.side_of(3)) == (
        "something_else", "variant", "documented", "unrecognised")
    assert v.to_dict() == RULED


@pytest.mark.parametrize(
    "variant,match",
    [
        ({**RULED, "match": {}}, "is invalid"),                                   # an empty rule matches anything
        ({**RULED, "match": {"equal": 1}}, "is invalid"),                         # a typo'd condition
        ({k: v for k, v in RULED.items() if k != "name"}, "is invalid"),          # a rule needs a name to print
        ({k: v for k, v in RULED.items() if k != "recorded_as"}, "is invalid"),   # and a key to read
        ({k: v for k, v in RULED.items() if k != "match"}, "is invalid"),         # documented side alone: no variant
        ({**RULED, "name": "documented"}, "is reserved"),
        ({**RULED, "documented_match": {"pattern": "(unclosed"}}, "documented_match.pattern"),
    ],
)
def test_broken_variant_rules_are_refused(tmp_path: Path, variant: dict, match: str) -> None:
    with pytest.raises(UserError, match=match):
        cat.load_catalogue(_write(tmp_path, [{**GOOD, "variants": [variant]}]))


def test_two_variants_of_one_claim_need_distinct_names(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="appears twice"):
        cat.load_catalogue(_write(tmp_path, [{**GOOD, "variants": [RULED, {**RULED, "recorded_as": "chaining.test.other"}]}]))


def test_every_variant_key_is_recorded_by_some_suite_test() -> None:
    """A variant's `recorded_as` key must be one a suite test passes to observe(); a key no test records would
    leave the report's side 'not observed' forever, which reads like a measurement that never happened."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in paths.suites_dir().rglob("*.py"))
    keys = {v.recorded_as for b in cat.load_catalogue().values() for v in b.variants if v.recorded_as}
    assert len(keys) >= 12
    missing = sorted(k for k in keys if f'observe("{k}"' not in sources)
    assert not missing, missing
