"""Benchmark (not a test) of the whole desktop app, offscreen, with a real vault and the real
engine on the starter model:

1. cold start: a new `minigiants` process until the unlock screen takes a passphrase;
2. unlock to usable chat, without the key derivation (Argon2id, ~0.5 s on purpose): the GUI's
   unlock minus the time its `Vault.unlock` call took, for a vault of 51 conversations;
3. the longest event-loop stall while the engine streams a reply at full speed (gaps between
   ticks of a 5 ms timer; target <= 30 ms), with the reply saved as it streams;
4. opening a 1,000-message conversation (decrypt + render), then scrolling it to the top.
The view alone is measured by bench_conversation_view.py.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_gui"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from tests.bench.bench_conversation_view import QUESTIONS, REPLIES

PASSPHRASE = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]

COLD_START = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
def ready():
    from app.ui.shell.window import AppWindow
    windows = [w for w in app.topLevelWidgets() if isinstance(w, AppWindow) and w.isVisible()]
    if windows and windows[0].unlock.passphrase.isEnabled():
        print(time.time(), flush=True)
        app.quit()
poll = QTimer(interval=1)
poll.timeout.connect(ready)
poll.start()
from app.ui.shell.application import run_app
run_app(sys.argv)
"""


def cold_start(home: Path, runs: int) -> list[float]:
    env = {**os.environ, "MINIGIANTS_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    times = []
    for _ in range(runs):
        started = time.time()
        shown = subprocess.run([sys.executable, "-c", COLD_START], env=env, cwd=ROOT,
                               capture_output=True, text=True, check=True, timeout=120)
        times.append(float(shown.stdout.split()[-1]) - started)
    return times


def fill_vault(vault_file: Path) -> str:
    """50 conversations of 20 messages and one of 1,000; returns the long one's id."""
    from app.vault.store import Vault

    with Vault.create(vault_file, PASSPHRASE) as vault:
        long = vault.conversations.create("A long conversation")
        for number in range(1000):
            text = QUESTIONS[number // 2 % 4] if number % 2 == 0 else REPLIES[number // 2 % 4]
            vault.conversations.add_message(long.id, "user" if number % 2 == 0 else "assistant",
                                            text)
        for conversation in range(50):
            made = vault.conversations.create(f"Conversation {conversation}")
            for number in range(20):
                vault.conversations.add_message(
                    made.id, "user" if number % 2 == 0 else "assistant",
                    REPLIES[number % 4] if number % 2 else QUESTIONS[number % 4])
        return long.id


def wait_until(app: QApplication, condition: Callable[[], bool], timeout: float = 120) -> None:
    """Runs the event loop as the app would (sleeping while idle, not spinning, which would
    take the interpreter and a core from the engine) until `condition` holds."""
    loop = QEventLoop()
    check = QTimer(interval=10)
    check.timeout.connect(lambda: condition() and loop.quit())
    check.start()
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    if not condition():
        loop.exec()
    check.stop()
    if not condition():
        raise TimeoutError("the app did not get there in time")


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


class Stalls:
    """The gaps between ticks of a 5 ms timer: how long the event loop could not run."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._probe = QTimer(interval=5)
        self._probe.timeout.connect(lambda: self.gaps.append(self._clock.restart()))
        self._clock.start()
        self._probe.start()

    def stop(self) -> list[float]:
        self._probe.stop()
        return sorted(self.gaps)


def run_for(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def timing_unlocks() -> list[float]:
    """Records how long each `Vault.unlock` (the key derivation, nearly all of it) takes where
    the app calls it, on its vault thread."""
    from app.vault.store import Vault

    durations: list[float] = []
    unlock = Vault.unlock

    def timed(vault: Vault, passphrase: str) -> None:
        started = time.perf_counter()
        unlock(vault, passphrase)
        durations.append(time.perf_counter() - started)

    Vault.unlock = timed  # type: ignore[method-assign]
    return durations


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        os.environ["MINIGIANTS_HOME"] = str(home)
        from app.datadir import vault_path
        from app.ui.common.preferences import Preferences
        from app.ui.shell.window import AppWindow

        long_id = fill_vault(vault_path())
        starts = cold_start(home, runs=5)
        unlocks = timing_unlocks()

        window = AppWindow(Preferences(context_length=4096))
        window.show()
        wait_until(app, lambda: window.unlock.passphrase.isEnabled())
        window.unlock.passphrase.setText(PASSPHRASE)
        chat = window.chat
        shown_at: list[float] = []
        chat.shown.connect(lambda: shown_at.append(time.perf_counter()))
        after_unlock = Stalls()
        started = time.perf_counter()
        window.unlock.unlock_button.click()
        wait_until(app, lambda: bool(shown_at))
        to_conversation = shown_at[0] - started
        kdf = unlocks[0]
        wait_until(app, lambda: chat.composer.is_ready)
        to_model = time.perf_counter() - started
        run_for(app, 1.5)  # the search index is built meanwhile
        unlock_stall = after_unlock.stop()

        # Streaming at full speed into a new conversation; the probe timer measures stalls.
        chat.session.new_conversation()
        settle(app)
        finished: list[object] = []
        chat.reply_finished.connect(finished.append)
        streaming = Stalls()
        chat.session.turns.send(
            "Write a long story about a lighthouse keeper and a storm, in many paragraphs.")
        wait_until(app, lambda: bool(finished))
        gaps = streaming.stop()
        reply = finished[0]
        stats = reply.stats  # type: ignore[attr-defined]

        # A 1,000-message conversation from the vault, then scrolled to the top.
        started = time.perf_counter()
        chat.session.open_conversation(long_id)
        wait_until(app, lambda: len(chat.session.messages) == 1000
                   and chat.view.rendered_text() != "")
        settle(app)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        while chat.view.earlier_button.isVisible():
            chat.view.show_earlier()
            settle(app)
        scrolled = time.perf_counter() - started
        window.close()

    print(f"cold start to the unlock screen: median {1000 * statistics.median(starts):.0f} ms "
          f"(runs: {', '.join(f'{1000 * s:.0f}' for s in starts)})")
    print(f"unlock to the conversation shown: {1000 * to_conversation:.0f} ms, of which the key "
          f"derivation {1000 * kdf:.0f} ms -> {1000 * (to_conversation - kdf):.0f} ms without it")
    print(f"unlock to the composer ready (first model load included): {1000 * to_model:.0f} ms; "
          f"longest event-loop stall from unlocking until the search index is built: "
          f"{max(unlock_stall):.0f} ms")
    print(f"streaming {stats['completion_tokens']} tokens at {stats['decode_tokens_per_s']:.0f} "
          f"tokens/s: longest event-loop stall {max(gaps):.0f} ms, p99 "
          f"{gaps[int(len(gaps) * 0.99)]:.0f} ms, median {statistics.median(gaps):.0f} ms "
          f"(5 ms probe)")
    print(f"1,000-message conversation: opened (decrypt + newest 50 rendered) in "
          f"{1000 * opened:.0f} ms; scrolled to the top (all 1,000 rendered) in "
          f"{1000 * scrolled:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
