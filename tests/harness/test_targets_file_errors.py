"""Every mistake in a targets file is one line naming the target and the field, exit 2, never a traceback
(``roles: [1, 2]`` used to be "internal error: AttributeError")."""

from __future__ import annotations

import textwrap

import pytest

from respcheck.cli import main

EP = "endpoint: 'https://x.openai.azure.com/', deployment: d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("targets: [{name: a, reference: true, roles: [1, 2]}]", "target 'a': 'roles' must be a mapping ROLE: DEPLOYMENT, got [1, 2]"),
        ("targets: [{name: a, reference: true, roles: {reasoning: 3}}]", "'roles' must be a mapping"),
        ("targets: [{name: a, reference: true, faults: stream.sequence_gap}]", "'faults' must be a list of fault names"),
        ("targets: [{name: a, reference: true, faults: [1]}]", "'faults' must be a list"),
        ("targets: [{name: a, reference: 'yes'}]", "'reference' must be true or false, got 'yes'"),
        ("targets: [{name: a, reference: true, region: 7}]", "'region' must be a string, got 7"),
        (f"targets: [{{name: a, {EP}, auth: cert}}]", "'auth' must be 'key' or 'entra', got 'cert'"),
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
def test_bad_field_is_one_line_exit_2(tmp_path, capsys, text, expected):
    path = tmp_path / "t.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    assert main(["run", "--targets", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("respcheck: error: ") and expected in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) <= 2  # the error, and at most a hint


def test_a_file_that_is_not_text_is_one_line(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xff\xfe\x00targets")
    assert main(["run", "--targets", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err
