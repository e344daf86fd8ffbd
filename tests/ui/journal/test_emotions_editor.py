"""The shared emotions editor offscreen (mood check-in and thought record): feelings added by
button, Enter and from the list, duplicates and empty words refused with a reason, a typed word
taken on moving on, and saved emotions shown without counting as an edit."""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.journal.emotions_editor import EmotionsEditor
from app.vault.records import Emotion

W = TypeVar("W", bound=QWidget)


def named(parent: QWidget, kind: type[W], name: str) -> W:
    found = [child for child in parent.findChildren(kind) if child.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} {kind.__name__} named {name!r}"
    return found[0]


@pytest.fixture
def editor(qtbot: QtBot) -> EmotionsEditor:
    shown = EmotionsEditor()
    qtbot.addWidget(shown)
    shown.resize(400, 300)
    shown.show()
    return shown


def name_field(editor: EmotionsEditor) -> tuple[QComboBox, QLineEdit]:
    combo = named(editor, QComboBox, "Emotion name")
    typed = combo.lineEdit()
    assert typed is not None and combo.currentText() == ""
    return combo, typed


def click(qtbot: QtBot, editor: EmotionsEditor, name: str) -> None:
    qtbot.mouseClick(named(editor, QAbstractButton, name), Qt.MouseButton.LeftButton)


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen popups: no window manager
def test_feelings_are_added_by_button_by_enter_and_from_the_list(
        editor: EmotionsEditor, qtbot: QtBot, qapp: QApplication) -> None:
    combo, typed = name_field(editor)
    edits: list[None] = []
    editor.changed.connect(lambda: edits.append(None))
    qtbot.keyClicks(typed, "anxious")
    click(qtbot, editor, "Add emotion")
    assert qapp.focusWidget() is named(editor, QSlider, "Intensity of anxious")  # next to set
    qtbot.keyClicks(typed, "  worn   out ")  # any word will do; spaces tidied
    qtbot.keyClick(typed, Qt.Key.Key_Return)
    assert combo.currentText() == ""

    # The arrow keys open the list rather than adding each word they step on; Enter picks.
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert editor.emotions() == (Emotion("anxious", 50), Emotion("worn out", 50))
    assert combo.view().isVisible()
    for _ in range(2):
        qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    # Nor does the mouse wheel add what it scrolls onto.
    wheel = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    qapp.sendEvent(combo, wheel)

    named(editor, QSlider, "Intensity of anxious").setValue(70)
    assert editor.emotions() == (Emotion("anxious", 70), Emotion("worn out", 50),
                                 Emotion("grateful", 50))
    assert combo.currentText() == ""
    assert len(edits) == 4  # three added, one moved


def test_a_feeling_listed_already_or_no_word_is_refused_with_a_reason(
        editor: EmotionsEditor, qtbot: QtBot, qapp: QApplication) -> None:
    combo, typed = name_field(editor)
    hint = named(editor, QLabel, "Emotion hint")
    assert not hint.isVisible()
    qtbot.keyClicks(typed, "Relieved")
    qtbot.keyClick(typed, Qt.Key.Key_Return)
    with qtbot.assertNotEmitted(editor.changed):
        qtbot.keyClicks(typed, "relieved ")
        click(qtbot, editor, "Add emotion")
    assert editor.emotions() == (Emotion("Relieved", 50),)
    assert hint.isVisible() and "“Relieved” is already in your list" in hint.text()
    assert qapp.focusWidget() is named(editor, QSlider, "Intensity of Relieved")  # change it there

    combo.clearEditText()
    with qtbot.assertNotEmitted(editor.changed):
        click(qtbot, editor, "Add emotion")
        qtbot.keyClick(typed, Qt.Key.Key_Return)
    assert "type one first" in hint.text()
    with qtbot.waitSignal(editor.changed, timeout=1000):
        click(qtbot, editor, "Remove Relieved")
    assert editor.emotions() == () and not hint.isVisible()


def test_a_word_typed_but_not_added_is_taken_once(editor: EmotionsEditor, qtbot: QtBot) -> None:
    combo, typed = name_field(editor)
    editor.take_typed()
    assert editor.emotions() == ()
    qtbot.keyClicks(typed, "tired")
    with qtbot.waitSignal(editor.changed, timeout=1000):
        editor.take_typed()
    qtbot.keyClicks(typed, "TIRED")
    editor.take_typed()  # already listed: it is in there anyway, and nothing is said
    assert editor.emotions() == (Emotion("tired", 50),)
    assert combo.currentText() == "" and not named(editor, QLabel, "Emotion hint").isVisible()


def test_saved_feelings_are_shown_as_they_were_and_clear_forgets_them(
        editor: EmotionsEditor, qtbot: QtBot) -> None:
    saved = (Emotion("hurt", 60), Emotion("<b>angry</b>", 35))
    editor.add_emotion("sad")
    with qtbot.assertNotEmitted(editor.changed):
        editor.set_emotions(saved)
    assert editor.emotions() == saved
    assert named(editor, QSlider, "Intensity of hurt").value() == 60
    (shown_name,) = [label for label in editor.findChildren(QLabel)
                     if label.text() == "<b>angry</b>"]
    assert shown_name.textFormat() == Qt.TextFormat.PlainText  # a typed word, shown as typed
    assert "35 %" in [label.text() for label in editor.findChildren(QLabel)]
    with qtbot.waitSignal(editor.changed, timeout=1000):
        named(editor, QSlider, "Intensity of hurt").setValue(65)
    named(editor, QComboBox, "Emotion name").setEditText("calm")
    with qtbot.assertNotEmitted(editor.changed):
        editor.clear()
    assert editor.emotions() == () and editor.findChildren(QSlider) == []
    assert named(editor, QComboBox, "Emotion name").currentText() == ""


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_listed_word_added_by_clicking_add_is_added_once_without_a_complaint(
        editor: EmotionsEditor, qtbot: QtBot, qapp: QApplication) -> None:
    """Clicking the button takes the focus from the field first; the combo box then adds a word
    of its list by itself, and the click finds the field empty."""
    combo, typed = name_field(editor)
    editor.window().activateWindow()
    typed.setFocus()
    qtbot.waitUntil(typed.hasFocus)
    qtbot.keyClicks(typed, "calm")
    assert combo.findText("calm") != -1, "a word of the list"
    click(qtbot, editor, "Add emotion")
    assert editor.emotions() == (Emotion("calm", 50),)
    assert not named(editor, QLabel, "Emotion hint").isVisible()
    assert qapp.focusWidget() is named(editor, QSlider, "Intensity of calm")

    click(qtbot, editor, "Add emotion")  # again, with nothing typed: now that is said
    assert "type one first" in named(editor, QLabel, "Emotion hint").text()
