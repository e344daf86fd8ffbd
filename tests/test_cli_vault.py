"""`minigiants vault` and `minigiants conversations`, and `chat --save`, as separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, home: Path, passphrase: str | None = "correct horse",
        new_passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIGIANTS_")}
    env["MINIGIANTS_HOME"] = str(home)
    if passphrase is not None:
        env["MINIGIANTS_PASSPHRASE"] = passphrase
    if new_passphrase is not None:
        env["MINIGIANTS_NEW_PASSPHRASE"] = new_passphrase
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=300)


def test_a_saved_chat_can_be_listed_shown_searched_and_checked(private_home: Path) -> None:
    init = run("vault", "init", "--recovery-key", home=private_home)
    assert init.returncode == 0, init.stderr
    assert len(init.stdout.strip().replace("-", "")) == 32, "the recovery key is printed once"
    assert "nobody can get them back" in init.stderr

    status = run("vault", "lock-status", home=private_home, passphrase=None)
    assert status.returncode == 0 and "Argon2id" in status.stdout
    assert "a recovery key exists" in status.stdout

    chat = run("chat", "--save", "--temperature", "0", "--max-tokens", "16",
               "Help me plan a calm evening.", home=private_home)
    assert chat.returncode == 0, chat.stderr
    conversation_id = chat.stderr.split("Saved in conversation ")[1].split()[0]

    listing = run("conversations", "list", home=private_home)
    assert conversation_id in listing.stdout and "Help me plan a calm evening." in listing.stdout
    shown = run("conversations", "show", conversation_id, home=private_home)
    assert "user: Help me plan a calm evening." in shown.stdout
    assert chat.stdout.strip() in shown.stdout
    found = run("conversations", "search", "calm", home=private_home)
    assert "[calm]" in found.stdout

    check = run("vault", "check", home=private_home)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "file integrity: ok" in check.stdout

    vault_bytes = (private_home / "vault.db").read_bytes()
    assert b"calm evening" not in vault_bytes

    deleted = run("conversations", "delete", conversation_id, home=private_home)
    assert deleted.returncode == 0
    assert conversation_id not in run("conversations", "list", home=private_home).stdout


def test_passphrase_errors_and_change(private_home: Path) -> None:
    assert run("vault", "init", home=private_home).returncode == 0
    wrong = run("conversations", "list", home=private_home, passphrase="wrong")
    assert wrong.returncode == 2 and "does not unlock" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    none = run("conversations", "list", home=private_home, passphrase=None)
    assert none.returncode == 2 and "MINIGIANTS_PASSPHRASE" in none.stderr

    changed = run("vault", "passwd", home=private_home, new_passphrase="battery staple")
    assert changed.returncode == 0, changed.stderr
    assert run("conversations", "list", home=private_home).returncode == 2
    assert run("conversations", "list", home=private_home, passphrase="battery staple").returncode == 0


def test_a_missing_vault_is_explained(private_home: Path) -> None:
    result = run("conversations", "list", home=private_home)
    assert result.returncode == 2 and "No vault was found" in result.stderr
