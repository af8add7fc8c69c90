"""The Files API of the reference target (/openai/v1/files): an in-memory store plus its Starlette routes.

What the docs say: upload with purpose "vision" to reference an image by file_id, "assistants" for PDFs;
"A purpose of user_data is currently not supported. As a temporary workaround you will need to set
purpose to assistants." So `user_data` is refused with a 400 here, and each deviation a target might show
is a switchable fault (FILE_FAULTS) so the suites can prove they notice it.
The store is in memory and thread-safe: the server may resolve file ids from worker threads.
"""

from __future__ import annotations

import mimetypes
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from respcheck.server.errors import ApiError, bad_request

ACCEPTED_PURPOSES = ("assistants", "vision")
KNOWN_PURPOSES = ("assistants", "vision", "user_data", "batch", "fine-tune", "evals")

FILE_FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "files.accept_user_data": (
        "accept uploads with purpose user_data (the docs say it is not supported)",
        ("files.purpose.user_data_unsupported",),
    ),
    "files.openai_id_prefix": (
        "give purpose=assistants files OpenAI-style 'file-' ids instead of Azure's 'assistant-'",
        ("files.upload.assistant_id_prefix",),
    ),
    "files.object_shape_drift": (
        "answer file objects with status 'uploaded' and without expires_at / status_details",
        ("files.upload.object_shape",),
    ),
    "files.accept_unknown_purpose": ("accept any purpose string", ("files.purpose.unknown_rejected",)),
    "files.delete_not_effective": (
        "DELETE answers deleted: true but the file stays retrievable",
        ("files.delete.removes_file",),
    ),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff_mime(data: bytes, filename: str | None = None) -> str:
    """MIME type from magic bytes (cheap, no decoding), else from the file name, else octet-stream."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if filename:
        guessed = mimetypes.guess_type(filename)[0]
        if guessed:
            return guessed
    return "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    id: str
    data: bytes
    filename: str
    purpose: str
    created_at: int
    mime: str

    @property
    def bytes(self) -> int:
        return len(self.data)

    def to_object(self, drift: bool = False) -> dict[str, Any]:
        """The Azure File object (seed 004's sample); `drift` is the files.object_shape_drift fault."""
        obj: dict[str, Any] = {
            "id": self.id,
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "object": "file",
            "purpose": self.purpose,
            "status": "uploaded" if drift else "processed",
        }
        if not drift:
            obj["expires_at"] = None
            obj["status_details"] = None
        return obj


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def new_file_id(purpose: str, openai_style: bool = False) -> str:
    """Azure's style (seed 004): "assistant-" + 22 base62 chars for purpose assistants, else "file-" + hex."""
    if purpose == "assistants" and not openai_style:
        return "assistant-" + "".join(secrets.choice(_BASE62) for _ in range(22))
    return f"file-{uuid.uuid4().hex}"


class FileStore:
    """Uploaded files by id, in memory, safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def add(self, data: bytes, filename: str, purpose: str, openai_style_id: bool = False) -> StoredFile:
        stored = StoredFile(
            id=new_file_id(purpose, openai_style_id),
            data=bytes(data),
            filename=filename,
            purpose=purpose,
            created_at=int(self._clock()),
            mime=sniff_mime(data, filename),
        )
        with self._lock:
            self._files[stored.id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def delete(self, file_id: str) -> bool:
        with self._lock:
            return self._files.pop(file_id, None) is not None

    def list(self, purpose: str | None = None) -> list[StoredFile]:
        with self._lock:
            files = list(self._files.values())
        return [f for f in files if purpose is None or f.purpose == purpose]

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)


FaultSource = Collection[str] | Callable[[], Collection[str]]


def _current(faults: FaultSource) -> Collection[str]:
    return faults() if callable(faults) else faults


def _file_not_found(file_id: str) -> ApiError:
    return ApiError(404, f"No such file object: {file_id}", code="not_found", param="file_id")


def routes(store: FileStore, faults: FaultSource = frozenset(), prefix: str = "/openai/v1") -> list:
    """Starlette routes for `{prefix}/files`; `faults` is a set of FILE_FAULTS names or a callable giving it.

    Handlers raise `ApiError`: the app's exception handler renders the Azure error envelope.
    """
    from starlette.datastructures import UploadFile
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def _accept(form: Any, on: Collection[str]) -> tuple[bytes, str, str]:
        """Check the upload's fields; return (bytes, filename, purpose) (the caller closes the form on every path)."""
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "Missing required parameter: 'file'.", code="missing_required_parameter", param="file")
        if not isinstance(purpose, str) or not purpose:
            raise ApiError(
                400, "Missing required parameter: 'purpose'.", code="missing_required_parameter", param="purpose"
            )
        if purpose == "user_data" and "files.accept_user_data" not in on:
            raise bad_request(
                "A purpose of user_data is currently not supported; set purpose to assistants",
                code="invalid_value",
                param="purpose",
            )
        if purpose not in (*ACCEPTED_PURPOSES, "user_data") and "files.accept_unknown_purpose" not in on:
            raise bad_request(
                f"Invalid value for purpose: {purpose!r}. Supported values are: 'assistants' and 'vision'.",
                code="invalid_value",
                param="purpose",
            )
        return await upload.read(), upload.filename or "upload.bin", purpose

    async def create(request: Request) -> JSONResponse:
        on = _current(faults)
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception as exc:  # malformed multipart, wrong content type
            raise bad_request(f"Expected a multipart/form-data body with 'file' and 'purpose': {exc}") from exc
        try:
            data, filename, purpose = await _accept(form, on)
        finally:
            await form.close()
        if not data:
            raise bad_request("The uploaded file is empty", code="invalid_value", param="file")
        stored = store.add(data, filename, purpose, "files.openai_id_prefix" in on)
        return JSONResponse(stored.to_object("files.object_shape_drift" in on))

    async def list_files(request: Request) -> JSONResponse:
        purpose = request.query_params.get("purpose")
        files = sorted(store.list(purpose), key=lambda f: (f.created_at, f.id), reverse=True)
        drift = "files.object_shape_drift" in _current(faults)
        data = [f.to_object(drift) for f in files]
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "has_more": False,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )

    def _get(request: Request) -> StoredFile:
        file_id = request.path_params["file_id"]
        found = store.get(file_id)
        if found is None:
            raise _file_not_found(file_id)
        return found

    async def retrieve(request: Request) -> JSONResponse:
        return JSONResponse(_get(request).to_object("files.object_shape_drift" in _current(faults)))

    async def delete(request: Request) -> JSONResponse:
        found = _get(request)
        if "files.delete_not_effective" not in _current(faults):
            store.delete(found.id)
        return JSONResponse({"id": found.id, "object": "file", "deleted": True})

    async def content(request: Request) -> Response:
        found = _get(request)
        return Response(found.data, media_type=found.mime)

    base = f"{prefix}/files"
    return [
        Route(base, create, methods=["POST"]),
        Route(base, list_files, methods=["GET"]),
        Route(base + "/{file_id}", retrieve, methods=["GET"]),
        Route(base + "/{file_id}", delete, methods=["DELETE"]),
        Route(base + "/{file_id}/content", content, methods=["GET"]),
    ]
