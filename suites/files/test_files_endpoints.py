"""The Files API as the Responses how-to uses it: purposes, the file object, ids, deletion, PDF input by id."""

from __future__ import annotations

import openai
import pytest
from _files_support import FILE_FIELDS, PDF_NAME, http_upload, pdf_bytes, sdk_upload, wait_processed

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_response
from respcheck.verdicts import not_applicable

OPTIONAL_FIELDS = ("expires_at", "status_details")


def _created(raw) -> dict:
    assert raw.status_code == 200, f"upload: expected HTTP 200, got {raw.status_code}: {raw.text[:300]}"
    return raw.json()


def _rejected(raw, what: str) -> None:
    assert raw.status_code == 400, f"{what}: expected HTTP 400, got {raw.status_code}: {raw.text[:200]}"
    findings = check_error_envelope(raw.status_code, raw.json())
    assert not findings, render(findings)


@pytest.mark.behaviour("files.purpose.user_data_unsupported")
def test_upload_purpose_user_data_rejected(client, observe):
    """'A purpose of user_data is currently not supported.'"""
    raw = http_upload(client, "user_data")
    observe("files.purpose.user_data.status", raw.status_code)
    _rejected(raw, "purpose user_data")

    with pytest.raises(openai.BadRequestError) as info:
        created = sdk_upload(client, "user_data")
        raise AssertionError(f"SDK: purpose user_data was accepted (file {created.id})")
    assert info.value.status_code == 400


@pytest.mark.behaviour("files.purpose.unknown_rejected")
def test_upload_unknown_purpose_rejected(client):
    """'The intended purpose of the uploaded file. One of:' - a purpose outside that list is refused."""
    raw = http_upload(client, "respcheck-unknown-purpose")
    _rejected(raw, "an unknown purpose")

    with pytest.raises(openai.BadRequestError):
        created = sdk_upload(client, "respcheck-unknown-purpose")
        raise AssertionError(f"SDK: an unknown purpose was accepted (file {created.id})")


@pytest.mark.behaviour("files.upload.object_shape")
def test_upload_returns_file_object(client, target, observe):
    """'"object": "file", "purpose": "assistants", "status": "processed",'"""
    data = pdf_bytes()
    obj = _created(http_upload(client, "assistants", data))
    # the docs' sample is the SDK's model_dump (expires_at/status_details are SDK defaults there): on the wire
    # the core fields are required, the two optional ones are recorded
    missing = [k for k in FILE_FIELDS if k not in obj and k not in OPTIONAL_FIELDS]
    assert not missing, f"the file object lacks {missing}; it has {sorted(obj)}"
    observe("files.upload.optional_fields_on_wire", [k for k in OPTIONAL_FIELDS if k in obj])
    assert obj["object"] == "file", f"object is {obj['object']!r}, expected 'file'"
    assert obj["purpose"] == "assistants", f"purpose is {obj['purpose']!r}"
    assert obj["filename"] == PDF_NAME, f"filename is {obj['filename']!r}, expected {PDF_NAME!r}"
    assert obj["bytes"] == len(data), f"bytes is {obj['bytes']!r}, uploaded {len(data)}"
    assert isinstance(obj["created_at"], int), f"created_at is {obj['created_at']!r}"
    observe("files.upload.initial_status", obj.get("status"))
    final = wait_processed(client, obj["id"], target, obj)
    assert final.get("status") == "processed", f"file status is {final.get('status')!r}, expected 'processed'"

    typed = client.sdk_call("files.retrieve (sdk)", lambda: client.sdk.files.retrieve(obj["id"]))
    assert typed.object == "file" and typed.bytes == len(data) and typed.status == "processed", (
        f"SDK FileObject: object={typed.object!r} bytes={typed.bytes!r} status={typed.status!r}"
    )


@pytest.mark.behaviour("files.upload.assistant_id_prefix")
def test_assistants_file_id_prefix(client, observe):
    """'"id": "assistant-KaVLJQTiWEvdz8yJQHHkqJ",'"""
    obj = _created(http_upload(client, "assistants"))
    observe("files.upload.id_prefix", obj["id"].split("-")[0] + "-")
    assert obj["id"].startswith("assistant-"), f"purpose assistants gave id {obj['id']!r}, expected 'assistant-...'"

    typed = sdk_upload(client, "assistants")
    assert typed.id.startswith("assistant-"), f"SDK: id {typed.id!r}, expected 'assistant-...'"


@pytest.mark.behaviour("files.delete.removes_file")
def test_delete_removes_file(client):
    """'summary: Delete a file and remove it from all vector stores.'"""
    obj = _created(http_upload(client, "assistants"))
    gone = client.http_delete(f"files/{obj['id']}")
    assert gone.status_code == 200, f"DELETE: HTTP {gone.status_code}: {gone.text[:200]}"
    deleted = gone.json()
    assert deleted.get("deleted") is True and deleted.get("id") == obj["id"], f"DELETE answered {deleted}"
    after = client.http_get(f"files/{obj['id']}", retry=False)
    assert after.status_code == 404, f"a deleted file is still retrievable: HTTP {after.status_code}: {after.text[:200]}"

    typed = sdk_upload(client, "assistants")
    result = client.sdk_call("files.delete (sdk)", lambda: client.sdk.files.delete(typed.id))
    assert result.deleted is True, f"SDK delete answered {result!r}"
    with pytest.raises(openai.NotFoundError):
        client.sdk_call("files.retrieve (sdk)", lambda: client.sdk.files.retrieve(typed.id), retry=False)
        raise AssertionError("SDK: the deleted file can still be retrieved")


@pytest.mark.behaviour("files.purpose.assistants_workaround")
def test_pdf_uploaded_as_assistants_usable_as_input_file(client, target):
    """'As a temporary workaround you will need to set purpose to assistants.'"""
    if target.capabilities.get("file_input") is False or target.capabilities.get("vision") is False:
        not_applicable(f"{target.deployment} takes no PDF input (no vision)")
    obj = _created(http_upload(client, "assistants"))
    content = [
        {"type": "input_file", "file_id": obj["id"]},
        {"type": "input_text", "text": "What text does this PDF contain? Answer briefly."},
    ]
    body = client.body([{"role": "user", "content": content}], max_output_tokens=100)
    raw = client.http_post("responses", body)
    assert raw.status_code == 200, f"input_file by file_id: HTTP {raw.status_code}: {raw.text[:300]}"
    resp = raw.json()
    findings = check_response(resp)
    assert not findings, render(findings)
    assert resp.get("status") in ("completed", "incomplete"), f"status {resp.get('status')!r}"

    typed = client.create(body)
    assert typed.output_text.strip(), "SDK: empty answer about the PDF"
