"""Byte-exact edges of the documented size limits: which reading of "50 MB" / "32 MB" a target follows.

The docs word the limits two ways and never define MB. "Each individual image file must be under 50 MB"
is exclusive: a payload of exactly the limit is refused and one byte less is accepted. "最大 ... 32 MB"
(up to 32 MB) is inclusive: exactly the limit is accepted, one byte more is refused. MB may mean 10^6 or
2^20 bytes. Each (wording, unit) pair is a `Reading` with a byte-exact edge: its largest allowed size and
that size plus one byte. `find_edge` walks the readings from the smallest edge up: it sends the first
refused size of a reading; when that is accepted the reading cannot hold and the next one is tried; when it
is refused, the largest allowed size (one byte less) must be accepted, and that reading is the one the
target follows. A conforming target pays two requests (three or four when the bigger reading holds);
a target whose edge is off by a byte, or lies between the readings, fails with the sizes that show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from _limits_helpers import MB, SIZE_REJECTION, MiB, assert_accepted, assert_rejected


@dataclass(frozen=True)
class Reading:
    """One reading of a documented size limit."""

    name: str
    """What it reads the docs as, for messages and the observed value ("under 50 MiB")."""
    limit: int
    inclusive: bool
    """"up to" (the limit itself is allowed) or "under" (it is not)."""

    @property
    def largest(self) -> int:
        """The largest payload this reading allows, in bytes."""
        return self.limit if self.inclusive else self.limit - 1


def under(mb: int, source: str) -> tuple[Reading, Reading]:
    """The two readings of an exclusive "under `mb` MB" (decimal and binary megabytes)."""
    return (Reading(f"under {mb} MB = {mb * MB} bytes ({source})", mb * MB, inclusive=False),
            Reading(f"under {mb} MiB = {mb * MiB} bytes ({source})", mb * MiB, inclusive=False))


def up_to(mb: int, source: str) -> tuple[Reading, Reading]:
    """The two readings of an inclusive "up to `mb` MB"."""
    return (Reading(f"up to {mb} MB = {mb * MB} bytes ({source})", mb * MB, inclusive=True),
            Reading(f"up to {mb} MiB = {mb * MiB} bytes ({source})", mb * MiB, inclusive=True))


@dataclass
class Edge:
    """What `find_edge` measured: the reading that holds and every probe's answer."""

    reading: Reading
    answers: list[tuple[int, int]]
    """(payload bytes, HTTP status) in the order sent."""

    def observed(self) -> dict[str, Any]:
        """JSON for `observe`: the reading, its largest allowed size and the probes' answers."""
        return {"reading": self.reading.name, "largest_accepted": self.reading.largest,
                "answers": [list(a) for a in self.answers]}


def find_edge(probe: Callable[[int], Any], readings: Sequence[Reading], what: str) -> Edge:
    """Probe the byte-exact edge of each reading (smallest first) with ``probe(total_bytes)`` (an httpx
    response); return the reading the target follows, or fail naming the sizes that contradict them all.

    An accepted probe must be a clean 200 (`assert_accepted`: a context-length refusal is the model's
    limit), a refused one a 400/413 (`assert_rejected`: never a 5xx)."""
    answers: list[tuple[int, int]] = []
    accepted_at: int | None = None

    def send(size: int) -> Any:
        raw = probe(size)
        answers.append((size, raw.status_code))
        return raw

    for reading in sorted(readings, key=lambda r: r.largest):
        first_refused = reading.largest + 1
        raw = send(first_refused)
        if raw.status_code == 200:
            assert_accepted(raw, f"{what}, {first_refused} bytes (HTTP)")
            accepted_at = first_refused  # this reading refuses it, so it does not hold: try the next one
            continue
        assert_rejected(raw, f"{what}, {first_refused} bytes (HTTP)", SIZE_REJECTION)
        last_allowed = send(reading.largest)
        if last_allowed.status_code == 200:
            assert_accepted(last_allowed, f"{what}, {reading.largest} bytes (HTTP)")
            return Edge(reading, answers)
        assert_rejected(last_allowed, f"{what}, {reading.largest} bytes (HTTP)", SIZE_REJECTION)
        if accepted_at is None:
            raise AssertionError(
                f"{what}: {reading.largest} bytes were refused (HTTP {last_allowed.status_code}), but every "
                f"documented reading allows them (smallest: {reading.name}); answers (bytes, HTTP): {answers}")
        raise AssertionError(
            f"{what}: {accepted_at} bytes were accepted but {reading.largest} bytes refused (HTTP "
            f"{last_allowed.status_code}): the limit lies between them, matching no documented reading "
            f"({'; '.join(r.name for r in readings)}); answers (bytes, HTTP): {answers}")
    raise AssertionError(
        f"{what}: {accepted_at} bytes were accepted, over the limit in every documented reading "
        f"({'; '.join(r.name for r in readings)}); answers (bytes, HTTP): {answers}")
