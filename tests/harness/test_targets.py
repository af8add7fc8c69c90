"""`respcheck run --targets FILE`: several targets (here three reference "regions", one with faults) → one
report each and the matrix; a bad targets file is one line and exit 2."""

from __future__ import annotations

import json
import textwrap

import pytest

from respcheck import paths
from respcheck.cli import main

EP = "endpoint: 'https://x.openai.azure.com/', deployment: d"

THREE_REGIONS = """
targets:
  - {name: ref-eastus2, reference: true, region: eastus2}
  - {name: ref-westus3, reference: true, region: westus3}
  - {name: ref-faulty, reference: true, region: swedencentral, faults: [chaining.forgets_context]}
"""


def test_three_reference_regions_give_three_reports_and_a_matrix(tmp_path, capsys):
    targets = tmp_path / "targets.yaml"
    targets.write_text(THREE_REGIONS, encoding="utf-8")
    suite = paths.suites_dir() / "contract" / "test_create.py"
    code = main(["run", "--targets", str(targets), "--suites", str(suite), "--report-dir", str(tmp_path / "r"),
                 "--parallel", "3"])
    out = capsys.readouterr().out
    assert code == 1, out  # the faulted "region" fails
    runs = sorted(p for p in (tmp_path / "r").iterdir() if (p / "report.json").is_file())
    assert len(runs) == 3, out
    matrix_dir = next(p for p in (tmp_path / "r").iterdir() if p.name.startswith("matrix-"))
    m = json.loads((matrix_dir / "matrix.json").read_text())
    labels = [c["label"] for c in m["columns"]]
    assert labels == ["ref-eastus2", "ref-westus3", "ref-faulty"], labels  # the names tell them apart already
    row = next(r for r in m["rows"] if r["id"] == "chaining.previous_response_id.carries_context")
    assert row["cells"] == ["pass", "pass", "fail"], row
    assert (matrix_dir / "matrix.html").is_file() and "ref-faulty" in (matrix_dir / "matrix.md").read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("targets: []", "expected a 'targets:' list"),
        ("targets: [{name: a, reference: true, colour: red}]", "unknown field(s) colour"),
        ("targets: [{name: a, endpoint: 'https://x.openai.azure.com/'}]", "'endpoint' and 'deployment' are required"),
        ("targets: [{name: a, endpoint: 'https://x.openai.azure.com/', deployment: d, key_env: NO_SUCH_VAR_X}]",
         "the key variable NO_SUCH_VAR_X is not set"),
        ("targets: [{name: a, reference: true, faults: [nope]}]", "unknown fault"),
        ("targets: [{name: a, reference: true}, {name: a, reference: true}]", "must be unique"),
        ("targets: [{name: a, reference: true, roles: {wizard: x}}]", "unknown role(s) wizard"),
        ("targets: {", "not valid YAML"),
        # every field is type-checked: one line naming the target and the field (roles: [1, 2] was an AttributeError)
        ("targets: [{name: a, reference: true, roles: [1, 2]}]", "target 'a': 'roles' must be a mapping ROLE: DEPLOYMENT, got [1, 2]"),
        ("targets: [{name: a, reference: true, roles: {reasoning: 3}}]", "'roles' must be a mapping"),
        ("targets: [{name: a, reference: true, faults: stream.sequence_gap}]", "'faults' must be a list of fault names"),
        ("targets: [{name: a, reference: true, faults: [1]}]", "'faults' must be a list"),
        ("targets: [{name: a, reference: 'yes'}]", "'reference' must be true or false, got 'yes'"),
        ("targets: [{name: a, reference: true, region: 7}]", "'region' must be a string, got 7"),
        (f"targets: [{{name: a, {EP}, auth: cert}}]", "'auth' must be 'key', 'entra' or 'none', got 'cert'"),
        (f"targets: [{{name: a, {EP}, key_env: 'not a var'}}]", "'key_env' must be an environment variable name"),
        ("targets: [{name: a, endpoint: [1], deployment: d}]", "'endpoint' must be a URL string"),
        ("targets: [{name: a, endpoint: 'not a url', deployment: d}]", "not an endpoint URL"),
        ("targets: [{name: a, deployment: {x: 1}, reference: true}]", "'deployment' must be a string"),
        ("targets: [{name: [a], reference: true}]", "'name' is required (letters, digits, . _ -), got ['a']"),
        ("targets: [{name: 'a b', reference: true}]", "'name' is required"),
        ("targets: [{name: a, reference: true, 3: x}]", "unknown field(s) 3"),
        ("targets: [just-a-string]", "target #1 is not a mapping (got 'just-a-string')"),
        ("targets: {name: a}", "expected a 'targets:' list"),
        ("- {name: a, reference: true}", "expected a 'targets:' list"),
        ("targets: [{name: a, reference: true}]\nextra: 1", "unknown top-level key(s) extra"),
        ("", "expected a 'targets:' list"),
    ],
)
def test_bad_targets_file_is_one_line_exit_2(tmp_path, capsys, text, expected):
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    assert main(["run", "--targets", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("respcheck: error: ") and expected in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) <= 2  # the error, and at most a hint


def test_a_targets_file_that_is_not_text_is_one_line(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xff\xfe\x00targets")
    assert main(["run", "--targets", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_targets_excludes_single_target_options(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(THREE_REGIONS, encoding="utf-8")
    assert main(["run", "--targets", str(path), "--target", "reference"]) == 2
    assert "--targets takes the targets from the file" in capsys.readouterr().err
