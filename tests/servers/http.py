"""A local HTTP server for tests standing in for an SMS gateway.

:func:`http_server` runs a ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) in a thread. It
records every request (method, path, query, headers, body) and answers with the status,
body and delay the test sets on :class:`Reply`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: str = '{"code": 0, "msg": "ok"}'
    content_type: str = "application/json; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class HttpServer:
    url: str  # http://127.0.0.1:<port>/
    reply: Reply
    requests: list[Recorded] = field(default_factory=list)


def _handler(server: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            server.requests.append(
                Recorded(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query, keep_blank_values=True),
                    raw_query=split.query,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body,
                )
            )
            reply = server.reply
            if reply.delay:
                time.sleep(reply.delay)
            data = reply.body.encode("utf-8")
            with contextlib.suppress(OSError):  # the client may have given up
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextlib.contextmanager
def http_server(reply: Reply | None = None) -> Iterator[HttpServer]:
    """Run the recording server for the ``with`` block."""
    state = HttpServer(url="", reply=reply or Reply())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
