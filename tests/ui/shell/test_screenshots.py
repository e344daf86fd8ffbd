"""`minigiants` started as a real process on a real X server (Xvfb), driven by key presses through
xdotool, photographed with ImageMagick: the welcome, a chat with a Markdown and code reply, the
journal (entries, the mood chart, thought records), the model manager and the settings, in both
themes. The pictures go to a temporary folder, or to
MINIGIANTS_SCREENSHOTS (`make screenshots` sets docs/screenshots, which the README shows)."""

from __future__ import annotations

import datetime
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.vault.store import Vault
from tests.vault.conftest import floor_kdf

TOOLS = ("Xvfb", "xdotool", "import", "identify")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs Xvfb, xdotool and ImageMagick (README: Linux prerequisites)")

PASSPHRASE = "correct horse battery staple"
QUESTION = "How do I read a file line by line in Python?"
ANSWER = """Open it with a **`with`** block, so the file is closed even if something fails, and
loop over the file object: it yields one line at a time without reading everything into memory.

```python
from pathlib import Path

with open(Path("notes.txt"), encoding="utf-8") as file:
    for number, line in enumerate(file, start=1):
        print(number, line.rstrip("\\n"))
```

- `rstrip("\\n")` drops the line break at the end of each line.
- For a small file, `Path("notes.txt").read_text().splitlines()` is shorter."""
WIDTH, HEIGHT = 1200, 780


@pytest.fixture
def display() -> Iterator[str]:
    number = 90 + os.getpid() % 100
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{WIDTH}x{HEIGHT}x24",
                               "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MINIGIANTS_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class App:
    """One `minigiants` process on the display, with its own data folder."""

    def __init__(self, display: str, home: Path, theme: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "ui.ini").write_text(
            f"[preferences]\ntheme={theme}\ncontext_length=2048\n"
            f"[window]\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIGIANTS_", "QT_"))}
        env.update(DISPLAY=display, MINIGIANTS_HOME=str(home), HOME=str(home / "user"))
        self.env = env
        self.process = subprocess.Popen([sys.executable, "-m", "app.cli"], env=env,
                                        stderr=subprocess.PIPE, text=True)
        found = self._xdotool("search", "--sync", "--onlyvisible", "--name", "^Mini-Giants$",
                              timeout=60)
        self.window = found.split()[0]
        self._xdotool("windowsize", self.window, str(WIDTH), str(HEIGHT))
        self._xdotool("windowmove", self.window, "0", "0")
        self._xdotool("windowfocus", "--sync", self.window)  # no window manager to activate it

    def _xdotool(self, *args: str, timeout: float = 20) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=True).stdout

    def type(self, text: str) -> None:
        self._xdotool("type", "--delay", "20", text)

    def key(self, *keys: str) -> None:
        self._xdotool("key", *keys)

    def shoot(self, path: Path, settle: float = 1.5) -> Path:
        time.sleep(settle)  # let the last repaint land; the picture is all that is judged here
        subprocess.run(["import", "-window", self.window, str(path)], env=self.env, check=True,
                       timeout=30)
        return path

    def quit(self) -> None:
        self.key("ctrl+q")
        try:
            _, errors = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise
        assert self.process.returncode == 0, errors


def image_size(path: Path) -> tuple[int, int]:
    width, height = subprocess.run(["identify", "-format", "%w %h", str(path)], check=True,
                                   capture_output=True, text=True).stdout.split()
    return int(width), int(height)


def colours(path: Path) -> int:
    return int(subprocess.run(["identify", "-format", "%k", str(path)], check=True,
                              capture_output=True, text=True).stdout)


def vault_with_a_code_answer(home: Path) -> None:
    """A conversation stored as the app stores one: the pictures show how a Markdown and code
    reply renders, which the 135M test model cannot be relied on to write. And five weeks of
    journal, check-ins and thought records, as a person would have them."""
    home.mkdir(parents=True, exist_ok=True)
    with Vault.create(home / "vault.db", PASSPHRASE, kdf=floor_kdf()) as vault:
        conversation = vault.conversations.create("Reading a file in Python")
        vault.conversations.add_message(conversation.id, "user", QUESTION)
        vault.conversations.add_message(
            conversation.id, "assistant", ANSWER, model="SmolLM2 135M Instruct",
            stats={"completion_tokens": 142, "decode_tokens_per_s": 96.4, "stop_reason": "eos"})
        a_journal(vault)


ENTRIES = (
    ("A walk by the river", "walks", "Walked by the river with Sam after work. The light on the "
     "water was lovely and we talked about his new job. I felt lighter afterwards."),
    ("", "work", "The deadline moved again. I kept thinking I'd be blamed for the delay, even "
     "though the supplier was late."),
    ("Slept badly", "sleep", "Woke at four and could not get back to sleep. Read for a while."),
    ("Dinner with Mum", "family", "Cooked her the soup she likes. She laughed at my stories."),
)
EMOTIONS = ("calm", "anxious", "tired", "hopeful", "frustrated", "content")


def a_journal(vault: Vault) -> None:
    chance = random.Random(5)
    today = datetime.date.today()
    for back in range(34, -1, -1):
        day = (today - datetime.timedelta(days=back)).isoformat()
        entry_id = None
        if back % 4 == 0:
            title, tag, text = ENTRIES[back // 4 % len(ENTRIES)]
            entry_id = vault.journal.add(text, title=title, tags=(tag,), day=day).id
        if chance.random() < 0.8 or entry_id:
            mood = max(0, min(10, round(5 + 2.5 * chance.uniform(-1, 1) + (34 - back) / 20)))
            vault.checkins.add(mood, day=day, entry_id=entry_id,
                               emotions=[(chance.choice(EMOTIONS), chance.randrange(30, 90, 10))])
    vault.thought_records.add(
        situation="My manager asked to see me tomorrow and didn't say why.",
        thoughts=[("I'm going to be told off for the project delay.", 80),
                  ("Everyone thinks I'm not good enough.", 60)],
        emotions=[("anxious", 75), ("ashamed", 40)],
        distortions=["fortune_telling", "mind_reading"],
        evidence_for="The project is two weeks late.",
        evidence_against="The delay came from the supplier, and my last review was good. She "
                         "often asks to talk about new work.",
        balanced_thought="I don't know what the meeting is about; if it is the delay, I can "
                         "explain what happened and what I've done since.",
        rerated_beliefs=[(0, 35), (1, 20)], rerated_emotions=[("anxious", 40), ("ashamed", 15)],
        status="complete", step="rerate")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_real_app(display: str, shots: Path, tmp_path: Path, theme: str) -> None:
    welcome_app = App(display, tmp_path / "fresh", theme)
    welcome = welcome_app.shoot(shots / f"welcome-{theme}.png")
    welcome_app.quit()

    home = tmp_path / "used"
    vault_with_a_code_answer(home)
    app = App(display, home, theme)
    app.type(PASSPHRASE)
    app.key("Return")
    chat = app.shoot(shots / f"chat-{theme}.png", settle=8)  # unlock, model load, render
    app.key("ctrl+2")
    journal = app.shoot(shots / f"journal-{theme}.png")
    app.key("alt+m")
    mood = app.shoot(shots / f"mood-{theme}.png")
    app.key("alt+t")
    records = app.shoot(shots / f"thought-records-{theme}.png")
    app.key("ctrl+3")
    models = app.shoot(shots / f"models-{theme}.png", settle=4)
    app.key("ctrl+4")
    settings = app.shoot(shots / f"settings-{theme}.png")
    app.quit()

    pictures = [welcome, chat, journal, mood, records, models, settings]
    for picture in pictures:
        assert image_size(picture) == (WIDTH, HEIGHT)
        assert colours(picture) > 50, f"{picture.name} looks blank"
    contents = {p.read_bytes() for p in pictures}
    assert len(contents) == len(pictures), "each screen looks different"
