"""Deterministic uploads for the Files suite, each request seen through both channels at once.

Multipart bodies carry a boundary; httpx and the SDK draw a random one, which would make every recording
different and the replay miss. Uploads here pass a fixed boundary, so the bytes are the same each run.
Every Files call goes through `client.call_both` (the SDK's ``with_raw_response``): one request gives the raw
answer and the SDK's typed object read from it (`respcheck.client.Exchange`: ``.http``, ``.sdk``, ``.error``);
the client registers an uploaded file for cleanup the moment the answer arrives, and strikes one the test
deleted itself (a DELETE through the client) off the cleanup list and the run's ledger.
"""

from __future__ import annotations

import time
from typing import Any

from respcheck.client import Exchange
from respcheck.payloads import pdfs

BOUNDARY = "respcheck-files-boundary-0001"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
PDF_NAME = "respcheck.pdf"
FILE_FIELDS = ("id", "bytes", "created_at", "filename", "object", "purpose", "status", "expires_at", "status_details")


def pdf_bytes() -> bytes:
    return pdfs.pdf(pages=1)


def upload(client: Any, purpose: str, data: bytes | None = None, filename: str = PDF_NAME) -> Exchange:
    """POST /files (multipart, fixed boundary) once, both views."""
    data = pdf_bytes() if data is None else data
    return client.call_both(
        f"POST /files purpose={purpose}",
        lambda sdk: sdk.files.with_raw_response.create(
            file=(filename, data, "application/pdf"),
            purpose=purpose,  # type: ignore[arg-type]  # unknown purposes are sent on purpose
            extra_headers={"Content-Type": CONTENT_TYPE},
        ),
        retry=False,
    )


def retrieve(client: Any, file_id: str, *, retry: Any = True) -> Exchange:
    """GET /files/{id} once, both views."""
    return client.call_both(f"GET /files/{file_id}", lambda sdk: sdk.files.with_raw_response.retrieve(file_id), retry=retry)


def wait_processed(client: Any, target: Any, first: Exchange, polls: int = 10) -> Exchange:
    """The exchange that shows the file no longer pending: `first` (the upload) when it already does, else
    the last of at most `polls` retrieves (no sleeping outside live); stops at an error answer. Never asserts:
    the caller judges the returned exchange."""
    ex = first
    for _ in range(polls):
        obj = ex.json() if ex.status == 200 else None
        if not isinstance(obj, dict) or obj.get("status") not in ("uploaded", "pending", "running"):
            return ex
        if target.mode == "live":
            time.sleep(1.0)
        ex = retrieve(client, obj["id"])
    return ex
