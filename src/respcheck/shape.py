"""Name the field when a test trips over an answer in an unexpected shape.

A suite test reads the service's answer directly (``resp.store``, ``body["output"][0]``). When the service
leaves a field out or sends null, Python raises ``AttributeError: 'Response' object has no attribute
'store'`` or ``TypeError: 'NoneType' object is not subscriptable`` - a verdict that reads like a crash of the
harness. `shape_finding` turns such an exception into a finding that says which field the answer lacks, so
the fail reads as what it is: the service's answer is not in the documented shape.

Only exceptions that point at the answer are mapped: an attribute missing on an SDK (pydantic) object or on
None, a key missing from a dict, None where a container was expected. Anything else stays the plain
exception: it is more likely a bug in the test than a property of the service.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any


def _innermost(tb: TracebackType | None) -> TracebackType | None:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def _is_sdk_object(obj: Any) -> bool:
    try:
        import pydantic
    except ImportError:  # pragma: no cover - the openai SDK depends on it
        return False
    return isinstance(obj, pydantic.BaseModel)


def _owner(exc: AttributeError) -> Any:
    """The object the attribute was missing on: ``exc.obj`` (Python 3.10+), else pydantic's ``__getattr__`` self."""
    obj = getattr(exc, "obj", None)
    if obj is not None:
        return obj
    tb = _innermost(exc.__traceback__)
    if tb is not None and tb.tb_frame.f_code.co_name == "__getattr__":
        return tb.tb_frame.f_locals.get("self")
    return None


def shape_finding(exc: BaseException) -> str | None:
    """A one-line finding for an exception raised while reading an answer of an unexpected shape, else None."""
    if isinstance(exc, AttributeError):
        name = getattr(exc, "name", None)
        obj = _owner(exc)
        if name and _is_sdk_object(obj):
            return (f"the answer has no field {name!r}: the SDK's {type(obj).__name__} object lacks it "
                    f"(the service left it out)")
        if name and obj is None and "NoneType" in str(exc):
            return f"a field of the answer is null where the test reads .{name} from it"
        return None
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str | int):
        return f"the answer has no key {exc.args[0]!r}"
    if isinstance(exc, TypeError) and "'NoneType'" in str(exc):
        return f"a field of the answer is null where the test expects a value ({exc})"
    if isinstance(exc, IndexError) and "out of range" in str(exc):
        return f"a list in the answer is shorter than the test expects ({exc})"
    return None


def raised_in(exc: BaseException, roots: tuple[str, ...]) -> str | None:
    """``file:line`` of the innermost frame of ``exc`` outside installed libraries (pydantic's ``__getattr__``
    is skipped), when that file is under one of ``roots`` (the suites), else None: the exception came from
    harness code, not from a test reading an answer."""
    tb, where = exc.__traceback__, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if "site-packages" not in filename and not filename.startswith("<"):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if where is None or not any(where[0].startswith(root) for root in roots):
        return None
    return f"{where[0]}:{where[1]}"
