"""`minigiants journal ...` as separate processes, on a real vault."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.export import PLAINTEXT_WARNING
from app.vault.keys import KdfParams
from app.vault.store import Vault

PASSPHRASE = "correct horse"
def run(*args: str, home: Path, passphrase: str | None = PASSPHRASE,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIGIANTS_")}
    env["MINIGIANTS_HOME"] = str(home)
    if passphrase is not None:
        env["MINIGIANTS_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "app.cli", "journal", *args], capture_output=True,
                          text=True, env=env, input=stdin if stdin is not None else "",
                          timeout=120)


@pytest.fixture
def home(private_home: Path, kdf: KdfParams) -> Path:
    """A data folder with an empty vault whose key settings are quick to unlock."""
    Vault.create(private_home / "vault.db", PASSPHRASE, kdf=kdf).close()
    return private_home


def test_add_list_show_and_checkin(home: Path) -> None:
    added = run("add", "--title", "River", "--tags", "walk, calm", "--day", "2020-01-02",
                "Long walk by the river.", home=home)
    assert added.returncode == 0, added.stderr
    river = added.stdout.strip()
    assert "2020-01-02" in added.stderr
    piped = run("add", "--day", "2020-01-01", home=home,
                stdin="Called mum.\nShe sounded well.\n")
    assert piped.returncode == 0, piped.stderr
    call = piped.stdout.strip()

    checkin = run("checkin", "7", "--emotion", "calm=60", "--emotion", "tired=20",
                  "--note", "After the walk.", "--day", "2020-01-02", "--entry", river,
                  home=home)
    assert checkin.returncode == 0, checkin.stderr
    assert "7/10" in checkin.stderr
    assert run("checkin", "4", home=home).returncode == 0  # today, no emotions

    listing = run("list", home=home)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    river_day = lines.index("2020-01-02  mood 7")
    assert lines[river_day + 1] == f"  {river}  River  [walk, calm]"
    assert lines[river_day + 2] == "2020-01-01"
    assert lines[river_day + 3] == f"  {call}  Called mum."
    assert river_day == 1 and lines[0].endswith("mood 4"), "today's check-in comes first"

    days = json.loads(run("list", "--json", home=home).stdout)
    assert [day["day"] for day in days][1:] == ["2020-01-02", "2020-01-01"]
    assert days[1]["entries"][0]["tags"] == ["walk", "calm"]
    assert days[1]["checkins"][0]["emotions"] == [["calm", 60], ["tired", 20]]

    shown = run("show", river, home=home)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("# River\n")
    assert "mood 7/10 · calm 60, tired 20 · After the walk." in shown.stdout
    assert "Long walk by the river." in shown.stdout
    shown_json = json.loads(run("show", call, "--json", home=home).stdout)
    assert shown_json["text"] == "Called mum.\nShe sounded well." and shown_json["checkins"] == []

    assert b"river" not in (home / "vault.db").read_bytes().lower()


def test_export_writes_a_private_markdown_file_once(home: Path, tmp_path: Path) -> None:
    assert run("add", "--day", "2020-01-01", "Slept badly.", home=home).returncode == 0
    assert run("checkin", "3", "--emotion", "anxious=80", home=home).returncode == 0
    with Vault.open(home / "vault.db") as vault:
        vault.unlock(PASSPHRASE)
        vault.thought_records.add(situation="The meeting was moved without telling me.",
                                  distortions=["personalising"], status="complete", step="rerate")

    out = tmp_path / "journal.md"
    exported = run("export", "--format", "md", str(out), home=home)
    assert exported.returncode == 0, exported.stderr
    assert PLAINTEXT_WARNING in exported.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert PLAINTEXT_WARNING in text and "Slept badly." in text
    assert "## Mood history" in text and "mood 3/10 · anxious 80%" in text
    assert "## Thought records" in text and "The meeting was moved without telling me." in text
    assert "Personalising" in text

    again = run("export", "--format", "md", str(out), home=home)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert out.read_text(encoding="utf-8") == text, "the first export is left as it was"


def test_mistakes_are_clear_messages(home: Path) -> None:
    wrong = run("list", home=home, passphrase="wrong")
    assert wrong.returncode == 2 and "does not unlock" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    for args, message in ((("checkin", "11"), "A mood must be a whole number from 0 to 10"),
                          (("checkin", "5", "--emotion", "sad=150"), "An emotion's intensity"),
                          (("add", "--day", "18.11.2026", "Text"), "The day must be a date"),
                          (("show", "nope"), "There is no journal entry"),
                          (("checkin", "5", "--entry", "nope"), "There is no journal entry")):
        result = run(*args, home=home)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr

    empty = run("add", home=home, stdin="\n")
    assert empty.returncode == 2 and "empty; nothing was saved" in empty.stderr
    shape = run("checkin", "5", "--emotion", "sad", home=home)
    assert shape.returncode == 2 and "NAME=INTENSITY" in shape.stderr
    assert json.loads(run("list", "--json", home=home).stdout) == [], "nothing was saved"
