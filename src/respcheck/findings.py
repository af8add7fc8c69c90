"""The one shape every validator reports in.

Validators are pure functions that return a list of `Finding`s; an empty list means conformant.
A finding names the check that fired (a stable snake_case name, like schemathesis' named checks),
where it fired (event index in a stream, JSON path in a body) and a sentence a person can act on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    check: str
    """Stable name of the check, e.g. ``sequence_number_contiguous``."""
    message: str
    """One readable sentence saying what is wrong, with the offending values."""
    index: int | None = None
    """Event index within a stream (0-based), when the finding is about one event."""
    path: str | None = None
    """JSON path inside the object (``$.output[0].content``), when known."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"event #{self.index}")
        if self.path:
            where.append(self.path)
        loc = f" ({', '.join(where)})" if where else ""
        return f"[{self.check}]{loc} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not data["extra"]:
            data.pop("extra")
        return data


def render(findings: list[Finding]) -> str:
    """Several findings as a block of lines, for assertion messages."""
    return "\n".join(str(f) for f in findings)
