"""A small stand-in for huggingface.co on 127.0.0.1, for the real huggingface-hub client: it serves
`/<repo>/resolve/<rev>/<file>` (HEAD and GET, Range requests, the X-Linked-* and X-Repo-Commit
headers the hub sends), `/api/models` search and `/api/models/<repo>[/revision/<rev>]` with file
sizes and LFS hashes, and it misbehaves on request: drop the connection mid-file, corrupt a byte,
answer 401/404, or send slowly."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"
# Where the fixture `fake_hub` (tests/conftest.py) serves the starter model from.
REPO = "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF"
FILE = "smollm2-135m-instruct-q4_1.gguf"
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_MODEL_API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+?)(?:/revision/(?P<rev>[^/]+))?$")


@dataclass
class HostedFile:
    path: Path
    sha256: str
    size: int


@dataclass
class Behaviour:
    drop_after: int | None = None  # bytes into a GET body, once: the connection is cut there
    corrupt_at: int | None = None  # this byte of the file is sent flipped
    status: dict[str, tuple[int, str]] = field(default_factory=dict)  # repo -> (status, X-Error-Code)
    bytes_per_second: int | None = None  # throttle
    gated: dict[str, str] = field(default_factory=dict)  # repo -> the token it lets in


class FakeHub:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], HostedFile] = {}
        self.behaviour = Behaviour()
        self.body_bytes_sent = 0
        self.requests: list[tuple[str, str]] = []
        self.get_starts: list[int] = []  # the byte each file GET started at (its Range)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def host(self, repo: str, filename: str, path: Path) -> HostedFile:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        hosted = HostedFile(path, digest, path.stat().st_size)
        self.files[(repo, filename)] = hosted
        return hosted

    def start(self) -> FakeHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def gets(self) -> int:
        return sum(1 for method, _ in self.requests if method == "GET")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer(head=True)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(head=False)

            def _answer(self, *, head: bool) -> None:
                with hub._lock:
                    hub.requests.append(("HEAD" if head else "GET", self.path))
                url = urlparse(self.path)
                path = unquote(url.path)
                if path == "/api/models":
                    return self._json(hub._search(parse_qs(url.query)))
                if match := _MODEL_API.match(path):
                    return self._model_info(match.group("repo"))
                if match := _RESOLVE.match(path):
                    return self._resolve(match.group("repo"), match.group("file"), head=head)
                self._error(404, "RepoNotFound")

            def _refused(self, repo: str) -> bool:
                token = hub.behaviour.gated.get(repo)
                if token is not None and self.headers.get("Authorization") != f"Bearer {token}":
                    self._error(401, "GatedRepo")
                    return True
                if repo in hub.behaviour.status:
                    status, code = hub.behaviour.status[repo]
                    self._error(status, code)
                    return True
                return False

            def _model_info(self, repo: str) -> None:
                if self._refused(repo):
                    return
                siblings = [{"rfilename": name, "size": f.size,
                             "lfs": {"sha256": f.sha256, "size": f.size, "pointerSize": 134}}
                            for (r, name), f in hub.files.items() if r == repo]
                if not siblings:
                    return self._error(404, "RepoNotFound")
                self._json({"id": repo, "sha": COMMIT, "siblings": siblings})

            def _resolve(self, repo: str, filename: str, *, head: bool) -> None:
                if self._refused(repo):
                    return
                hosted = hub.files.get((repo, filename))
                if hosted is None:
                    return self._error(404, "EntryNotFound")
                start = 0
                if match := re.match(r"bytes=(\d+)-", self.headers.get("Range", "")):
                    start = int(match.group(1))
                self.send_response(206 if start else 200)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("X-Linked-Etag", f'"{hosted.sha256}"')
                self.send_header("X-Linked-Size", str(hosted.size))
                self.send_header("ETag", f'"{hosted.sha256}"')
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(hosted.size - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{hosted.size - 1}/{hosted.size}")
                self.end_headers()
                if not head:
                    with hub._lock:
                        hub.get_starts.append(start)
                    self._send_body(hosted, start)

            def _send_body(self, hosted: HostedFile, start: int) -> None:
                behaviour = hub.behaviour
                with open(hosted.path, "rb") as file:
                    file.seek(start)
                    position = start
                    while chunk := file.read(64 * 1024):
                        if behaviour.corrupt_at is not None and \
                                position <= behaviour.corrupt_at < position + len(chunk):
                            flipped = bytearray(chunk)
                            flipped[behaviour.corrupt_at - position] ^= 0xFF
                            chunk = bytes(flipped)
                        if behaviour.drop_after is not None and \
                                position + len(chunk) - start > behaviour.drop_after:
                            cut = behaviour.drop_after - (position - start)
                            behaviour.drop_after = None  # once
                            self.wfile.write(chunk[:cut])
                            hub._count(cut)
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        try:
                            self.wfile.write(chunk)
                        except (BrokenPipeError, ConnectionResetError):
                            return
                        hub._count(len(chunk))
                        position += len(chunk)
                        if behaviour.bytes_per_second:
                            time.sleep(len(chunk) / behaviour.bytes_per_second)

            def _json(self, data: object) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, code: str) -> None:
                body = json.dumps({"error": code}).encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        return Handler

    def _count(self, sent: int) -> None:
        with self._lock:
            self.body_bytes_sent += sent

    def _search(self, query: dict[str, list[str]]) -> list[dict[str, object]]:
        words = query.get("search", [""])[0].lower()
        repos = sorted({repo for repo, _ in self.files if words in repo.lower()})
        return [{"id": repo, "downloads": 1000 - n, "likes": 5, "lastModified": "2026-11-01T00:00:00.000Z",
                 "tags": ["gguf"]} for n, repo in enumerate(repos)]
