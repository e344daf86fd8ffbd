"""Crash safety: a writer killed with SIGKILL at random moments, also while a reply streams in,
never loses a committed message or committed reply text, and never leaves a damaged file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.vault.keys import KdfParams
from app.vault.store import Vault

KILLS = 50
WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_writers_lose_nothing_committed(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        conversation_id = vault.conversations.create("Crash test").id
    committed: dict[str, int] = {}  # message id → how much of its text was committed
    chance = random.Random(20261121)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}

    def record(lines: str) -> None:
        for line in lines.splitlines():
            assert len(line.split()) == 2, repr(line)
            message_id, length = line.split()
            committed[message_id] = int(length)

    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), "pw", conversation_id],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        assert writer.stdout is not None
        first = writer.stdout.readline()  # it is writing
        assert first, writer.stderr.read() if writer.stderr else "writer printed nothing"
        time.sleep(chance.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        record(first + rest)

        with Vault.open(path) as vault:
            vault.unlock("pw")
            assert vault.check().integrity == ("ok",)
            stored = {message.id: message.text
                      for message in vault.conversations.messages(conversation_id)}
        missing = set(committed) - set(stored)
        assert not missing, f"{len(missing)} committed messages lost"
        shortened = [i for i, length in committed.items() if len(stored[i]) < length]
        assert not shortened, f"{len(shortened)} replies lost text that was committed"

    with Vault.open(path) as vault:
        vault.unlock("pw")
        assert vault.check().ok
