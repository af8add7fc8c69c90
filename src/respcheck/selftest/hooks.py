"""A tiny pytest plugin the selftest loads into each suite run (`-p respcheck.selftest.hooks`).

Why our own: the selftest must know which behaviours every collected test claims and how every test ended,
whatever state the harness plugin is in. It writes JSON lines to the file named by `RESPCHECK_SELFTEST_OUT`:
``{"kind": "item", "nodeid", "behaviours"}`` at collection and ``{"kind": "report", "nodeid", "when",
"outcome", "message"}`` per test phase. Under pytest-xdist only the controller writes (reports reach it
from the workers), so lines are never interleaved. Without the variable the plugin does nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

ENV_OUT = "RESPCHECK_SELFTEST_OUT"
_state: dict[str, Any] = {"config": None}


def _out() -> str | None:
    path = os.environ.get(ENV_OUT)
    config = _state["config"]
    if not path or (config is not None and hasattr(config, "workerinput")):
        return None  # an xdist worker: the controller records
    return path


def _write(record: dict[str, Any]) -> None:
    path = _out()
    if path is None:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


def behaviours_of(item: pytest.Item) -> list[str]:
    """Every id of every `behaviour` marker on the test (function, class and module level), in order."""
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        for arg in mark.args:
            for value in (arg,) if isinstance(arg, str) else tuple(arg):
                if value not in ids:
                    ids.append(str(value))
    return ids


def crash_message(report: pytest.TestReport) -> str:
    """The exception line of a failure (never the traceback, whose source lines would quote the marker)."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (file, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message)
    text = str(longrepr).strip().splitlines()
    return text[-1] if text else ""


def pytest_configure(config: pytest.Config) -> None:
    _state["config"] = config


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        _write({"kind": "item", "nodeid": item.nodeid, "behaviours": behaviours_of(item)})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    outcome: str = report.outcome  # widened: xfailed / xpassed are added below
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    _write({"kind": "report", "nodeid": report.nodeid, "when": report.when, "outcome": outcome,
            "message": crash_message(report) if outcome != "passed" else ""})
