"""The matrix over several runs, the diff of two, and both commands' exit codes."""

from __future__ import annotations

import json

import pytest

from respcheck.cli import main
from respcheck.report import build, classify, diff, matrix, render_matrix_markdown, write_all

from .records import CATALOGUE, baseline_results, faulted_results, make_run


@pytest.fixture
def three_runs(tmp_path):
    """A replay run, a reference run and a reference run with faults on, each written to its directory."""
    specs = {
        "replay": (make_run(run_id="20261123T120000Z-replay", mode="replay"), baseline_results()),
        "reference": (make_run(run_id="20261123T120500Z-reference", mode="reference"), baseline_results()),
        "faulted": (make_run(run_id="20261123T121000Z-faults", mode="reference"), faulted_results()),
    }
    dirs = {}
    for name, (run, results) in specs.items():
        dirs[name] = tmp_path / name
        write_all(build(run, results, CATALOGUE), dirs[name])
    return dirs


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("pass", "fail", "regression"),
        ("pass", "inconclusive", "regression"),
        ("pass", "not-run", "regression"),
        ("pass", "untested", "regression"),
        ("pass", "not-applicable", "regression"),
        ("not-applicable", "fail", "regression"),
        ("untested", "fail", "regression"),
        ("fail", "pass", "fix"),
        ("inconclusive", "pass", "improved"),
        ("fail", "inconclusive", "changed"),
        ("untested", "not-run", "changed"),
        ("fail", "fail", "unchanged"),
        (None, "pass", "added"),
        ("pass", None, "removed"),
    ],
)
def test_classify(old, new, kind):
    assert classify(old, new) == kind


def test_matrix_labels_cells_and_families():
    reports = [
        build(make_run(run_id="a", target={"region": region}), baseline_results(), CATALOGUE)
        for region in ("eastus2", "swedencentral", "japaneast")
    ]
    reports[2] = build(make_run(run_id="c", target={"region": "japaneast"}), faulted_results(), CATALOGUE)
    m = matrix(reports)
    assert [c["label"] for c in m["columns"]] == ["eastus2", "swedencentral", "japaneast"]
    row = next(r for r in m["rows"] if r["id"] == "streaming.completed.last")
    assert row["cells"] == ["pass", "pass", "fail"] and row["differs"]
    assert m["differing"] == 4
    limits = next(f for f in m["families"] if f["family"] == "limits")
    assert [c["score"] for c in limits["cells"]] == [1.0, 1.0, 0.0]
    md = render_matrix_markdown(m)
    assert "| Behaviour | eastus2 | swedencentral | japaneast |" in md
    assert "| `streaming.completed.last` ⚑ | ✅ | ✅ | ❌ |" in md


def test_matrix_labels_by_sdk_version_and_twins():
    reports = [
        build(make_run(versions={"openai": v}), baseline_results(), CATALOGUE) for v in ("3.53.0", "3.54.0", "3.55.0")
    ]
    assert [c["label"] for c in matrix(reports)["columns"]] == ["openai 3.53.0", "openai 3.54.0", "openai 3.55.0"]
    twins = [build(make_run(), [], CATALOGUE), build(make_run(), [], CATALOGUE)]
    labels = [c["label"] for c in matrix(twins)["columns"]]
    assert len(set(labels)) == 2


def test_matrix_labels_name_the_target_without_repeating_the_mode():
    reports = [
        build(make_run(run_id="a", mode="replay", target={"name": "replay:reference", "region": "local"}), [], CATALOGUE),
        build(make_run(run_id="b", mode="reference", target={"name": "reference", "region": "local"}), [], CATALOGUE),
        build(make_run(run_id="c", mode="reference", target={"name": "faulted", "region": "faulted"}), [], CATALOGUE),
    ]
    assert [c["label"] for c in matrix(reports)["columns"]] == ["replay of reference", "reference server", "faulted"]


def test_matrix_row_absent_from_one_catalogue():
    small = {k: v for k, v in CATALOGUE.items() if k != "limits.pdf.max_pages"}
    m = matrix([build(make_run(run_id="old"), [], small), build(make_run(run_id="new"), baseline_results(), CATALOGUE)])
    row = next(r for r in m["rows"] if r["id"] == "limits.pdf.max_pages")
    assert row["cells"] == [None, "pass"]


def test_diff_regressions_first_with_observed_and_identity_changes():
    old = build(make_run(run_id="old"), baseline_results(), CATALOGUE)
    new = build(make_run(run_id="new", versions={"openai": "3.55.0"}), faulted_results(), CATALOGUE)
    d = diff(old, new)
    assert d["regressions"] == 4
    assert [c["kind"] for c in d["changes"]] == ["regression"] * 4
    assert {c["id"] for c in d["changes"]} == {
        "limits.pdf.max_pages",
        "streaming.completed.last",
        "streaming.sequence_number.contiguous",
        "tools.mcp.headers_sent",
    }
    assert d["observed_changes"] == [{"id": "limits.pdf.max_pages", "key": "limits.pdf.max_pages", "old": 100, "new": 50}]
    assert d["identity_changes"] == [{"field": "versions.openai", "old": "3.54.0", "new": "3.55.0"}]
    back = diff(new, old)
    assert back["regressions"] == 0 and back["counts"]["fix"] == 3 and back["counts"]["improved"] == 1


def test_cli_report_matrix_over_three_runs(three_runs, tmp_path, capsys):
    out = tmp_path / "matrix"
    assert main(["report", *map(str, three_runs.values()), "--out", str(out)]) == 0
    md = (out / "matrix.md").read_text()
    html = (out / "matrix.html").read_text()
    # labels say what was run; the two reference-server runs are told apart by their run ids only
    assert "| Behaviour | replay of reference | reference server · 20261123T120500Z-reference |" in md
    assert "| tools | 100.0 % (1✓ 0✗) | 100.0 % (1✓ 0✗) | 0.0 % (0✓ 0✗ 1❔) |" in md  # inconclusive shown and scored
    assert "| `streaming.sequence_number.contiguous` ⚑ | ✅ | ✅ | ❌ |" in md
    assert html.count('<tr data-id="') == len(CATALOGUE)
    assert "matrix.md" in capsys.readouterr().out
    assert main(["report", str(three_runs["replay"] / "report.json"), "--out", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["columns"][0]["mode"] == "replay"


def test_cli_diff_exit_codes(three_runs, capsys):
    assert main(["diff", str(three_runs["replay"]), str(three_runs["reference"])]) == 0
    assert "**no regressions**" in capsys.readouterr().out
    assert main(["diff", str(three_runs["reference"]), str(three_runs["faulted"])]) == 1
    captured = capsys.readouterr()
    text = captured.out
    assert "**4 regressions**" in text and "4 regression(s)" in captured.err
    assert text.index("## Regressions") < text.index("## Observed value changes")
    assert "| `limits.pdf.max_pages` | `limits.pdf.max_pages` | 100 | 50 |" in text
    assert "- mode: replay → reference" not in text  # both reference runs: identity unchanged
    assert main(["diff", str(three_runs["faulted"]), str(three_runs["reference"]), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["regressions"] == 0 and d["counts"]["fix"] == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "no report at"),
        (lambda p: (p / "report.json").write_text("{not json") and p, "is not valid JSON"),
        (lambda p: (p / "report.json").write_text("[1, 2]") and p, "is not a respcheck report"),
        (lambda p: (p / "report.json").write_text('{"report_version": "2.0"}') and p, "reads 1.x"),
        (lambda p: (p / "report.json").write_text('{"report_version": "1.0"}') and p, "is not a valid respcheck report"),
    ],
)
def test_bad_input_is_one_line_exit_2(three_runs, tmp_path, capsys, make, message):
    bad = make(tmp_path)
    for argv in (["report", str(bad)], ["diff", str(three_runs["replay"]), str(bad)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        assert err.startswith("respcheck: error:")


def test_unknown_format(three_runs, capsys):
    assert main(["report", str(three_runs["replay"]), "--format", "pdf"]) == 2
    assert "unknown format pdf" in capsys.readouterr().err
