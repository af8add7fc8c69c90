"""The /openai/v1/files routes, driven through the real openai SDK against uvicorn on a free port."""

from __future__ import annotations

import threading
import time

import openai
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from respcheck.payloads import images, pdfs
from respcheck.server.errors import ApiError
from respcheck.server.files import FILE_FAULTS, FileStore, routes


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.envelope(), status_code=exc.status, headers=exc.headers)


class Served:
    def __init__(self, faults: set[str]):
        self.store = FileStore()
        self.faults = set(faults)
        app = Starlette(routes=routes(self.store, lambda: self.faults), exception_handlers={ApiError: _api_error})
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.005)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/openai/v1/", api_key="k", max_retries=0)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture(scope="module")
def served():
    s = Served(set())
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _reset(served):
    served.faults.clear()


def test_upload_vision_png_round_trip(served):
    data = images.png()
    f = served.client.files.create(file=("a.png", data, "image/png"), purpose="vision")
    assert f.id.startswith("file-") and f.object == "file" and f.purpose == "vision"
    assert f.bytes == len(data) and f.status == "processed" and f.filename == "a.png"
    assert served.client.files.retrieve(f.id).id == f.id
    assert served.client.files.content(f.id).content == data
    assert served.store.get(f.id).mime == "image/png"
    assert f.id in [x.id for x in served.client.files.list()]
    assert f.id in [x.id for x in served.client.files.list(purpose="vision")]
    assert f.id not in [x.id for x in served.client.files.list(purpose="assistants")]


def test_assistants_pdf_gets_azure_prefix(served):
    f = served.client.files.create(file=("r.pdf", pdfs.pdf(2), "application/pdf"), purpose="assistants")
    assert f.id.startswith("assistant-") and len(f.id) == len("assistant-") + 22
    raw = served.client.files.with_raw_response.retrieve(f.id).http_response.json()
    assert raw["expires_at"] is None and raw["status_details"] is None
    served.faults.add("files.openai_id_prefix")
    assert served.client.files.create(file=("r.pdf", pdfs.pdf(), "application/pdf"), purpose="assistants").id.startswith(
        "file-"
    )


def test_user_data_rejected_unless_faulted(served):
    with pytest.raises(openai.BadRequestError) as info:
        served.client.files.create(file=("r.pdf", pdfs.pdf(), "application/pdf"), purpose="user_data")
    err = info.value.body
    assert "user_data is currently not supported" in err["message"] and err["param"] == "purpose"
    served.faults.add("files.accept_user_data")
    assert served.client.files.create(file=("r.pdf", pdfs.pdf(), "application/pdf"), purpose="user_data").purpose == (
        "user_data"
    )


def test_unknown_purpose_and_empty_file(served):
    with pytest.raises(openai.BadRequestError):
        served.client.files.create(file=("r.pdf", pdfs.pdf(), "application/pdf"), purpose="nonsense")
    with pytest.raises(openai.BadRequestError) as info:
        served.client.files.create(file=("e.bin", b"", "application/octet-stream"), purpose="assistants")
    assert "empty" in info.value.body["message"]


def test_delete_then_404(served):
    f = served.client.files.create(file=("a.png", images.png(), "image/png"), purpose="vision")
    d = served.client.files.delete(f.id)
    assert d.id == f.id and d.deleted is True and d.object == "file"
    with pytest.raises(openai.NotFoundError) as info:
        served.client.files.retrieve(f.id)
    assert info.value.body["message"] == f"No such file object: {f.id}"
    with pytest.raises(openai.NotFoundError):
        served.client.files.delete(f.id)


def test_delete_not_effective_fault(served):
    served.faults.add("files.delete_not_effective")
    f = served.client.files.create(file=("a.png", images.png(), "image/png"), purpose="vision")
    assert served.client.files.delete(f.id).deleted is True
    assert served.client.files.retrieve(f.id).id == f.id  # the deviation the suites must catch


def test_fault_table_shape():
    for name, (desc, ids) in FILE_FAULTS.items():
        assert name.startswith("files.") and desc
        assert all(i.startswith("files.") for i in ids)
