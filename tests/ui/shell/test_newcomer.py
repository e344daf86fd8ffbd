"""The first minutes of a person new to the app, on the whole window and the starter model: what they
type right after choosing a model reaches the message box; a long conversation title does not
squeeze the conversation list; a new conversation says what to do and what the model is good
for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.hub.starter import STARTER_GOOD_FOR
from app.ui.shell.welcome import STARTER
from app.ui.shell.window import AppWindow
from tests.ui.shell.test_app_window import (
    LOAD,
    REPLY,
    create_vault,
    first_run,
    open_window,
    send,
    windows,
)

__all__ = ["windows"]  # the fixture, shared with the whole-app tests

LONG_TITLE = ("Planning the summer trip with my sister, her two children and the dog, "
              "through the mountains and along the coast")


def test_typing_right_after_choosing_the_model_reaches_the_message_box(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    window.activateWindow()
    create_vault(qtbot, window)
    window.welcome.choice_buttons[STARTER].click()
    editor = window.chat.composer.editor
    # No click into the box: the keyboard is there, while the model may still be loading.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor, timeout=LOAD)
    qtbot.keyClicks(QApplication.focusWidget(), "Say hello.")
    assert editor.toPlainText() == "Say hello."
    qtbot.waitUntil(lambda: window.chat.composer.is_ready, timeout=LOAD)
    assert QApplication.focusWidget() is editor, "kept when the model is ready"
    with qtbot.waitSignal(window.chat.reply_finished, timeout=REPLY):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert editor.toPlainText() == ""


def test_a_long_title_does_not_squeeze_the_conversation_list(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    sidebar = window.chat.sidebar
    qtbot.waitUntil(lambda: sidebar.isVisible())
    narrow = window.minimumSizeHint().width()  # as small as a person may make it
    window.resize(narrow, 650)
    qtbot.waitUntil(lambda: window.width() == narrow)
    search = sidebar.search_field
    widths_before = sidebar.width(), search.width()
    send(qtbot, window, "Hi.")
    conversation = window.chat.session.conversation
    assert conversation is not None
    sidebar.rename_requested.emit(conversation.id, LONG_TITLE)
    qtbot.waitUntil(lambda: sidebar.conversations.count() == 1
                    and LONG_TITLE in sidebar.conversations.item(0).toolTip(), timeout=10_000)
    QApplication.processEvents()

    assert window.width() == narrow, "the window did not grow to fit the title"
    assert sidebar.width() >= widths_before[0], "the list keeps its room"
    assert search.width() >= widths_before[1], "and its search box (it read 'Sea…')"
    assert not sidebar.conversations.horizontalScrollBar().isVisible()
    title = window.chat.title_label
    assert title.toolTip() == LONG_TITLE, "the whole title is one hover away"
    assert title.geometry().right() < window.chat.model_bar.geometry().left()


def test_a_new_conversation_says_what_to_do_and_what_the_model_is_good_for(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    note = window.chat.view.empty_note
    qtbot.waitUntil(note.isVisible)
    text = note.text()
    assert "SmolLM2-135M-Instruct" in text and "is ready" in text
    assert STARTER_GOOD_FOR in text and "press Enter" in text
    send(qtbot, window, "Say hello.")
    assert not note.isVisible(), "gone once the conversation has begun"
    window.chat.session.new_conversation()
    assert note.isVisible()
