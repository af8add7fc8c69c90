"""Conformance verdicts and how a suite test declares the two that are not pass/fail.

A suite test passes (pass), fails an assertion (fail), calls `not_applicable(...)` when the target
cannot have the behaviour (a model without vision, a region without the feature), or `inconclusive(...)`
when the service did not let us find out (transient 5xx/429 after retries, timeouts). The plugin turns the
last two into pytest skips whose reason starts with the verdict name, and records the verdict itself; a
skip is never counted as a pass.
"""

from __future__ import annotations

from enum import Enum

import pytest


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    INCONCLUSIVE = "inconclusive"
    NOT_RUN = "not-run"
    """Budget exhausted or run interrupted before the test ran."""
    UNTESTED = "untested"
    """A catalogue behaviour that no test covers (only in reports, never from a test)."""


NOT_APPLICABLE_PREFIX = "not-applicable: "
INCONCLUSIVE_PREFIX = "inconclusive: "
NOT_RUN_PREFIX = "not-run: "


class Inconclusive(Exception):
    """Raised by clients when the service failed transiently even after retries."""


def not_applicable(reason: str) -> None:
    pytest.skip(NOT_APPLICABLE_PREFIX + reason)


def inconclusive(reason: str) -> None:
    pytest.skip(INCONCLUSIVE_PREFIX + reason)


def verdict_from_skip_reason(reason: str) -> Verdict:
    """Map a pytest skip reason to a verdict; an unlabelled skip is `not-run`, never a pass."""
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(NOT_APPLICABLE_PREFIX):
        return Verdict.NOT_APPLICABLE
    if reason.startswith(INCONCLUSIVE_PREFIX):
        return Verdict.INCONCLUSIVE
    return Verdict.NOT_RUN
