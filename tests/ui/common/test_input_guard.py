"""The app-wide input rules (app/ui/common/input_guard.py), with real widgets offscreen: the wheel
scrolls a page and changes only the input that has focus, never a security setting; keyboard focus
and keys never end up in a widget that is not on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.preferences import Preferences
from app.ui.settings.page import SettingsPage
from app.vault.store import Vault
from tests.ui.conftest import SLOW


def wheel(widget: QWidget, notches: int) -> None:
    """What a mouse wheel turned over the middle of `widget` sends (down is negative)."""
    middle = QPointF(widget.rect().center())
    event = QWheelEvent(middle, QPointF(widget.mapToGlobal(middle.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def value_of(widget: QWidget) -> int:
    return widget.currentIndex() if isinstance(widget, QComboBox) else widget.value()  # type: ignore[attr-defined]


@pytest.fixture
def settings(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, private_home: Path,
             engine_host: EngineHost, api_host: ApiHost) -> SettingsPage:
    page = SettingsPage(Preferences(auto_lock_minutes=10), data_folder=private_home,
                        vault_jobs=vault_jobs, vault=vault, engine=engine_host,
                         api=api_host)
    qtbot.addWidget(page)
    page.resize(700, 300)  # shorter than its content: the page scrolls
    page.show()
    qtbot.waitUntil(lambda: page.token_box.status_label.text() == "No token saved.", timeout=SLOW)
    return page


def test_the_wheel_scrolls_settings_instead_of_changing_them(settings: SettingsPage,
                                                            qtbot: QtBot) -> None:
    changed: list[Preferences] = []
    settings.preferences_changed.connect(changed.append)
    (scroll,) = settings.findChildren(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    for unfocused in (settings.auto_lock_spin, settings.theme_combo, settings.threads_spin):
        scroll.ensureWidgetVisible(unfocused)
        assert not unfocused.hasFocus()
        value = value_of(unfocused)
        position = bar.value()
        wheel(unfocused, 2 if position > 0 else -2)  # up, unless already at the top
        assert value_of(unfocused) == value
        assert bar.value() != position, "the page scrolled instead"
    assert changed == []

    # Clicked into (focused): an ordinary input takes the wheel, the auto-lock still does not.
    settings.threads_spin.setFocus()
    qtbot.waitUntil(settings.threads_spin.hasFocus)
    before = settings.threads_spin.value()
    wheel(settings.threads_spin, 1)
    assert settings.threads_spin.value() == before + 1
    settings.auto_lock_spin.setFocus()
    qtbot.waitUntil(settings.auto_lock_spin.hasFocus)
    wheel(settings.auto_lock_spin, -1)
    assert settings.auto_lock_spin.value() == 10
    assert all(preferences.auto_lock_minutes == 10 for preferences in changed)
    qtbot.keyClick(settings.auto_lock_spin, Qt.Key.Key_Down)  # deliberate input still works
    assert settings.auto_lock_spin.value() == 9


def test_focus_and_keys_never_stay_in_a_hidden_page(qtbot: QtBot) -> None:
    """Qt's stacked pages hand focus back to the widget a page had last; when that one has been
    disabled meanwhile, the focus stays where it was, on the page now hidden (how typed text went
    into a hidden journal entry)."""
    window = QWidget()
    first_field = QLineEdit()
    hidden_editor = QPlainTextEdit()
    stack = QStackedWidget()
    for inner in (first_field, hidden_editor):
        page = QWidget()
        QVBoxLayout(page).addWidget(inner)
        stack.addWidget(page)
    visible_field = QLineEdit()
    layout = QVBoxLayout(window)
    layout.addWidget(stack)
    layout.addWidget(visible_field)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    first_field.setFocus()
    stack.setCurrentIndex(1)
    hidden_editor.setFocus()
    qtbot.waitUntil(hidden_editor.hasFocus)
    first_field.setEnabled(False)
    stack.setCurrentIndex(0)

    focused = QApplication.focusWidget()
    assert focused is not None and focused.isVisible()
    qtbot.keyClicks(hidden_editor, "typed")  # keys aimed at the hidden editor
    assert hidden_editor.toPlainText() == ""
    assert visible_field.text() == "typed"

    hidden_editor.setFocus()  # a hidden page taking the focus for itself
    assert QApplication.focusWidget() is visible_field
