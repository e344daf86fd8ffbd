"""Benchmark (not a test): download throughput from the loopback hub through our downloader (the
real huggingface-hub client, progress reporting, SHA-256 check, move into the library) against
`curl` fetching the same URL, alternating A B A B; and the cost of verifying a 1 GiB file.

    .venv/bin/python tests/bench/bench_download.py [--size-mib N] [--runs K] [--link-mib-s R]

Unthrottled, loopback is faster than any real link and the figure is the client's CPU ceiling;
`--link-mib-s` caps the stand-in hub's sending rate, as a real link would (both clients get the
same cap)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.hub.download import download
from app.hub.hub_client import Hub
from app.hub.library import Library, sha256_of

REPO, FILE = "bench/Payload-GGUF", "payload.gguf"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--link-mib-s", type=int, default=0, help="cap the hub's sending rate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
        payload = Path(folder) / "payload.bin"
        with open(payload, "wb") as file:
            # A real GGUF header is not needed to measure transfer: the GGUF check comes after
            # the bytes and is timed apart (it fails here, after download and hash).
            for _ in range(args.size_mib):
                file.write(os.urandom(1024 * 1024))
        size = payload.stat().st_size
        # The stand-in hub runs in its own process, as a real server would: in ours it would
        # compete with our downloader (not with curl) for the interpreter.
        server = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, time\nfrom pathlib import Path\nfrom tests.hub.hub_server import FakeHub\n"
             f"hub = FakeHub()\nhub.host({REPO!r}, {FILE!r}, Path({str(payload)!r}))\n"
             f"hub.behaviour.bytes_per_second = {args.link_mib_s * 1024**2} or None\nhub.start()\n"
             "print(hub.endpoint, flush=True)\ntime.sleep(3600)\n"],
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        url = f"{endpoint}/{REPO}/resolve/main/{FILE}"
        ours, curls, hashing = [], [], []
        for run in range(args.runs):
            target = Path(folder) / f"curl-{run}.bin"
            started = time.perf_counter()
            subprocess.run(["curl", "-sS", "-o", str(target), url], check=True)
            curls.append(time.perf_counter() - started)
            target.unlink()

            library = Library(Path(folder) / f"library-{run}")
            started = time.perf_counter()
            try:
                download(Hub(endpoint=endpoint), library, REPO, FILE)
            except Exception as error:  # the payload is not a GGUF: refused after transfer + hash
                assert "GGUF" in str(error) or "signature" in str(error), error
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            sha256_of(payload)
            hashing.append(time.perf_counter() - started)
        server.kill()
        server.wait()
    mib = size / 1024**2
    ours_rate, curl_rate = mib / statistics.median(ours), mib / statistics.median(curls)
    link = f"link capped at {args.link_mib_s} MiB/s" if args.link_mib_s else "unthrottled loopback"
    print(f"payload {mib:.0f} MiB, {link}, median of {args.runs} alternating runs")
    print(f"curl:           {curl_rate:8.1f} MiB/s")
    print(f"our download:   {ours_rate:8.1f} MiB/s (transfer + SHA-256 + GGUF check) = "
          f"{ours_rate / curl_rate:.2f}x curl")
    print(f"SHA-256 of the file alone: {1000 * statistics.median(hashing):.0f} ms "
          f"({mib / statistics.median(hashing):.0f} MiB/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
