"""The data folder is its owner's alone: every start makes what is in it owner-only (files 0600,
folders 0700), and what the app writes afterwards is created that way. Run as separate processes,
as a person starts the app."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.vault.keys import KdfParams
from app.vault.store import Vault

PASSPHRASE = "correct horse"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def minigiants(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIGIANTS_")}
    env.update(MINIGIANTS_HOME=str(home), MINIGIANTS_PASSPHRASE=PASSPHRASE)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], check=False,
                          capture_output=True, text=True, env=env, timeout=120)


def modes(home: Path) -> dict[str, int]:
    """Every file and folder under `home` (links not followed) with its permission bits."""
    found = {".": stat.S_IMODE(home.lstat().st_mode)}
    for folder, folders, files in os.walk(home):
        for name in folders + files:
            path = Path(folder, name)
            if not path.is_symlink():
                found[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_a_start_makes_an_open_data_folder_owner_only(private_home: Path, tmp_path: Path,
                                                       kdf: KdfParams) -> None:
    # What an earlier version, a restored copy or a default umask left behind.
    Vault.create(private_home / "vault.db", PASSPHRASE, kdf=kdf).close()
    (private_home / "ui.ini").write_text("[preferences]\n")
    (private_home / "logs").mkdir()
    (private_home / "logs" / "minigiants.log.1").write_text("an old log\n")
    (private_home / "models" / "someone").mkdir(parents=True)
    (private_home / "models" / "someone" / "model.gguf").write_bytes(b"GGUF")
    for path in private_home.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    private_home.chmod(0o755)
    outside = tmp_path / "outside.txt"  # a link to a file of someone else's: never changed
    outside.write_text("not ours")
    outside.chmod(0o644)
    (private_home / "link.txt").symlink_to(outside)

    started = minigiants("doctor", home=private_home)
    assert started.returncode == 0, started.stderr

    found = modes(private_home)
    assert {"vault.db", "ui.ini", "logs/minigiants.log", "logs/minigiants.log.1",
            "models/someone/model.gguf"} <= set(found)
    opened = {name: oct(mode) for name, mode in found.items()
              if mode != (0o700 if (private_home / name).is_dir() else 0o600)}
    assert opened == {}, "everything in the data folder is its owner's alone"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


def test_what_the_app_writes_is_created_owner_only(private_home: Path, kdf: KdfParams) -> None:
    Vault.create(private_home / "vault.db", PASSPHRASE, kdf=kdf).close()
    (private_home / "vault.db").chmod(0o600)
    everyones = os.umask(0o022)  # a usual desktop umask, passed on: the app must not rely on it
    try:
        added = minigiants("journal", "add", "A private line.", home=private_home)
    finally:
        os.umask(everyones)
    assert added.returncode == 0, added.stderr

    found = modes(private_home)
    assert "logs/minigiants.log" in found
    opened = {name: oct(mode) for name, mode in found.items()
              if mode != (0o700 if (private_home / name).is_dir() else 0o600)}
    assert opened == {}
