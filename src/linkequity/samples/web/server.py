"""Serving a sample web on 127.0.0.1: many host names on one loopback port.

The site is chosen by the request, in this order:

1. an absolute-form request target (``GET http://blog-3.example/a/ HTTP/1.1``),
   which is what an HTTP client sends through a proxy: point any client's
   proxy at the server's address and fetch the sample URLs as they are;
2. the ``Host`` header (its port ignored), which is what a client sends when
   its resolver maps every sample host to 127.0.0.1 and the port (the
   crawler's resolver seam; ``curl --resolve``; or a request to the base
   address with ``Host:`` set by hand).

An unknown host gets a 404. Connections are served by a fixed pool of threads,
with at most ``4 * workers`` accepted and waiting; an idle keep-alive connection
is closed after ``IDLE_TIMEOUT_S``. Nothing is logged.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.samples.web.generate import SampleWeb

__all__ = ["IDLE_TIMEOUT_S", "LOOPBACK", "serve_web"]

#: The only address the sample web is ever served on.
LOOPBACK = "127.0.0.1"
#: Seconds an idle keep-alive connection is kept open.
IDLE_TIMEOUT_S = 5.0

_Request = socket.socket | tuple[bytes, socket.socket]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "linkequity-sample-web"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S
    # Headers and body go out in two writes; without this the body waits for
    # the client's delayed ACK of the headers (40 ms on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        response = self.server.web.respond(self._url())
        self.send_response(response.status, response.reason)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def _url(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        host = (self.headers.get("Host") or "").strip().lower()
        host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
        path = self.path if self.path.startswith("/") else f"/{self.path}"
        return f"http://{host}{path}"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Log nothing: a test run serves thousands of requests."""


class _Server(HTTPServer):
    """An HTTP server whose connections a fixed pool of threads serves."""

    # socketserver's default backlog of 5 drops the SYNs of a burst of
    # clients, which then wait a second to retry.
    request_queue_size = 128

    def __init__(self, web: SampleWeb, port: int, workers: int) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.web = web
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="sample-web")
        self._slots = threading.BoundedSemaphore(4 * workers)
        self._open: set[_Request] = set()
        self._lock = threading.Lock()

    def process_request(self, request: _Request, client_address: Any) -> None:
        self._slots.acquire()
        with self._lock:
            self._open.add(request)
        self._pool.submit(self._serve, request, client_address)

    def _serve(self, request: _Request, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except OSError:
            pass  # the client went away
        finally:
            with self._lock:
                self._open.discard(request)
            self.shutdown_request(request)
            self._slots.release()

    def handle_error(self, request: _Request, client_address: Any) -> None:
        """Stay quiet: a client that hangs up is no error of the server's."""

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            for request in self._open:
                if isinstance(request, socket.socket):
                    with contextlib.suppress(OSError):
                        request.shutdown(socket.SHUT_RDWR)
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def serve_web(
    web: SampleWeb, host: str = LOOPBACK, port: int = 0, *, workers: int = 8
) -> Iterator[str]:
    """Serve *web* on 127.0.0.1 while the ``with`` block runs; yield the base address.

    Parameters
    ----------
    web : SampleWeb
        The web to serve.
    host : str
        Must be ``"127.0.0.1"``: the sample web is never served beyond loopback.
    port : int
        TCP port; 0 picks a free one.
    workers : int
        Threads serving connections.

    Yields
    ------
    str
        ``http://127.0.0.1:<port>``. Send requests there with the sample URL's
        host in ``Host``, or use it as the HTTP proxy of a client (see the
        module docstring).

    Raises
    ------
    ValueError
        If *host* is not 127.0.0.1 or *workers* is below 1.
    """
    if host != LOOPBACK:
        raise ValueError(f"the sample web is served on {LOOPBACK} only, not {host!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    server = _Server(web, port, workers)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
