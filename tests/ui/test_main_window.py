"""The minimal window, offscreen with real widgets and the real engine on its worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.engine import SamplingOptions
from app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, starter_path: Path) -> Iterator[MainWindow]:
    shown = MainWindow(str(starter_path), SamplingOptions(temperature=0, max_tokens=300))
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.composer.isEnabled(), timeout=30_000)
    yield shown
    shown.shut_down()


def test_window_shows_the_model_and_chats(window: MainWindow, qtbot: QtBot) -> None:
    assert "Smollm2" in window.model_label.text() and "Q4_1" in window.model_label.text()
    qtbot.keyClicks(window.composer, "Say hello.")
    with qtbot.waitSignal(window.reply_finished, timeout=60_000):
        qtbot.keyClick(window.composer, "\r")
    transcript = window.transcript.toPlainText()
    assert "You: Say hello." in transcript
    reply = transcript.split("Assistant: ", 1)[1].strip()
    assert reply
    assert "tokens/s" in window.status_label.text()
    assert window.composer.isEnabled()


def test_stop_ends_the_reply_and_the_window_stays_usable(window: MainWindow, qtbot: QtBot) -> None:
    window.composer.setText("Write a very long story about a dragon.")
    window.send()
    assert not window.composer.isEnabled()
    qtbot.waitUntil(lambda: len(window.transcript.toPlainText().split("Assistant: ", 1)[1]) > 20,
                    timeout=30_000)
    with qtbot.waitSignal(window.reply_finished, timeout=30_000):
        window.stop_button.click()
    assert "stopped" in window.status_label.text()
    assert window.composer.isEnabled()
