"""Deterministic uploads for the Files suite, through raw httpx or the openai SDK.

Multipart bodies carry a boundary; httpx and the SDK draw a random one, which would make every recording
different and the replay miss. Both channels here pass a fixed boundary, so the bytes are the same each run.
"""

from __future__ import annotations

import time
from typing import Any

from respcheck.payloads import pdfs

BOUNDARY = "respcheck-files-boundary-0001"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
PDF_NAME = "respcheck.pdf"
FILE_FIELDS = ("id", "bytes", "created_at", "filename", "object", "purpose", "status", "expires_at", "status_details")


def pdf_bytes() -> bytes:
    return pdfs.pdf(pages=1)


def http_upload(client: Any, purpose: str, data: bytes | None = None, filename: str = PDF_NAME) -> Any:
    """POST /files (multipart) through raw httpx; the client registers a created file for cleanup."""
    data = pdf_bytes() if data is None else data
    return client.http_post(
        "files",
        files={"file": (filename, data, "application/pdf")},
        data={"purpose": purpose},
        headers={"Content-Type": CONTENT_TYPE},
        retry=False,
    )


def sdk_upload(client: Any, purpose: str, data: bytes | None = None, filename: str = PDF_NAME) -> Any:
    """client.sdk.files.create with the fixed boundary; the caller registers the id for cleanup."""
    data = pdf_bytes() if data is None else data
    created = client.sdk_call(
        "files.create (sdk)",
        lambda: client.sdk.files.create(
            file=(filename, data, "application/pdf"),
            purpose=purpose,  # type: ignore[arg-type]  # unknown purposes are sent on purpose
            extra_headers={"Content-Type": CONTENT_TYPE},
        ),
        retry=False,
    )
    client.cleanup.add_file(getattr(created, "id", None))
    return created


def wait_processed(client: Any, file_id: str, target: Any, first: dict[str, Any], polls: int = 10) -> dict[str, Any]:
    """The file object once its status is no longer pending (bounded polling; no sleeping outside live)."""
    obj = first
    for _ in range(polls):
        if obj.get("status") not in ("uploaded", "pending", "running"):
            return obj
        if target.mode == "live":
            time.sleep(1.0)
        got = client.http_get(f"files/{file_id}")
        assert got.status_code == 200, f"GET files/{file_id}: HTTP {got.status_code}: {got.text[:200]}"
        obj = got.json()
    return obj
