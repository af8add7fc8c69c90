"""The ledger of what a run created on the service, kept on disk as it happens.

Why on disk: the Responses API has no "list my responses" call, so once a run is gone (killed, crashed, the
laptop closed) nothing on the service says which stored responses, uploaded files and background tasks it
left behind. Every create is appended here *before* the test goes on, and every successful delete after it;
what is created and not deleted is the run's leftovers. The run sweeps them at the end (also after Ctrl-C or
SIGTERM), and `respcheck cleanup` sweeps the ledgers of earlier runs.

One JSON object per line, appended with O_APPEND (xdist workers share one file; a short line is written
atomically). The first line of each writer says which endpoint it talks to: the masked endpoint for people
and a SHA-256 of the real base URL for `respcheck cleanup --endpoint` to match, never the URL itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from respcheck.scrub import check_write

Kind = Literal["response", "file"]
LEDGER_NAME = "created.jsonl"
RUN_TAG = "respcheck_run"
"""The ``metadata`` key create bodies carry (the run id): what `respcheck cleanup` checks before deleting."""
FILE_PROOF = ("filename", "bytes", "created_at")
"""What the ledger keeps of an uploaded file (the Files API has no metadata to tag): `respcheck cleanup`
deletes a file only when the service still describes it so, created after the run started."""


def endpoint_hash(base_url: str) -> str:
    return hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Created:
    kind: Kind
    id: str
    background: bool = False
    proof: tuple[tuple[str, Any], ...] = ()
    """For files: (field, value) pairs of the upload answer (`FILE_PROOF`); empty when unknown."""


def file_proof(obj: Any) -> dict[str, Any]:
    """The `FILE_PROOF` fields of a file object (a dict or the SDK's FileObject); {} when it has none."""
    get = obj.get if isinstance(obj, dict) else lambda k: getattr(obj, k, None)
    proof = {k: get(k) for k in FILE_PROOF} if obj is not None else {}
    return proof if all(v is not None for v in proof.values()) and proof else {}


class Ledger:
    """Append-only record of created and deleted objects for one run (shared by its xdist workers)."""

    def __init__(self, path: Path, *, run_id: str, base_url: str, masked_endpoint: str, append: bool = False) -> None:
        """``append``: the file already has this run's header (an earlier run's ledger being swept)."""
        self.path = path
        self.run_id = run_id
        self.endpoint = endpoint_hash(base_url)
        self._header = {"op": "run", "run_id": run_id, "endpoint": masked_endpoint, "endpoint_hash": self.endpoint}
        self._started = append

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        if not self._started:
            lines.append(json.dumps(self._header))
            self._started = True
        lines.append(json.dumps(entry))
        check_write(self.path, "\n".join(lines))  # an id or endpoint never carries a secret; make sure
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, ("\n".join(lines) + "\n").encode())
        finally:
            os.close(fd)

    def created(self, kind: Kind, object_id: str, *, background: bool = False, proof: dict[str, Any] | None = None) -> None:
        entry: dict[str, Any] = {"op": "created", "kind": kind, "id": object_id, "background": background}
        if proof:
            entry["proof"] = proof
        self._append(entry)

    def deleted(self, kind: Kind, object_id: str) -> None:
        self._append({"op": "deleted", "kind": kind, "id": object_id})

    def outstanding(self) -> list[Created]:
        return outstanding(read_entries(self.path))


def read_entries(path: Path) -> list[dict[str, Any]]:
    """The ledger's entries; a torn last line (a killed writer) is skipped, not an error."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def outstanding(entries: Iterable[dict[str, Any]]) -> list[Created]:
    """Created and not (yet) deleted, in creation order."""
    alive: dict[tuple[str, str], Created] = {}
    for e in entries:
        key = (str(e.get("kind")), str(e.get("id")))
        if e.get("op") == "created" and e.get("kind") in ("response", "file") and e.get("id"):
            raw = e.get("proof")
            proof: dict[str, Any] = raw if isinstance(raw, dict) else {}
            alive.setdefault(key, Created(e["kind"], e["id"], bool(e.get("background")), tuple(sorted(proof.items()))))
        elif e.get("op") == "deleted":
            alive.pop(key, None)
    return list(alive.values())


def run_ids(entries: Iterable[dict[str, Any]]) -> set[str]:
    return {str(e["run_id"]) for e in entries if e.get("op") == "run" and e.get("run_id")}


def endpoints(entries: Iterable[dict[str, Any]]) -> set[str]:
    return {str(e["endpoint_hash"]) for e in entries if e.get("op") == "run" and e.get("endpoint_hash")}


def find_ledgers(reports: Path) -> Iterator[Path]:
    """Every run's ledger under a reports folder (``reports/<run-id>/created.jsonl``)."""
    if reports.is_dir():
        yield from sorted(reports.glob(f"*/{LEDGER_NAME}"))
