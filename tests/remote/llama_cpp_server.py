"""llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`) on loopback, as
"your own server" in the tests. llama.cpp is built here with its CPU code in loadable variants,
so the launcher registers them first, as the app's engine does; the server is otherwise as
shipped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from tests.loopback import free_port

KEY = "your-own-key"  # the API key the tests' servers ask for

LAUNCHER = (
    "import runpy, sys\n"
    "from app.engine.backends import load_backends\n"
    "load_backends()\n"
    "sys.argv = ['llama_cpp.server', *sys.argv[1:]]\n"
    "runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)\n"
)


@contextmanager
def llama_cpp_server(model: Path, key: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Its base URL once it answers, and its process (a test may kill it)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--api_key", key],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "llama_cpp.server did not start"
            assert time.monotonic() < deadline, "llama_cpp.server did not answer"
            try:
                if httpx2.get(f"{base_url}/models", headers={"Authorization": f"Bearer {key}"}
                              ).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        yield base_url, process
    finally:
        process.kill()
        process.wait()
