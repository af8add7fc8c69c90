"""Conformance verdicts and how a suite test declares the two that are not pass/fail.

A suite test passes (pass), fails an assertion (fail), calls `not_applicable(...)` when the target
cannot have the behaviour (a model without vision, a region without the feature), or `inconclusive(...)`
when the service did not let us find out (transient 5xx/429 after retries, timeouts). The plugin turns the
last two into pytest skips whose reason starts with the verdict name, and records the verdict itself; a
skip is never counted as a pass.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest


class Verdict(str, Enum):  # noqa: UP042 - str() of a member stays "Verdict.X" where code formats it
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


BLOCKED = "blocked by "
"""How an inconclusive verdict begins when a step the claim needs was refused: "blocked by <behaviour>: ..."."""


def blocked(by: str, reason: str) -> None:
    """Inconclusive because a step the test needs before its claim was refused (the upload a tool needs, the
    stored turn a chained turn needs, the compact endpoint a compaction item needs): `by` is the behaviour
    whose own test judges that step and reports the refusal. One finding, one behaviour: the refusal fails
    `by` once, and every claim behind it says it was not judged and why."""
    inconclusive(f"{BLOCKED}{by}: {reason}")


MODEL_LIMIT = "model limit: "
"""How an inconclusive verdict that a model limit explains begins (after the ``inconclusive: `` prefix)."""


def model_limit(reason: str) -> None:
    """Inconclusive because of what the model can do, not what the service must do: an answer cut by
    max_output_tokens, a context-length refusal, a word not recalled, a forced tool not called. A small or
    cheap deployment hits these too, so they are never a protocol failure (unless a control probe showed
    the model can do it: then the test fails on its claim instead of calling this)."""
    inconclusive(MODEL_LIMIT + reason)


def truncated(response: Any) -> bool:
    """The response (a dict) was cut by max_output_tokens: status incomplete, reason max_output_tokens."""
    if not isinstance(response, dict) or response.get("status") != "incomplete":
        return False
    details = response.get("incomplete_details")
    return isinstance(details, dict) and details.get("reason") == "max_output_tokens"


CONTEXT_LENGTH_MARKERS = ("context_length_exceeded", "context length", "context window", "maximum context",
                          "too many tokens", "prompt is too long")


def context_length_refusal(status: int, body: Any) -> bool:
    """A 400 that says the input does not fit the model's context window (code or message)."""
    if status != 400 or not isinstance(body, dict):
        return False
    nested = body.get("error")
    err: dict[str, Any] = nested if isinstance(nested, dict) else body
    text = f"{err.get('code') or ''} {err.get('message') or ''}".lower()
    return any(marker in text for marker in CONTEXT_LENGTH_MARKERS)


def limit_of_model(response: Any) -> str | None:
    """Why a response's failure to show a behaviour may be the model's limit (None: no such reason seen)."""
    if truncated(response):
        usage = response.get("usage") or {}
        return f"the answer was cut by max_output_tokens (output_tokens {usage.get('output_tokens')!r})"
    return None


def verdict_from_skip_reason(reason: str) -> Verdict:
    """Map a pytest skip reason to a verdict; an unlabelled skip is `not-run`, never a pass."""
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(NOT_APPLICABLE_PREFIX):
        return Verdict.NOT_APPLICABLE
    if reason.startswith(INCONCLUSIVE_PREFIX):
        return Verdict.INCONCLUSIVE
    return Verdict.NOT_RUN
