"""Vector stores for the file_search tool: `POST/GET/DELETE /vector_stores`, in memory, over the Files store.

Ingestion is immediate (status "completed" on create): a store is a list of file ids, and search is a
deterministic keyword match over the files' text, one chunk per paragraph, so "the answer carries the fact
only that file holds" is observable on the wire without an embedding model.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from respcheck.server.errors import ApiError, bad_request
from respcheck.server.ids import new_id

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOP = frozenset("the a an of is are was what which who how and or to in on for from with this that files file search reply".split())


@dataclass
class VectorStore:
    id: str
    name: str | None
    file_ids: list[str]
    created_at: int
    usage_bytes: int
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_object(self) -> dict[str, Any]:
        n = len(self.file_ids)
        return {
            "id": self.id, "object": "vector_store", "created_at": self.created_at, "name": self.name,
            "usage_bytes": self.usage_bytes, "status": "completed", "last_active_at": self.created_at,
            "file_counts": {"in_progress": 0, "completed": n, "failed": 0, "cancelled": 0, "total": n},
            "expires_after": None, "expires_at": None, "metadata": self.metadata,
        }


class VectorStores:
    def __init__(self) -> None:
        self._stores: dict[str, VectorStore] = {}
        self._lock = threading.Lock()

    def add(self, vs: VectorStore) -> None:
        with self._lock:
            self._stores[vs.id] = vs

    def get(self, vs_id: str) -> VectorStore | None:
        with self._lock:
            return self._stores.get(vs_id)

    def delete(self, vs_id: str) -> bool:
        with self._lock:
            return self._stores.pop(vs_id, None) is not None


def _not_found(vs_id: str) -> ApiError:
    return ApiError(404, f"No vector store found with id '{vs_id}'.", code="not_found", param="vector_store_id")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def search(stores: VectorStores, files: Any, vector_store_ids: list[str], query: str) -> list[dict[str, Any]]:
    """Chunks (paragraphs) of the stores' files sharing words with the query, best first."""
    want = _words(query)
    hits: list[tuple[float, int, dict[str, Any]]] = []
    order = 0
    for vs_id in vector_store_ids:
        vs = stores.get(vs_id)
        for fid in vs.file_ids if vs else []:
            f = files.get(fid) if files is not None else None
            if f is None:
                continue
            text = f.data.decode("utf-8", "replace")
            for chunk in (c.strip() for c in re.split(r"\n\s*\n", text)):
                common = want & _words(chunk)
                if chunk and common:
                    score = round(len(common) / max(len(want), 1), 4)
                    hits.append((-score, order, {"file_id": fid, "filename": f.filename, "score": score, "text": chunk, "attributes": {}}))
                    order += 1
    return [h for _, _, h in sorted(hits, key=lambda t: (t[0], t[1]))][:10]


def routes(stores: VectorStores, files: Any, prefix: str = "/openai/v1") -> list:
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def create(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("The request body is not valid JSON.", code="invalid_json") from None
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.", code="invalid_json")
        file_ids = body.get("file_ids") or []
        if not isinstance(file_ids, list) or not all(isinstance(x, str) for x in file_ids):
            raise bad_request("Invalid type for 'file_ids': expected an array of strings.", code="invalid_type", param="file_ids")
        size = 0
        for fid in file_ids:
            f = files.get(fid)
            if f is None:
                raise ApiError(404, f"No such file object: {fid}", code="not_found", param="file_ids")
            size += len(f.data)
        vs = VectorStore(new_id("vs"), body.get("name"), list(file_ids), int(time.time()), size, body.get("metadata") or {})
        stores.add(vs)
        return JSONResponse(vs.to_object())

    async def retrieve(request: Request) -> JSONResponse:
        vs = stores.get(request.path_params["vs_id"])
        if vs is None:
            raise _not_found(request.path_params["vs_id"])
        return JSONResponse(vs.to_object())

    async def delete(request: Request) -> JSONResponse:
        vs_id = request.path_params["vs_id"]
        if not stores.delete(vs_id):
            raise _not_found(vs_id)
        return JSONResponse({"id": vs_id, "object": "vector_store.deleted", "deleted": True})

    return [
        Route(f"{prefix}/vector_stores", create, methods=["POST"]),
        Route(f"{prefix}/vector_stores/{{vs_id}}", retrieve, methods=["GET"]),
        Route(f"{prefix}/vector_stores/{{vs_id}}", delete, methods=["DELETE"]),
    ]
