"""Generated cases that replay from the cassette, not from a fresh draw.

A property test draws its cases (request bodies, list queries, image-set specs) with hypothesis and
schemathesis. Those draws are deterministic only for one build of those libraries: a fresh install with a
newer hypothesis draws other cases, and a replay of the shipped cassettes would then send requests the
cassette has no answer for. So the cassette is the source of truth for the cases it holds:

* recording (``--record``): the test draws, sends, and the drawn list is stored in the cassette next to the
  interactions (vcrpy's cassette metadata, as one JSON string per name, normalised with the interactions so
  an id placeholder in a case is the same placeholder the recorded request carries);
* replay: the stored list is returned and nothing is drawn (hypothesis is never called, whatever its version);
* a live or reference run without ``--record``: the test draws, as before.

A cassette without the named cases is a `CassetteError` (one line naming the cassette, the cases and the
record command), never a silent not-run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from respcheck.errors import UserError

METADATA_PREFIX = "respcheck_cases:"
"""Key prefix of generated cases in a cassette's metadata (``respcheck_cases:<name>``)."""
PAYLOAD_PREFIX = "respcheck_payload:"
"""Key prefix of big payloads' digests in a cassette's metadata (``respcheck_payload:<key>``)."""


class MissingCases(UserError):
    """The cassette holds no recorded cases of that name: the test changed since it was recorded."""


def as_json(values: Sequence[Any]) -> list[Any]:
    """``values`` as plain JSON (tuples become lists): what is stored is exactly what a replay gets back."""
    try:
        return json.loads(json.dumps(list(values), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"generated cases must be JSON (they are stored in the cassette): {exc}") from None


@dataclass
class CaseBook:
    """The generated cases of one cassette (a test's, or a module-shared exchange's).

    ``cassette`` is the open vcrpy cassette (None when nothing is recorded or replayed), ``replay`` whether
    the run replays, ``where`` and ``record_hint`` name the cassette and the command for the error line."""

    cassette: Any
    replay: bool
    where: str = "the cassette"
    record_hint: str = "re-record it"

    def cases(self, name: str, draw: Callable[[], Sequence[Any]]) -> list[Any]:
        """The cases named ``name``: drawn by ``draw()`` (and stored when recording), or in replay the ones
        the cassette holds, in recorded order."""
        key = METADATA_PREFIX + name
        if self.replay:
            stored = self._stored(key)
            if stored is None:
                raise MissingCases(f"{self.where} holds no recorded cases {name!r} (recorded before the test "
                                   "generated them, or with another test)", hint=self.record_hint)
            return stored
        values = as_json(draw())
        if self.cassette is not None:  # vcrpy stores a metadata default in a cassette it may write
            self.cassette.get_metadata(key, json.dumps(values, separators=(",", ":"), sort_keys=True))
        return values

    def large_value(self, key: str, make: Callable[[], str]) -> str:
        """A big string value of a request body (the data URI of a 50 MB limit probe), named ``key``.

        Recording or live: ``make()``, and a recording stores the digest the cassette keeps in place of the
        value (`respcheck.recorder.digest_large`). Replay: that stored digest itself, so nothing is made,
        encoded or sent (the request still matches: the recorded body holds the same digest). A cassette
        recorded before digests were stored gets ``make()``, which matches too, only slower."""
        from respcheck.recorder import LARGE_STRING, digest_large

        mkey = PAYLOAD_PREFIX + key
        if self.replay:
            stored = self._metadata(mkey)
            return stored if isinstance(stored, str) else make()
        value = make()
        if self.cassette is not None and len(value) > LARGE_STRING:
            self.cassette.get_metadata(mkey, digest_large(value))
        return value

    def _metadata(self, key: str) -> Any:
        from vcr.errors import MissingMetadataError

        if self.cassette is None:
            return None
        try:
            return self.cassette.get_metadata(key, None)
        except MissingMetadataError:
            return None

    def _stored(self, key: str) -> list[Any] | None:
        text = self._metadata(key)
        if not isinstance(text, str):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise MissingCases(f"corrupt cassette {self.where}: the recorded cases {key!r} are not JSON",
                               hint=self.record_hint) from None
        return value if isinstance(value, list) else None


def unrecorded() -> CaseBook:
    """A book for a client outside any cassette (unit tests, benchmarks): it always draws."""
    return CaseBook(cassette=None, replay=False)
