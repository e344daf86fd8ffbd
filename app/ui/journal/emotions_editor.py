"""Naming how one feels: emotions picked from a list or typed, each with how strong it is (0-100).
Shared by the mood check-in and the thought record's emotions step, so both behave alike."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.journal.feelings import COMMON_EMOTIONS
from app.ui.common.icons import icon
from app.ui.common.input_guard import wheel_never
from app.ui.common.widgets import discard
from app.vault.records import Emotion

# Keys with which a combo box steps through its items, each step "activating" one.
STEPPING_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
DEFAULT_INTENSITY = 50  # the middle: no suggestion of how strong a feeling should be
NAME_LIMIT = 40  # a feeling is a word or two


class EmotionsEditor(QWidget):
    changed = Signal()  # an emotion added or removed, or its intensity moved

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.emotion_combo = QComboBox()
        self.emotion_combo.setEditable(True)
        self.emotion_combo.addItems(list(COMMON_EMOTIONS))
        # Typing a word and pressing Enter adds it as an emotion, not as a new item of the list.
        self.emotion_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.emotion_combo.setMinimumContentsLength(12)
        self.emotion_combo.setAccessibleName("Emotion name")
        self.emotion_combo.setToolTip("Pick a feeling or type your own word")
        typed = self.emotion_combo.lineEdit()
        assert typed is not None  # an editable combo box always has one
        typed.setMaxLength(NAME_LIMIT)
        typed.setPlaceholderText("Pick or type a feeling")
        self.add_button = QPushButton(icon("new"), "Add emotion")
        self.add_button.setAccessibleName("Add emotion")
        self.hint_label = QLabel()
        self.hint_label.setAccessibleName("Emotion hint")
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what was typed
        self.hint_label.setWordWrap(True)
        self._rows: list[_EmotionRow] = []
        self._rows_column = QVBoxLayout()
        # The combo box also adds a listed word when the field loses focus, e.g. to the Add
        # button, whose click then finds the field empty: that is no reason to complain.
        self._just_added: _EmotionRow | None = None

        adding = QHBoxLayout()
        adding.addWidget(self.emotion_combo, 1)
        adding.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(adding)
        layout.addWidget(self.hint_label)
        layout.addLayout(self._rows_column)
        self.setFocusProxy(self.emotion_combo)  # focusing the editor starts at naming a feeling

        self.add_button.clicked.connect(self._add_clicked)
        # A word picked from the list is added at once; so is a typed one on Enter. The combo box
        # itself reacts to Enter only when the word is one of its items, and then the second of
        # the two finds the field already emptied: nothing more is added, nothing is said.
        self.emotion_combo.textActivated.connect(lambda _text: self._add_typed())
        typed.returnPressed.connect(self._add_typed)
        typed.textEdited.connect(self._forget_added)
        self.emotion_combo.installEventFilter(self)
        wheel_never(self.emotion_combo)
        self.clear()

    def emotions(self) -> tuple[Emotion, ...]:
        return tuple(Emotion(row.name, row.intensity_slider.value()) for row in self._rows)

    def set_emotions(self, emotions: Sequence[Emotion]) -> None:
        """Lists `emotions` exactly as given (a saved record reads back unchanged), in place of
        any listed; no `changed`: nothing was edited."""
        self.clear()
        for name, intensity in emotions:
            self._add_row(name, intensity)

    def add_emotion(self, name: str) -> bool:
        """Lists `name` at the default intensity; refused, with a word why, when it is empty or
        already listed (in any case)."""
        name = " ".join(name.split())
        if not name:
            self._hint("Pick a feeling from the list or type one first.")
            return False
        if (listed := self._row_named(name)) is not None:
            self._hint(f"“{listed.name}” is already in your list; you can change how strong it "
                       "was there.")
            return False
        self._add_row(name, DEFAULT_INTENSITY)
        self._hint("")
        self.changed.emit()
        return True

    def take_typed(self) -> None:
        """A word typed but not yet added is surely meant to be listed (one already listed is
        there anyway): called when the person moves on without pressing Add."""
        self.add_emotion(self.emotion_combo.currentText())
        self._clear_typed()
        self._hint("")

    def clear(self) -> None:
        """No emotions, nothing typed, nothing said; no `changed`."""
        for row in list(self._rows):
            self._drop_row(row)
        self._clear_typed()
        self._hint("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A combo box "activates" every item the arrow keys or the mouse wheel step onto, and
        # here that adds it: the keys open the list instead (to move in it freely and pick with
        # Enter); the wheel never picks (wheel_never, above).
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in STEPPING_KEYS
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.AltModifier)):
            self.emotion_combo.showPopup()
            return True
        return super().eventFilter(watched, event)

    def _add_clicked(self) -> None:
        just_added, self._just_added = self._just_added, None
        if just_added in self._rows and not self.emotion_combo.currentText().strip():
            just_added.intensity_slider.setFocus()
            return
        self._add_typed(explain_empty=True)

    def _forget_added(self) -> None:
        self._just_added = None

    def _add_typed(self, explain_empty: bool = False) -> None:
        name = self.emotion_combo.currentText()
        if not name.strip() and not explain_empty:
            return
        if self.add_emotion(name):
            self._clear_typed()
            self._just_added = self._rows[-1]
            # Straight on to how strong it is: the next thing a person sets.
            self._rows[-1].intensity_slider.setFocus()
        elif (listed := self._row_named(name)) is not None:
            listed.intensity_slider.setFocus()

    def _add_row(self, name: str, intensity: int) -> None:
        row = _EmotionRow(name, intensity)
        row.intensity_slider.valueChanged.connect(self.changed)
        row.remove_button.clicked.connect(lambda: self._remove(row))
        self._rows.append(row)
        self._rows_column.addWidget(row)

    def _remove(self, row: _EmotionRow) -> None:
        self._drop_row(row)
        self._hint("")
        self.emotion_combo.setFocus()  # the removed row had it; keep the keyboard nearby
        self.changed.emit()

    def _drop_row(self, row: _EmotionRow) -> None:
        self._rows.remove(row)
        self._rows_column.removeWidget(row)
        discard(row)  # its own click may be under way

    def _row_named(self, name: str) -> _EmotionRow | None:
        wanted = " ".join(name.split()).casefold()
        return next((row for row in self._rows if row.name.casefold() == wanted), None)

    def _clear_typed(self) -> None:
        self.emotion_combo.setCurrentIndex(-1)
        self.emotion_combo.clearEditText()

    def _hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))


class _EmotionRow(QWidget):
    """One listed emotion: its name, how strong it is and a button that removes it."""

    def __init__(self, name: str, intensity: int) -> None:
        super().__init__()
        self.name = name
        label = QLabel(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a typed word, never markup
        # As wide as the longest offered word, so the sliders of the usual words line up.
        longest = max(COMMON_EMOTIONS, key=label.fontMetrics().horizontalAdvance)
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance(longest) + 8)
        rating, self.intensity_slider = percent_slider(f"Intensity of {name}", intensity)
        label.setBuddy(self.intensity_slider)
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("delete"))
        self.remove_button.setAutoRaise(True)
        self.remove_button.setAccessibleName(f"Remove {name}")
        self.remove_button.setToolTip(f"Remove {name}")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(rating, 1)
        row.addWidget(self.remove_button)


def percent_slider(name: str, value: int) -> tuple[QWidget, QSlider]:
    """A 0-100 slider with its value written beside it, to lay out; the slider, for its signals.
    Also the thought record's belief sliders, so every rating looks and moves the same."""
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setSingleStep(5)
    slider.setPageStep(10)
    slider.setValue(value)
    slider.setAccessibleName(name)
    shown = QLabel(f"{value} %")
    # Wide enough for "100 %", so the slider does not jump as the number grows.
    shown.setMinimumWidth(shown.fontMetrics().horizontalAdvance("100 %") + 4)
    shown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    slider.valueChanged.connect(lambda current: shown.setText(f"{current} %"))
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(slider, 1)
    row.addWidget(shown)
    return holder, slider
