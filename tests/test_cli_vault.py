"""`minigiants vault` and `minigiants conversations`, and `chat --save`, as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.engine.helpers import long_text


def run(*args: str, home: Path, passphrase: str | None = "correct horse",
        new_passphrase: str | None = None,
        backup_passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIGIANTS_")}
    env["MINIGIANTS_HOME"] = str(home)
    if passphrase is not None:
        env["MINIGIANTS_PASSPHRASE"] = passphrase
    if new_passphrase is not None:
        env["MINIGIANTS_NEW_PASSPHRASE"] = new_passphrase
    if backup_passphrase is not None:
        env["MINIGIANTS_BACKUP_PASSPHRASE"] = backup_passphrase
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


def test_export_backup_and_import_into_another_vault(private_home: Path, tmp_path: Path) -> None:
    other_home = tmp_path / "other-home"
    exports = tmp_path / "exports"
    exports.mkdir()
    assert run("vault", "init", home=private_home).returncode == 0
    chat = run("chat", "--save", "--temperature", "0", "--max-tokens", "8",
               "Name three calm colours.", home=private_home)
    assert chat.returncode == 0, chat.stderr

    markdown = run("vault", "export", "--format", "md", str(exports / "all.md"), home=private_home)
    assert markdown.returncode == 0, markdown.stderr
    assert "not encrypted" in markdown.stderr
    text = (exports / "all.md").read_text()
    assert "### You\n\nName three calm colours." in text and "not encrypted" in text
    as_json = run("vault", "export", "--format", "json", str(exports / "all.json"), home=private_home)
    assert as_json.returncode == 0, as_json.stderr
    again = run("vault", "export", "--format", "json", str(exports / "all.json"), home=private_home)
    assert again.returncode == 2 and "already exists" in again.stderr

    backup = run("vault", "export", "--format", "backup", str(exports / "all.mgbackup"),
                 home=private_home, backup_passphrase="backup words")
    assert backup.returncode == 0, backup.stderr
    copy = run("vault", "backup", str(exports / "copy.db"), home=private_home, passphrase=None)
    assert copy.returncode == 0, copy.stderr

    assert run("vault", "init", home=other_home, passphrase="other words").returncode == 0
    wrong = run("vault", "import", str(exports / "all.mgbackup"), home=other_home,
                passphrase="other words", backup_passphrase="correct horse")
    assert wrong.returncode == 2 and "does not open this backup" in wrong.stderr
    imported = run("vault", "import", str(exports / "all.mgbackup"), home=other_home,
                   passphrase="other words", backup_passphrase="backup words")
    assert imported.returncode == 0, imported.stderr
    assert "conversations          1 added" in imported.stdout
    from_copy = run("vault", "import", str(exports / "copy.db"), home=other_home,
                    passphrase="other words", backup_passphrase="correct horse")
    assert from_copy.returncode == 0, from_copy.stderr
    assert "conversations          0 added        1 already here" in from_copy.stdout

    listing = run("conversations", "list", home=other_home, passphrase="other words")
    assert "Name three calm colours." in listing.stdout
    missing = run("vault", "import", str(exports / "nothing.mgbackup"), home=other_home,
                  passphrase="other words", backup_passphrase="backup words")
    assert missing.returncode == 2 and "No such file" in missing.stderr


def test_a_saved_conversation_continues_from_its_sealed_cache_in_a_new_process(
        private_home: Path) -> None:
    """Each `chat --conversation` is a new process, as after a restart of the app: the cache the
    last turn sealed comes back, so only the new turn is evaluated; it is on disk only sealed, and
    deleting the conversation deletes it."""
    assert run("vault", "init", home=private_home).returncode == 0
    marker = "lighthouse keeper's secret"
    flags = ("--json", "--temperature", "0", "--max-tokens", "8", "--seed", "1")
    first = run("chat", *flags, "--save", f"Remember the {marker}. Then: {long_text(300)}",
                home=private_home)
    assert first.returncode == 0, first.stderr
    opened = json.loads(first.stdout)
    assert opened["stats"]["evaluated_tokens"] > 300
    sealed = list((private_home / "kv-states").iterdir())
    assert len(sealed) == 1 and marker.encode() not in sealed[0].read_bytes()

    again = run("chat", *flags, "--conversation", opened["conversation"], "Thanks.",
                home=private_home)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["stats"]["evaluated_tokens"] < 40

    assert run("conversations", "delete", opened["conversation"], home=private_home
               ).returncode == 0
    assert list((private_home / "kv-states").iterdir()) == []
