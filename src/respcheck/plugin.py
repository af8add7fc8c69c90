"""pytest plugin (registered through the `pytest11` entry point): the suite's options and verdicts.

Filled in by the harness work; for now it only registers the markers so plain `pytest` runs.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "behaviour(*ids): catalogue ids (schemas/behaviours.yaml) a test checks")
