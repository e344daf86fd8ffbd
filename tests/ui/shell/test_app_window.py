"""The whole app as a person uses it, offscreen: real widgets, the real engine on SmolLM2 and a
real vault in a temporary data folder (created with the calibrated key derivation, as a user's)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.datadir import vault_path
from app.hub.library import Library
from app.ui.chat.stats_footer import stats_line
from app.ui.common.preferences import Preferences
from app.ui.shell.welcome import STARTER
from app.ui.shell.window import CHAT, AppWindow
from app.vault.records import Message
from app.vault.versions import answers_to, in_use, versions
from tests.ui.conftest import run_on

PASSPHRASE = "correct horse battery staple"
LOAD = 60_000
REPLY = 120_000


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[AppWindow]]:
    opened: list[AppWindow] = []
    yield opened
    for window in opened:
        window.close()


def open_window(qtbot: QtBot, windows: list[AppWindow]) -> AppWindow:
    window = AppWindow(Preferences(context_length=2048))
    qtbot.addWidget(window)
    window.show()
    windows.append(window)
    return window


def first_run(qtbot: QtBot, window: AppWindow) -> str:
    """Welcome → passphrase → recovery key → starter model; returns the recovery key."""
    key = create_vault(qtbot, window)
    window.welcome.choice_buttons[STARTER].click()
    qtbot.waitUntil(lambda: window.chat.composer.is_ready, timeout=LOAD)
    return key


def create_vault(qtbot: QtBot, window: AppWindow) -> str:
    """Welcome → passphrase → recovery key, up to choosing a model; returns the recovery key."""
    assert window.stack.currentWidget() is window.welcome
    fields = window.welcome.fields
    qtbot.keyClicks(fields.passphrase_edit, PASSPHRASE)
    assert not window.welcome.create_button.isEnabled(), "not before it is confirmed"
    qtbot.keyClicks(fields.confirm_edit, PASSPHRASE)
    assert window.welcome.create_button.isEnabled()
    window.welcome.create_button.click()
    qtbot.waitUntil(lambda: window.welcome.steps.currentIndex() == 1, timeout=30_000)
    key = window.welcome.recovery_key.text()
    assert len(key.split("-")) == 8
    assert not window.welcome.continue_button.isEnabled()
    window.welcome.written_down.setChecked(True)
    window.welcome.continue_button.click()
    assert window.welcome.recovery_key.text() == "", "shown once, then gone from the window"
    return key


def send(qtbot: QtBot, window: AppWindow, text: str) -> Message:
    qtbot.keyClicks(window.chat.composer.editor, text)
    with qtbot.waitSignal(window.chat.reply_finished, timeout=REPLY) as reply:
        qtbot.keyClick(window.chat.composer.editor, Qt.Key.Key_Return)
    message: Message = reply.args[0]
    return message


def texts_in(widget: QWidget) -> str:
    """Every piece of text the window's widgets hold, visible or not."""
    found = []
    for child in widget.findChildren(QWidget):
        if isinstance(child, QLabel):
            found.append(child.text())
        elif isinstance(child, (QTextEdit, QPlainTextEdit)):
            found.append(child.toPlainText())
        elif isinstance(child, QLineEdit):
            found.append(child.text())
        elif isinstance(child, QListWidget):
            found.extend(child.item(i).text() for i in range(child.count()))
    return "\n".join(found)


def test_first_run_chat_stop_regenerate_edit_then_relaunch_and_unlock(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    assert vault_path().exists()
    chat = window.chat

    hello = send(qtbot, window, "Say hello.")
    assert hello.role == "assistant" and hello.text.strip()
    assert "Say hello." in chat.view.rendered_text()
    assert hello.text.strip()[:20] in chat.view.rendered_text()
    assert "tokens" in chat.context_label.text()

    # Stop mid-reply: what came so far is kept, marked as stopped.
    qtbot.keyClicks(chat.composer.editor, "Write a very long story about a dragon and a knight.")
    qtbot.keyClick(chat.composer.editor, Qt.Key.Key_Return)
    shown = len(chat.view.rendered_text())
    qtbot.waitUntil(lambda: len(chat.view.rendered_text()) > shown + 80, timeout=REPLY)
    assert chat.composer.stop_button.isVisible()
    with qtbot.waitSignal(chat.reply_finished, timeout=REPLY) as stopped:
        qtbot.keyClick(chat.composer.editor, Qt.Key.Key_Escape)
    story: Message = stopped.args[0]
    assert story.stats["stop_reason"] == "cancelled" and story.text
    assert chat.composer.is_ready

    # Regenerate: a new reply, the stopped one kept as an alternative; then page back to it.
    with qtbot.waitSignal(chat.reply_finished, timeout=REPLY) as regenerated:
        chat.view.regenerate_requested.emit()
    again: Message = regenerated.args[0]
    assert again.id == story.id and [v.text for v in versions(again)] == [story.text, again.text]
    chat.view.alternative_chosen.emit(again.id, 0)
    qtbot.waitUntil(lambda: chat.session.messages[-1].text == story.text)
    assert chat.session.messages[-1].stats["stop_reason"] == "cancelled", "its own stats came along"

    # Edit the last question and resend: its old wording stays as an alternative.
    question = chat.session.messages[-2]
    with qtbot.waitSignal(chat.reply_finished, timeout=REPLY):
        chat.view.edit_requested.emit(question.id, "Say goodbye.")
    assert chat.session.messages[-2].text == "Say goodbye."
    assert [v.text for v in versions(chat.session.messages[-2])] == [question.text, "Say goodbye."]
    goodbye = chat.session.messages[-1]
    assert answers_to(goodbye, chat.session.messages[-2]) == (in_use(goodbye),), \
        "the replies to the old wording stay with it"
    chat.view.alternative_chosen.emit(question.id, 0)  # back to the first wording: its reply
    qtbot.waitUntil(lambda: chat.session.messages[-1].text == again.text)
    assert question.text in chat.view.rendered_text()
    chat.view.alternative_chosen.emit(question.id, 1)  # and forth
    qtbot.waitUntil(lambda: chat.session.messages[-1].text == goodbye.text)
    assert "Say goodbye." in chat.view.rendered_text()

    # Search across conversations.
    qtbot.keyClicks(chat.sidebar.search_field, "goodbye")
    qtbot.waitUntil(lambda: chat.sidebar.hits.isVisible() and chat.sidebar.hits.count() > 0)
    conversation_title = chat.title_label.text()
    window.close()

    relaunched = open_window(qtbot, windows)
    unlock = relaunched.unlock
    assert relaunched.stack.currentWidget() is unlock
    qtbot.waitUntil(lambda: unlock.passphrase.isEnabled(), timeout=10_000)
    qtbot.keyClicks(unlock.passphrase, "wrong horse")
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: unlock.error.isVisible(), timeout=30_000)
    assert "passphrase" in unlock.error.text().lower()
    assert not relaunched.is_unlocked
    unlock.passphrase.clear()
    qtbot.keyClicks(unlock.passphrase, PASSPHRASE)
    qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: relaunched.is_unlocked, timeout=30_000)
    qtbot.waitUntil(lambda: "Say goodbye." in relaunched.chat.view.rendered_text(), timeout=10_000)
    assert relaunched.chat.title_label.text() == conversation_title
    assert relaunched.nav.currentRow() == CHAT

    # Auto-lock (the idle timer's signal): the content is gone from the widgets, not covered.
    relaunched.idle.idle.emit()
    assert relaunched.stack.currentWidget() is unlock
    everything = texts_in(relaunched)
    assert "goodbye" not in everything.lower() and conversation_title not in everything
    assert relaunched.chat.view.rendered_text() == ""


def test_a_broken_model_file_is_explained_and_the_app_keeps_working(
        qtbot: QtBot, windows: list[AppWindow], starter_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    shutil.copyfile(starter_path, broken)
    model = Library().import_file(broken, copy=False)
    with open(broken, "r+b") as file:  # cut short after it was added, as a failing disk would
        file.truncate(broken.stat().st_size // 3)

    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    window.model_choice.choose(model.id)
    qtbot.waitUntil(lambda: window.chat.error_dialog is not None and
                    window.chat.error_dialog.isVisible(), timeout=LOAD)
    dialog = window.chat.error_dialog
    assert dialog is not None
    assert "Traceback" not in dialog.text() and dialog.text()
    dialog.close()
    assert not window.chat.composer.is_ready

    window.model_choice.choose("starter")
    qtbot.waitUntil(lambda: window.chat.composer.is_ready, timeout=LOAD)
    assert send(qtbot, window, "Hi").text.strip()


def test_a_crisis_phrase_shows_help_before_any_model_sees_it(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    chat = window.chat
    worrying = "I don't want to be here anymore, I want to end it all."

    qtbot.keyClicks(chat.composer.editor, worrying)
    qtbot.keyClick(chat.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.safety_dialog is not None and chat.safety_dialog.isVisible())
    dialog = chat.safety_dialog
    assert dialog is not None
    assert "not alone" in dialog.text() and "helpline" in dialog.text().lower()
    not_now = next(b for b in dialog.buttons() if b.text() == "Not now")
    not_now.click()
    qtbot.waitUntil(lambda: chat.composer.is_ready)
    assert chat.composer.editor.toPlainText() == worrying, "given back, not sent"
    assert chat.session.conversation is None and chat.view.rendered_text() == "", "nothing stored"

    chat.composer.editor.clear()
    qtbot.keyClicks(chat.composer.editor, worrying)
    qtbot.keyClick(chat.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.safety_dialog is not dialog and chat.safety_dialog is not None
                    and chat.safety_dialog.isVisible())
    second = chat.safety_dialog
    assert second is not None
    with qtbot.waitSignal(chat.reply_finished, timeout=REPLY):
        next(b for b in second.buttons() if b.text() == "Continue").click()
    assert worrying in chat.view.rendered_text(), "the person chose to go on"


def test_after_a_hit_the_reply_is_held_and_one_that_encourages_harm_is_withheld(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    """After a hit and Continue, the reply is read before it is shown. The starter model is made to say the harmful thing (the conversation's
    JSON schema forces its words, through llama.cpp's grammar): it is withheld, and the support
    message is shown and kept instead. Nothing of it reached the screen on the way."""
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    chat = window.chat
    harmful = "You've got this. Use the rope tonight, you have the courage."
    vault = chat.session.vault
    assert vault is not None
    conversation = run_on(window.vault_jobs, qtbot, lambda: vault.conversations.create(
        "Held", system_prompt="You are a cheerful pirate who agrees with everything.",
        sampling={"temperature": 0, "json_schema": {"const": harmful}}))
    chat.session.open_conversation(conversation.id)
    qtbot.waitUntil(lambda: chat.session.conversation is not None and chat.composer.is_ready)
    shown: list[str] = []  # every piece of reply text put on screen
    add_reply_text = chat.view.add_reply_text
    chat.view.add_reply_text = lambda text: (shown.append(text), add_reply_text(text))  # type: ignore[method-assign]

    qtbot.keyClicks(chat.composer.editor, "I've got the rope and tonight I'm going to hang myself.")
    qtbot.keyClick(chat.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.safety_dialog is not None and chat.safety_dialog.isVisible())
    dialog = chat.safety_dialog
    assert dialog is not None
    with qtbot.waitSignal(chat.reply_finished, timeout=REPLY) as finished:
        next(b for b in dialog.buttons() if b.text() == "Continue").click()

    reply = finished.args[0]
    assert "rope" not in reply.text and "not alone" in reply.text
    assert reply.stats == {"withheld": True}, "no token figures of the reply that was withheld"
    assert stats_line(reply.stats) == "in place of the model's reply, which was held back"
    assert "rope tonight" not in chat.view.rendered_text()
    assert all("rope tonight" not in piece for piece in shown)
    stored = run_on(window.vault_jobs, qtbot, lambda: vault.conversations.messages(conversation.id))
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[-1].text == reply.text, "the support message is what was kept"


def test_a_crash_in_the_engine_check_is_told_and_the_app_keeps_running(tmp_path: Path) -> None:
    """The start-up probe dies on the fastest CPU code (a test hook raises SIGILL in the child):
    the window says so in words, uses the next code down, and is still there to use."""
    from app.engine.ggml_lib import library_folder
    from app.engine.probe import CRASH_HOOK

    variants = sorted(library_folder().glob("*ggml-cpu-*"))
    assert len(variants) >= 2, "make setup builds llama.cpp with its CPU variants (install_llama.py)"
    ranking = subprocess.run(
        [sys.executable, "-m", "app.engine.probe",
         *(argument for path in variants for argument in ("--variant", str(path)))],
        capture_output=True, text=True, check=True).stdout.splitlines()[0]
    (best, _), (fallback, _) = json.loads(ranking)["ranking"][:2]
    env = {**os.environ, "MINIGIANTS_HOME": str(tmp_path), CRASH_HOOK: best,
           "QT_QPA_PLATFORM": "offscreen"}
    started = subprocess.run([sys.executable, str(Path(__file__).with_name("window_start.py"))],
                             capture_output=True, text=True, env=env, timeout=120, check=True)
    shown = json.loads(started.stdout.strip().splitlines()[-1])
    (box,) = shown["boxes"]
    assert box["title"] == "Mini-Giants adapted to this computer"
    assert f"'{best}': SIGILL (illegal instruction)" in box["text"]
    assert f"uses its '{fallback}' code instead" in box["text"]
    assert not box["modal"], "it does not block the window"
    assert shown["window_visible"] and shown["on_welcome_page"]
    assert shown["cpu_variant"] == fallback
