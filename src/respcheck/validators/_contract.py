"""The one door from the validators to the contract (`respcheck.contract`).

Schema checks must never pass silently: when the contract package cannot be imported (or its schema
document is missing) every schema check reports a `contract_unavailable` finding instead of nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from respcheck.findings import Finding


@cache
def _api() -> tuple[Callable[[str, Any], list[str]] | None, Callable[[dict], list[str]] | None, str]:
    try:
        from respcheck import contract  # noqa: PLC0415 - imported lazily: another module, maybe absent
    except Exception as exc:  # ImportError, or the contract failing to load its document
        return None, None, f"{type(exc).__name__}: {exc}"
    validate = getattr(contract, "validate", None)
    validate_event = getattr(contract, "validate_event", None)
    if validate is None or validate_event is None:
        return None, None, "respcheck.contract has no validate()/validate_event()"
    return validate, validate_event, ""


def reset() -> None:
    """Forget the cached import (tests that install a fake contract call this)."""
    _api.cache_clear()


def unavailable(check: str) -> Finding | None:
    """A finding saying the schema check could not run, or None when the contract is usable."""
    validate, _, why = _api()
    if validate is not None:
        return None
    return Finding(check, f"contract_unavailable: schema check not run ({why})", extra={"contract_unavailable": True})


def validate(check: str, component: str, instance: Any, *, path: str | None = None) -> list[Finding]:
    """Schema errors of `instance` against `component`, as findings named `check`."""
    fn, _, why = _api()
    if fn is None:
        return [Finding(check, f"contract_unavailable: schema check not run ({why})", path=path)]
    try:
        errors = fn(component, instance)
    except Exception as exc:  # the contract must not make a validator raise
        return [Finding(check, f"contract.validate({component!r}) raised {type(exc).__name__}: {exc}", path=path)]
    return [Finding(check, f"{component}: {e}", path=path) for e in errors]


def validate_event(event: dict, index: int) -> list[Finding]:
    """Schema errors of one stream event, as `event_schema` findings at `index`."""
    _, fn, why = _api()
    if fn is None:
        return [Finding("event_schema", f"contract_unavailable: schema check not run ({why})", index=index)]
    try:
        errors = fn(event)
    except Exception as exc:
        return [Finding("event_schema", f"contract.validate_event raised {type(exc).__name__}: {exc}", index=index)]
    etype = event.get("type")
    return [Finding("event_schema", f"{etype}: {e}", index=index) for e in errors]
