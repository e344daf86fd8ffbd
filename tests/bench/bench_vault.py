"""Benchmark (not a test) of the vault on this machine: unlock + list 1,000 conversations, append-message
latency with synchronous=FULL, search over 10,000 messages. Uses calibrated key settings (~0.5 s), as a
real vault does.

    .venv/bin/python tests/bench/bench_vault.py [FOLDER]   (default: the current folder's disk)"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.vault.store import Vault

WORDS = ("morning walk coffee worried meeting sister garden tired hopeful rain letter "
         "deadline calm breathing friend music kitchen lonely proud doctor").split()


def sentence(number: int) -> str:
    return " ".join(WORDS[(number * 7 + k * 3) % len(WORDS)] for k in range(18)) + f" note {number}"


def main() -> int:
    # On the disk the vault would live on (not a RAM-backed /tmp), so fsync costs what it costs.
    parent = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        path = Path(folder) / "vault.db"
        with Vault.create(path, "benchmark passphrase") as vault:
            conversations = [vault.conversations.create(f"Conversation {n}") for n in range(1000)]
            for n in range(10_000):
                vault.conversations.add_message(conversations[n % 1000].id, "user", sentence(n))
            latencies = []
            target = conversations[0].id
            for n in range(500):
                started = time.perf_counter()
                vault.conversations.add_message(target, "assistant", sentence(n))
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        with Vault.open(path) as vault:
            vault.unlock("benchmark passphrase")
            unlocked = time.perf_counter()
            listed = vault.conversations.all()
            listing_done = time.perf_counter()
            first_search_started = time.perf_counter()
            hits = vault.search("worried deadline")
            first_search = time.perf_counter() - first_search_started
            again_started = time.perf_counter()
            vault.search("garden rain")
            later_search = time.perf_counter() - again_started
        latencies.sort()
        print(f"unlock (Argon2id) {1000 * (unlocked - started):7.1f} ms, list {len(listed)} conversations "
              f"{1000 * (listing_done - unlocked):7.1f} ms, together {1000 * (listing_done - started):7.1f} ms")
        print(f"append message: p50 {1000 * statistics.median(latencies):6.2f} ms, "
              f"p99 {1000 * latencies[int(len(latencies) * 0.99)]:6.2f} ms (synchronous=FULL)")
        print(f"search 10,500 messages: first (builds the index) {1000 * first_search:7.1f} ms, "
              f"later {1000 * later_search:6.2f} ms, {len(hits)} hits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
