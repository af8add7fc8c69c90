"""`respcheck selftest` refuses bad input with one line and exit 2, before running anything."""

from __future__ import annotations

import pytest

from respcheck.cli import main


@pytest.mark.parametrize(("argv", "needle"), [
    (["selftest", "--fault", "no.such_fault"], "unknown fault"),
    (["selftest", "-n", "0"], "-n must be at least 1"),
    (["selftest", "--suites", "/nonexistent/suites"], "suite path not found"),
    (["selftest", "--json", "/nonexistent/dir/out.json"], "does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
