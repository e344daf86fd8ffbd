"""Locking and unlocking leave the app exactly as trustworthy as before: after each unlock the chat
is ready to type in, keyboard focus is in a widget on screen, and what is typed on a page changes
that page's data and nothing else (every row of the vault compared, decrypted, before and after).
The whole app, offscreen, on the starter model and a real vault."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.datadir import data_dir
from app.ui.journal.entry_editor import AUTOSAVE_MS
from app.ui.shell.window import CHAT, JOURNAL, MODELS, SETTINGS, AppWindow
from tests.ui.shell.test_app_window import (
    PASSPHRASE,
    first_run,
    open_window,
    send,
    windows,
)

__all__ = ["windows"]  # the fixture, shared with the whole-app tests
MARK = "FOCUSMARK"
Rows = dict[tuple[str, str], dict[str, object]]


def vault_rows(qtbot: QtBot, window: AppWindow) -> Rows:
    """Every sealed row of the window's vault, decrypted, read on the vault's own thread."""
    vault = window.vault
    assert vault is not None
    answers: list[Rows] = []
    window.vault_jobs.submit(
        lambda: {(row.table, row.id): row.payload for row in vault.dump().rows}, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    return answers[0]


def lock_and_unlock(qtbot: QtBot, window: AppWindow) -> None:
    window.lock()
    assert not window.is_unlocked
    qtbot.waitUntil(window.unlock.passphrase.isEnabled, timeout=10_000)
    qtbot.keyClicks(window.unlock.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=30_000)


def test_after_unlocking_keys_reach_only_the_page_on_screen(qtbot: QtBot,
                                                             windows: list[AppWindow]) -> None:
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    window.activateWindow()
    send(qtbot, window, "Say hello.")
    journal = window.journal.entries.editor
    window.show_page(JOURNAL)
    qtbot.keyClicks(journal.text, "Walked by the river.")
    qtbot.waitUntil(lambda: journal.entry_id is not None, timeout=10_000)

    targets: dict[int, Callable[[], QLineEdit | QPlainTextEdit]] = {
        CHAT: lambda: window.chat.composer.editor,
        JOURNAL: lambda: journal.text,
        MODELS: lambda: window.models.search_tab.query,
        SETTINGS: lambda: window.settings_page.token_box.token_edit,  # type: ignore[union-attr]
    }
    for page, target_of in targets.items():
        # What turned typing into a hidden entry: the keyboard in the journal when locking.
        window.show_page(JOURNAL)
        journal.text.setFocus()
        qtbot.waitUntil(journal.text.hasFocus)
        lock_and_unlock(qtbot, window)

        assert window.nav.currentRow() == CHAT
        qtbot.waitUntil(lambda: window.chat.composer.is_ready, timeout=10_000)
        focused = QApplication.focusWidget()
        assert focused is window.chat.composer.editor, "the chat is ready to type in"
        qtbot.waitUntil(lambda: journal.entry_id is not None, timeout=10_000)  # reloaded
        before = vault_rows(qtbot, window)

        window.show_page(page)
        window.models.show_section("search")
        target = target_of()
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
        focused = QApplication.focusWidget()
        assert focused is target and focused.isVisible()
        qtbot.keyClick(focused, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(focused, MARK)  # where a keyboard's keys go: to the focus widget
        qtbot.wait(AUTOSAVE_MS * 3)  # a save of what was typed would have happened by now
        after = vault_rows(qtbot, window)

        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        if page == JOURNAL:
            assert {key[0] for key in changed} == {"journal_entries"}
            assert [after[key]["text"] for key in changed] == [f"Walked by the river.{MARK}"]
        else:
            assert changed == set(), f"typing on page {page} changed the vault"
        shown = target.toPlainText() if isinstance(target, QPlainTextEdit) else target.text()
        assert shown.endswith(MARK)
        if page != JOURNAL:
            target.clear()


def test_a_conversations_cache_is_sealed_on_lock_and_going_back_after_unlock_is_quick(
        qtbot: QtBot, windows: list[AppWindow]) -> None:
    """Lock seals the kept KV caches to the data folder, where nothing of the conversation can be
    read; after unlocking, going back to it restores its cache instead of evaluating it again."""
    window = open_window(qtbot, windows)
    first_run(qtbot, window)
    chat = window.chat
    send(qtbot, window, f"Remember the {MARK}: the keeper lights the lamp at dusk.")
    first = chat.session.conversation
    assert first is not None
    chat.session.new_conversation()
    send(qtbot, window, "Say hello.")
    lock_and_unlock(qtbot, window)
    sealed = list((data_dir() / "kv-states").glob("*.kv"))
    assert len(sealed) == 2, "both conversations' caches, sealed"
    for path in data_dir().rglob("*"):
        if path.is_file():
            assert MARK.encode() not in path.read_bytes(), path

    qtbot.waitUntil(lambda: chat.session.conversation is not None, timeout=10_000)  # the newest
    chat.session.open_conversation(first.id)
    qtbot.waitUntil(lambda: chat.session.conversation is not None
                    and chat.session.conversation.id == first.id, timeout=10_000)
    back = send(qtbot, window, "Thank you.")
    assert back.stats["evaluated_tokens"] < 30 < back.stats["prompt_tokens"]
