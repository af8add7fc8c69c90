"""The test command (`python -m pytest -n 2`, CI's) writes nothing into the source tree.

The suites it collects (testpaths include suites/) and the tests that drive `respcheck run` would put
reports/<run-id>/ into the checkout, and hypothesis its example database into .hypothesis/. This file is
loaded first (an initial conftest of the `tests` testpath, in the xdist controller too), so before any
worker starts it points both at one temporary folder, unless the caller chose places already
(RESPCHECK_REPORTS, HYPOTHESIS_STORAGE_DIRECTORY). The folder is removed after a green run and kept
(its path printed) after a red one, for the reports of what failed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_CREATED: Path | None = None
if "RESPCHECK_REPORTS" not in os.environ or "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    _CREATED = Path(tempfile.mkdtemp(prefix="respcheck-tests-"))
    os.environ.setdefault("RESPCHECK_REPORTS", str(_CREATED / "reports"))
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(_CREATED / "hypothesis"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _CREATED is not None and exitstatus != 0 and not hasattr(config, "workerinput"):
        terminalreporter.write_line(f"reports and hypothesis data of this test run kept in {_CREATED}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CREATED is None or hasattr(config, "workerinput"):
        return
    if getattr(config, "_respcheck_exitstatus", 1) == 0:
        shutil.rmtree(_CREATED, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._respcheck_exitstatus = int(exitstatus)  # type: ignore[attr-defined]
