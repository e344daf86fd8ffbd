"""Serving the API on this computer only: the address must be a loopback one (127.0.0.1, ::1),
the socket is bound here so that a taken port is a clear error before anything starts, and
uvicorn serves the app on it, quietly (no access log: what programs ask is theirs)."""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from typing import TYPE_CHECKING

from app.errors import MiniGiantsError

if TYPE_CHECKING:  # uvicorn is imported when the API is first served: off unless turned on
    from starlette.applications import Starlette

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4892
_STARTED_WITHIN_S = 10.0


class NotLoopback(MiniGiantsError):
    def __init__(self, host: str) -> None:
        super().__init__(f"The API listens on this computer only, and “{host}” is not a loopback "
                         "address.",
                         "Use 127.0.0.1 or ::1. To use a bigger machine of yours, run a server "
                         "there and add it in Models (see the README).")


class PortTaken(MiniGiantsError):
    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"The API cannot listen on {host} port {port}: {reason}.",
                         "Another program may be using that port; choose another one.")


def loopback_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host` (a loopback address; "localhost" means 127.0.0.1) and `port`
    (0: any free one)."""
    host = DEFAULT_HOST if host == "localhost" else host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NotLoopback(host) from None
    if not address.is_loopback:
        raise NotLoopback(host)
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name == "posix":  # a restart may bind again at once (on Windows it would share a port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortTaken(host, port, error.strerror or str(error)) from None
    return sock


class ApiServer:
    """`app` served on `sock`: `serve()` until interrupted (the CLI), or `start()` and `stop()`
    on a thread of its own (the app)."""

    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        import uvicorn

        self._sock = sock
        self._server = uvicorn.Server(uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off",
            timeout_graceful_shutdown=2))
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return host, port

    @property
    def base_url(self) -> str:
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/v1"

    def serve(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve, name="api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _STARTED_WITHIN_S
        while not self._server.started and self._thread.is_alive() and \
                time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
        self._sock.close()
