"""The Files API as the Responses how-to uses it: purposes, the file object, ids, deletion, PDF input by id.

Every request is seen through both channels at once (the raw answer and the SDK's typed object read from
it). One `assistants` upload is shared by the module (`uploaded`: the file object, its id prefix, and a
create that reads it as input_file); the refused purposes and the deletion test make their own uploads.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import openai
import pytest
from _files_support import (
    FILE_FIELDS,
    PDF_NAME,
    pdf_bytes,
    retrieve,
    upload,
    wait_processed,
)

from respcheck.expect import accepted, fail_for, prerequisite
from respcheck.verdicts import blocked, not_applicable

OPTIONAL_FIELDS = ("expires_at", "status_details")
UPLOAD = "files.upload.object_shape"
"""The behaviour that owns POST /files (the endpoint itself): a target without it fails there once."""
MISSING_ENDPOINT = (404, 405)


class Uploaded(NamedTuple):
    """The shared upload: the upload (`upload`, both views), the exchange showing it processed (`processed`:
    the upload itself or the last retrieve), its size, and the create that reads it as input_file (`answer`,
    None when the upload failed or the deployment takes no PDF)."""

    upload: Any
    processed: Any
    size: int
    answer: Any


def _takes_pdf(target) -> bool:
    return not (target.capabilities.get("file_input") is False or target.capabilities.get("vision") is False)


@pytest.fixture(scope="module")
def uploaded(shared, target):
    """One `assistants` upload, polled only until it is processed, and one create (not stored) that reads it
    as input_file - in one cassette, since the create names the uploaded id."""

    def make(c):
        data = pdf_bytes()
        up = upload(c, "assistants", data)
        if up.status != 200:
            return Uploaded(up, up, len(data), None)
        processed = wait_processed(c, target, up)
        answer = None
        if _takes_pdf(target):
            content = [
                {"type": "input_file", "file_id": up.sdk.id},
                {"type": "input_text", "text": "What text does this PDF contain? Answer briefly."},
            ]
            answer = c.create_both(c.body([{"role": "user", "content": content}], max_output_tokens=100, store=False))
        return Uploaded(up, processed, len(data), answer)

    return shared("uploaded", make)


def _created(up, *claims: str) -> dict:
    """The file object of an upload. With `claims` the upload is their evidence (a refusal fails them), but a
    missing endpoint (404/405) is `UPLOAD`'s to fail: the claims are blocked by it. Without claims the upload
    is only a step: any refusal blocks."""
    if up.status in MISSING_ENDPOINT or not claims:
        return prerequisite(up, "upload (POST /files)", by=UPLOAD)
    return accepted(up, "upload", *claims)


def _rejected(ex, what: str, claim: str) -> None:
    """A refused upload: 400 and the SDK's BadRequestError (the envelope's types: errors.envelope.shape's)."""
    if ex.status in MISSING_ENDPOINT:
        blocked(UPLOAD, f"{what}: POST /files answered HTTP {ex.status} (no Files endpoint): {ex.http.text[:160]}")
    if ex.status != 400:
        fail_for(claim, f"{what}: expected HTTP 400, got {ex.status}: {ex.http.text[:200]}")
    assert ex.sdk is None, f"SDK: {what} was accepted (file {getattr(ex.sdk, 'id', None)})"
    assert isinstance(ex.error, openai.BadRequestError), f"SDK: {what} raised {ex.error!r}, expected BadRequestError"


@pytest.mark.behaviour("files.purpose.user_data_unsupported")
def test_upload_purpose_user_data_rejected(client, observe):
    """'A purpose of user_data is currently not supported.'"""
    ex = upload(client, "user_data")
    observe("files.purpose.user_data.status", ex.status)
    _rejected(ex, "purpose user_data", "files.purpose.user_data_unsupported")


@pytest.mark.behaviour("files.purpose.unknown_rejected")
def test_upload_unknown_purpose_rejected(client):
    """'The intended purpose of the uploaded file. One of:' - a purpose outside that list is refused."""
    _rejected(upload(client, "respcheck-unknown-purpose"), "an unknown purpose", "files.purpose.unknown_rejected")


@pytest.mark.behaviour("files.upload.object_shape")
def test_upload_returns_file_object(uploaded, observe):
    """'"object": "file", "purpose": "assistants", "status": "processed",'"""
    up = uploaded.upload
    if up.status in MISSING_ENDPOINT:
        fail_for(UPLOAD, f"POST /files answered HTTP {up.status}: the target has no Files endpoint: {up.http.text[:200]}")
    obj = _created(up, UPLOAD)
    size = uploaded.size
    # the docs' sample is the SDK's model_dump (expires_at/status_details are SDK defaults there): on the wire
    # the core fields are required, the two optional ones are recorded
    missing = [k for k in FILE_FIELDS if k not in obj and k not in OPTIONAL_FIELDS]
    assert not missing, f"the file object lacks {missing}; it has {sorted(obj)}"
    observe("files.upload.optional_fields_on_wire", [k for k in OPTIONAL_FIELDS if k in obj])
    assert obj["object"] == "file", f"object is {obj['object']!r}, expected 'file'"
    assert obj["purpose"] == "assistants", f"purpose is {obj['purpose']!r}"
    assert obj["filename"] == PDF_NAME, f"filename is {obj['filename']!r}, expected {PDF_NAME!r}"
    assert obj["bytes"] == size, f"bytes is {obj['bytes']!r}, uploaded {size}"
    assert isinstance(obj["created_at"], int), f"created_at is {obj['created_at']!r}"
    observe("files.upload.initial_status", obj.get("status"))
    typed = uploaded.upload.sdk
    assert typed.object == "file" and typed.bytes == size and typed.purpose == "assistants", (
        f"SDK FileObject: object={typed.object!r} bytes={typed.bytes!r} purpose={typed.purpose!r}"
    )

    done = uploaded.processed
    final = accepted(done, f"GET files/{obj['id']}", UPLOAD)
    assert final.get("status") == "processed", f"file status is {final.get('status')!r}, expected 'processed'"
    assert done.sdk.object == "file" and done.sdk.bytes == size and done.sdk.status == "processed", (
        f"SDK FileObject: object={done.sdk.object!r} bytes={done.sdk.bytes!r} status={done.sdk.status!r}"
    )


@pytest.mark.behaviour("files.upload.assistant_id_prefix")
def test_assistants_file_id_prefix(uploaded, observe):
    """'"id": "assistant-KaVLJQTiWEvdz8yJQHHkqJ",'"""
    obj = _created(uploaded.upload, "files.upload.assistant_id_prefix")
    observe("files.upload.id_prefix", obj["id"].split("-")[0] + "-")
    assert obj["id"].startswith("assistant-"), f"purpose assistants gave id {obj['id']!r}, expected 'assistant-...'"
    typed = uploaded.upload.sdk
    assert typed.id.startswith("assistant-"), f"SDK: id {typed.id!r}, expected 'assistant-...'"


@pytest.mark.behaviour("files.delete.removes_file")
def test_delete_removes_file(client):
    """'summary: Delete a file and remove it from all vector stores.'"""
    fid = _created(upload(client, "assistants"))["id"]
    gone = client.call_both(f"DELETE /files/{fid}", lambda sdk: sdk.files.with_raw_response.delete(fid))
    deleted = accepted(gone, f"DELETE /files/{fid}", "files.delete.removes_file")
    assert deleted.get("deleted") is True and deleted.get("id") == fid, f"DELETE answered {deleted}"
    assert gone.sdk.deleted is True and gone.sdk.id == fid, f"SDK delete answered {gone.sdk!r}"

    after = retrieve(client, fid, retry=False)
    assert after.status == 404, f"a deleted file is still retrievable: HTTP {after.status}: {after.http.text[:200]}"
    assert isinstance(after.error, openai.NotFoundError), f"SDK: retrieving the deleted file raised {after.error!r}, expected NotFoundError"


@pytest.mark.behaviour("files.purpose.assistants_workaround")
def test_pdf_uploaded_as_assistants_usable_as_input_file(uploaded, target):
    """'As a temporary workaround you will need to set purpose to assistants.'"""
    if not _takes_pdf(target):
        not_applicable(f"{target.deployment} takes no PDF input (no vision)")
    _created(uploaded.upload)
    ex = uploaded.answer
    assert ex is not None, "the shared upload made no input_file request"
    resp = accepted(ex, "input_file by file_id", "files.purpose.assistants_workaround")
    assert resp.get("status") in ("completed", "incomplete"), f"status {resp.get('status')!r}"
    assert ex.sdk.output_text.strip(), "SDK: empty answer about the PDF"
