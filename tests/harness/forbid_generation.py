"""pytest plugin (``-p tests.harness.forbid_generation``): any hypothesis draw raises.

Loaded into a replay it proves, by construction, that the replay's verdicts cannot depend on the installed
hypothesis (or schemathesis) build: a test that still generated its cases would error instead of passing.
"""

from __future__ import annotations

from typing import Any

import pytest


class GenerationForbidden(AssertionError):
    pass


def _forbidden_given(*_args: Any, **_kwargs: Any) -> Any:
    def decorate(fn: Any) -> Any:
        def run(*_a: Any, **_k: Any) -> None:
            raise GenerationForbidden(f"hypothesis drew cases for {fn.__name__} during a replay")

        return run

    return decorate


def pytest_configure(config: pytest.Config) -> None:
    import hypothesis
    import hypothesis.core

    hypothesis.given = _forbidden_given  # type: ignore[assignment]
    hypothesis.core.given = _forbidden_given  # type: ignore[assignment]
