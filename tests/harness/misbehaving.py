"""A raw-socket HTTP/1.1 server on loopback that misbehaves on purpose, for the harness's sturdiness tests.

Starlette cannot drop a connection mid-chunk or stay silent after the headers on cue; a socket can. The
path of each request picks what happens (anything after the first segment is ignored, so
``/openai/v1/responses`` with ``mode="keepalive"`` works as a base URL for both SDK and raw calls):

* ``keepalive``: SSE headers, one ``response.created`` event, then a keep-alive comment every 0.1 s, forever
* ``silent``: SSE headers, then nothing
* ``drop_stream``: SSE headers, one event in a chunk, then the connection closes mid-body (chunked)
* ``drop``: read the request and close without an answer
* ``big``: a JSON body of ``big_bytes`` (default 100 MB), with Content-Length
* ``html``: a 200 HTML page (a portal or proxy sign-in page where the API was expected)
* ``models``: ``/models`` answers a JSON model list; every other path 404 ``DeploymentNotFound``
* ``vllm_models``: the same, but the 404 is vLLM's (integer code 404, ``param: "model"``, no Azure code)

Every connection runs in its own daemon thread and stops writing when ``stop()`` is called or the client
goes away, so no test leaves a thread spinning.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

CREATED = {"type": "response.created", "sequence_number": 0,
           "response": {"id": "resp_" + "a" * 48, "object": "response", "status": "in_progress", "output": []}}
SSE_HEAD = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
            b"transfer-encoding: chunked\r\n\r\n")


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _event(ev: dict) -> bytes:
    return f"event: {ev['type']}\ndata: {json.dumps(ev)}\n\n".encode()


def _json(status: str, body: dict, extra: str = "") -> bytes:
    raw = json.dumps(body).encode()
    return (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(raw)}\r\n{extra}\r\n"
            .encode() + raw)


@dataclass
class Misbehaving:
    mode: str
    big_bytes: int = 100 * 1024 * 1024
    requests: list[str] = field(default_factory=list)
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        assert self._sock is not None
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/openai/v1/"

    def start(self) -> Misbehaving:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()  # type: ignore[union-attr]
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            part = conn.recv(65536)
            if not part:
                return ""
            data += part
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length"), 0)
        while len(body) < length:
            part = conn.recv(65536)
            if not part:
                break
            body += part
        return lines[0].split(" ")[1]

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(5)
                path = self._read_request(conn)
                if not path:
                    return
                self.requests.append(path)
                getattr(self, "_" + self.mode)(conn, path)
        except OSError:
            pass  # the client hung up: what these tests expect it to do

    def _keepalive(self, conn: socket.socket, path: str) -> None:
        conn.sendall(SSE_HEAD + _chunk(_event(CREATED)))
        while not self._stop.is_set():
            time.sleep(0.1)
            conn.sendall(_chunk(b": keep-alive\n\n"))

    def _silent(self, conn: socket.socket, path: str) -> None:
        conn.sendall(SSE_HEAD)
        self._stop.wait(30)

    def _drop_stream(self, conn: socket.socket, path: str) -> None:
        conn.sendall(SSE_HEAD + _chunk(_event(CREATED)) + b"400\r\npartial")  # a chunk cut short, then close

    def _drop(self, conn: socket.socket, path: str) -> None:
        return

    def _big(self, conn: socket.socket, path: str) -> None:
        prefix, suffix = b'{"object": "list", "data": "', b'"}'
        filler = self.big_bytes - len(prefix) - len(suffix)
        conn.sendall(f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {self.big_bytes}\r\n\r\n"
                     .encode() + prefix)
        block = b"x" * 65536
        while filler > 0 and not self._stop.is_set():
            conn.sendall(block[:filler])
            filler -= len(block)
        conn.sendall(suffix)

    def _vllm_models(self, conn: socket.socket, path: str) -> None:
        if path.rstrip("/").endswith("/models"):
            conn.sendall(_json("200 OK", {"object": "list", "data": [{"id": "tiny", "object": "model"}]}))
        else:
            conn.sendall(_json("404 Not Found", {"error": {"message": "The model `gtp-4.1` does not exist.",
                                                           "type": "NotFoundError", "param": "model", "code": 404}}))

    def _html(self, conn: socket.socket, path: str) -> None:
        page = b"<!doctype html><html><body>Sign in to continue</body></html>"
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: %d\r\n\r\n%s" % (len(page), page))

    def _models(self, conn: socket.socket, path: str) -> None:
        if path.rstrip("/").endswith("/models"):
            conn.sendall(_json("200 OK", {"object": "list", "data": [{"id": "gpt-4.1", "object": "model"}]}))
        else:
            conn.sendall(_json("404 Not Found", {"error": {"code": "DeploymentNotFound", "message":
                               "The API deployment for this resource does not exist."}}))
