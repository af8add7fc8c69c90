"""Removing what runs created: the per-test sweep, the end-of-run sweep, and `respcheck cleanup`.

A live run stores responses, uploads files and starts background tasks, all billed or retained for 30 days.
Three layers make sure nothing outlives it:

1. each test's `DualClient` sweeps what it created when the test ends (also after a failure);
2. the pytest plugin sweeps the run's ledger (`respcheck.ledger`) when the session ends, also after Ctrl-C
   or SIGTERM, so a test interrupted mid-way leaves nothing either;
3. `respcheck cleanup --endpoint URL` sweeps the ledgers of earlier runs that died harder (SIGKILL, power).
   It deletes only what it can prove is the ledger run's own, checked on the service right before each
   delete: a stored response when its ``metadata.respcheck_run`` tag names the run; a file (the Files API
   keeps no metadata) when the service still describes it as the run's upload answer did (filename, bytes,
   created_at, kept in the ledger) and it was created after the run started (the run id's timestamp). An
   id in a stale, copied or edited ledger can never delete somebody else's data: without that proof the
   object is "not ours" and stays.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from respcheck import paths
from respcheck.errors import UserError
from respcheck.ledger import (
    RUN_TAG,
    Created,
    Ledger,
    endpoint_hash,
    endpoints,
    find_ledgers,
    outstanding,
    read_entries,
    run_ids,
)
from respcheck.scrub import mask_url

GONE = frozenset({404, 410})
"""Already deleted (or expired): nothing left to clean."""
FINISHED = frozenset({400, 409})
"""Cancel of a response that is not running any more: fine, go on and delete it."""


@dataclass
class SweepResult:
    deleted: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Not provably ours: the response's tag names another run (or none), the file is not the upload."""
    left: list[str] = field(default_factory=list)
    """Could not be deleted (network error, 5xx, 401): still on the service."""

    def merge(self, other: SweepResult) -> None:
        for name in ("deleted", "gone", "skipped", "left"):
            getattr(self, name).extend(getattr(other, name))


def _request(http: httpx.Client, method: str, path: str) -> httpx.Response | None:
    try:
        return http.request(method, path)
    except httpx.HTTPError:
        return None


def _current(http: httpx.Client, path: str) -> dict[str, Any] | bool | None:
    """The object at ``path`` as the service has it now; None when it is gone, False when unreadable."""
    r = _request(http, "GET", path)
    if r is None or r.status_code >= 500:
        return False
    if r.status_code in GONE:
        return None
    try:
        obj = r.json()
    except ValueError:
        return False
    return obj if isinstance(obj, dict) else False


def _tag_matches(http: httpx.Client, item: Created, run_id: str) -> bool | None:
    """Does the stored response carry ``metadata.respcheck_run == run_id``? None when it is gone."""
    obj = _current(http, f"responses/{item.id}")
    if not isinstance(obj, dict):
        return obj
    meta = obj.get("metadata") or {}
    return isinstance(meta, dict) and meta.get(RUN_TAG) == run_id


RUN_START_SLACK_S = 300
"""Clock skew allowed between this machine (the run id) and the service (created_at)."""


def run_started(run_id: str) -> int | None:
    """Unix seconds of the run id's timestamp (``20261203T093000Z-...``); None when it has none."""
    m = re.match(r"(\d{8}T\d{6}Z)", run_id)
    if not m:
        return None
    return int(_dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.UTC).timestamp())


def _file_matches(http: httpx.Client, item: Created, run_id: str) -> bool | None:
    """Is the file on the service the one this run uploaded (`ledger.FILE_PROOF`)? None when it is gone."""
    proof = dict(item.proof)
    started = run_started(run_id)
    if not proof or started is None:
        return False  # nothing to prove it with: not ours
    obj = _current(http, f"files/{item.id}")
    if not isinstance(obj, dict):
        return obj
    if any(obj.get(k) != v for k, v in proof.items()):
        return False
    created = obj.get("created_at")
    return isinstance(created, int | float) and created >= started - RUN_START_SLACK_S


def sweep(http: httpx.Client, items: Iterable[Created], *, ledger: Ledger | None = None,
          require_tag: str | None = None) -> SweepResult:
    """Cancel running background responses, delete responses and files; strike each off the ledger.

    ``require_tag``: delete only what is provably this run's (a response whose metadata names it, a file
    the service describes as the run's upload did): what `respcheck cleanup` does for earlier runs."""
    result = SweepResult()
    items = list(items)
    for item in items:
        path = f"responses/{item.id}" if item.kind == "response" else f"files/{item.id}"
        if require_tag is not None:
            check = _tag_matches if item.kind == "response" else _file_matches
            tagged = check(http, item, require_tag)
            if tagged is None:
                result.gone.append(item.id)
                if ledger is not None:
                    ledger.deleted(item.kind, item.id)
                continue
            if not tagged:
                result.skipped.append(item.id)
                continue
        if item.kind == "response" and item.background:
            _request(http, "POST", f"responses/{item.id}/cancel")  # 400/409 once finished: fine
        r = _request(http, "DELETE", path)
        if r is not None and (r.status_code < 300 or r.status_code in GONE or r.status_code in FINISHED):
            (result.gone if r.status_code in GONE else result.deleted).append(item.id)
            if ledger is not None:
                ledger.deleted(item.kind, item.id)
        else:
            result.left.append(item.id)
    return result


# --- respcheck cleanup ------------------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cleanup", help="delete what earlier runs left on a live endpoint (from their ledgers)",
        description="Delete stored responses, files and background tasks that earlier runs against ENDPOINT "
                    "created and did not remove (killed runs). Reads reports/*/created.jsonl; deletes a "
                    "response only when its metadata.respcheck_run tag names that run.")
    p.add_argument("--endpoint", required=True, help="https://RESOURCE.openai.azure.com/openai/v1/")
    p.add_argument("--reports", type=Path, default=None, help="folder holding the runs' reports (default reports/)")
    p.add_argument("--run-id", action="append", default=[], help="only this run (repeatable)")
    p.add_argument("--entra", action="store_true", help="authenticate with azure-identity")
    p.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    p.set_defaults(func=run_cleanup)


def _client(endpoint: str, entra: bool) -> httpx.Client:
    from respcheck.target import KEY_ENV, _entra_token_provider, normalise_base_url

    base = normalise_base_url(endpoint)
    if entra:
        token = _entra_token_provider()()
        return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30.0)
    key = os.environ.get(KEY_ENV)
    if not key:
        raise UserError(f"{KEY_ENV} is not set", hint="export the resource key, or pass --entra")
    return httpx.Client(base_url=base, headers={"api-key": key}, timeout=30.0)


def run_cleanup(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from respcheck.target import normalise_base_url

    base = normalise_base_url(args.endpoint)
    reports = args.reports or paths.reports_dir()
    if not reports.is_dir():
        raise UserError(f"no reports folder at {reports}", hint="pass --reports DIR")
    wanted = endpoint_hash(base)
    plans: list[tuple[Path, str, list[Created]]] = []
    for path in find_ledgers(reports):
        entries = read_entries(path)
        if wanted not in endpoints(entries):
            continue
        left = outstanding(entries)
        for rid in sorted(run_ids(entries)):
            if left and (not args.run_id or rid in args.run_id):
                plans.append((path, rid, left))
    table = Table(title=f"respcheck cleanup {mask_url(base)}")  # the resource name masked (scrub.mask_host)
    for col in ("run", "outstanding", "deleted", "already gone", "not ours", "left"):
        table.add_column(col)
    total = SweepResult()
    with _client(base, args.entra) as http:
        if not args.dry_run:
            r = _request(http, "GET", "models")
            if r is None:
                raise UserError(f"cannot reach {args.endpoint}")
            if r.status_code in (401, 403):
                raise UserError(f"the endpoint rejected the credentials (HTTP {r.status_code})")
        for path, rid, left in plans:
            if args.dry_run:
                table.add_row(rid, str(len(left)), "-", "-", "-", "-")
                continue
            ledger = Ledger(path, run_id=rid, base_url=base, masked_endpoint="", append=True)
            res = sweep(http, left, ledger=ledger, require_tag=rid)
            total.merge(res)
            table.add_row(rid, str(len(left)), str(len(res.deleted)), str(len(res.gone)), str(len(res.skipped)),
                          str(len(res.left)))
    console = Console()
    if not plans:
        console.print("nothing to clean: no run left objects on this endpoint")
        return 0
    console.print(table)
    return 1 if total.left else 0
