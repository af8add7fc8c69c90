"""`respcheck run`: bad input is one line and exit 2 before pytest starts; a replay run prints the table."""

from __future__ import annotations

import json

import pytest

from respcheck import paths
from respcheck.cli import main


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["run", "--profile", "no-such-profile"], {}, "unknown cassette profile 'no-such-profile'"),
        (["run", "--endpoint", "not a url", "--deployment", "d"], {"AZURE_OPENAI_API_KEY": "k"}, "not an endpoint URL"),
        (["run", "--endpoint", "https://r.openai.azure.com/", "--deployment", "d"], {}, "AZURE_OPENAI_API_KEY is not set"),
        (["run", "--endpoint", "http://127.0.0.1:9/openai/v1/", "--deployment", "d"], {"AZURE_OPENAI_API_KEY": "k"},
         "cannot reach"),
        (["run", "--record"], {}, "--record needs --target reference"),
        (["run", "--target", "reference", "--reference-fault", "no_such_fault"], {}, "unknown fault"),
        (["run", "--max-requests", "0"], {}, "--max-requests must be at least 1"),
    ],
)
def test_usage_errors_are_one_line_exit_2(argv, env, expected, monkeypatch, capsys):
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err  # an internal error (exit 1) says what it was
    assert expected in err and "Traceback" not in err
    assert err.startswith("respcheck: error: ")


@pytest.mark.skipif(not (paths.cassettes_dir() / "reference" / "profile.yaml").is_file(), reason="no shipped cassettes")
def test_replay_of_shipped_cassettes_prints_the_table(tmp_path, capsys):
    code = main(["run", "--block-network", "--report-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    assert "family" in out and "chaining" in out and "report:" in out  # behaviour families, read from the report
    assert "exit 0: every test that ran passed or could not apply" in out
    (run_dir,) = tmp_path.iterdir()
    run = json.loads((run_dir / "run.json").read_text())
    assert run["mode"] == "replay" and run["recorded_from"] == "reference"
    assert run["spent"]["requests"] > 0


def test_block_network_refuses_the_outside_and_is_undone():
    import socket

    from respcheck.plugin import NetworkBlocked, _block_network

    undo = _block_network()
    try:
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("example.com", 443)
        with pytest.raises(NetworkBlocked), socket.socket() as s:
            s.connect(("192.0.2.1", 443))
        socket.getaddrinfo("127.0.0.1", 80)  # loopback stays allowed
    finally:
        undo()
    assert not getattr(socket.socket.connect, "_respcheck", False)


def test_a_suite_that_does_not_import_is_one_line_not_an_interrupt(tmp_path, capsys):
    suite = tmp_path / "suites" / "broken"
    suite.mkdir(parents=True)
    (suite / "test_broken_import.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    code = main(["run", "--target", "reference", "--suites", str(tmp_path / "suites"), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "could not be collected" in err and "interrupted" not in err, err
