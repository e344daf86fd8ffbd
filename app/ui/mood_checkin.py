"""The "How are you feeling?" check-in: a 0-10 mood, named emotions with how strong each is, and
a short note. It only gathers the answer and emits it as a CheckinDraft; the page saves it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.journal.feelings import COMMON_EMOTIONS, mood_word
from app.ui.icons import icon
from app.vault.records import Emotion

NEUTRAL_MOOD = 5
DEFAULT_INTENSITY = 50
NAME_LIMIT = 40
NOTE_LIMIT = 280  # a check-in note is a line; longer writing belongs in a journal entry


@dataclass(frozen=True)
class CheckinDraft:
    mood: int
    emotions: tuple[Emotion, ...]
    note: str


class EmotionRow(QWidget):
    """One named emotion: its name, how strong it is (0-100) and a button that removes it."""

    removed = Signal(object)  # this row

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.name_label = QLabel(name)
        self.name_label.setMinimumWidth(90)
        self.intensity_slider = QSlider(Qt.Orientation.Horizontal)
        self.intensity_slider.setRange(0, 100)
        self.intensity_slider.setSingleStep(5)
        self.intensity_slider.setPageStep(10)
        self.intensity_slider.setValue(DEFAULT_INTENSITY)
        self.intensity_slider.setAccessibleName(f"Intensity of {name}")
        self.value_label = QLabel()
        # Wide enough for "100", so the slider does not jump as the number grows.
        self.value_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("100") + 4)
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("delete"))
        self.remove_button.setToolTip(f"Remove {name}")
        self.remove_button.setAccessibleName(f"Remove {name}")
        self.remove_button.setAutoRaise(True)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name_label)
        layout.addWidget(self.intensity_slider, 1)
        layout.addWidget(self.value_label)
        layout.addWidget(self.remove_button)

        self.intensity_slider.valueChanged.connect(self._show_value)
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        self._show_value(self.intensity_slider.value())

    def emotion(self) -> Emotion:
        return Emotion(self.name, self.intensity_slider.value())

    def _show_value(self, value: int) -> None:
        self.value_label.setText(str(value))


class MoodCheckinForm(QWidget):
    submitted = Signal(object)  # CheckinDraft

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("How are you feeling?")
        title_font = QFont(title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setBold(True)
        title.setFont(title_font)

        self.mood_slider = QSlider(Qt.Orientation.Horizontal)
        self.mood_slider.setRange(0, 10)
        self.mood_slider.setPageStep(1)
        self.mood_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.mood_slider.setTickInterval(1)
        self.mood_slider.setAccessibleName("Mood")
        self.mood_label = QLabel()
        self.mood_label.setAccessibleName("Mood in words")
        mood_font = QFont(self.mood_label.font())
        mood_font.setBold(True)
        self.mood_label.setFont(mood_font)
        mood_caption = QHBoxLayout()
        mood_caption.addWidget(_caption("Mood", self.mood_slider))
        mood_caption.addStretch(1)
        mood_caption.addWidget(self.mood_label)
        ends = QHBoxLayout()
        for text, alignment in ((f"0 {mood_word(0)}", Qt.AlignmentFlag.AlignLeft),
                                (f"10 {mood_word(10)}", Qt.AlignmentFlag.AlignRight)):
            end = QLabel(text)
            end.setAlignment(alignment)
            end.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, still readable
            ends.addWidget(end)

        self.emotion_combo = QComboBox()
        self.emotion_combo.setEditable(True)
        self.emotion_combo.addItems(list(COMMON_EMOTIONS))
        # Typing a word and pressing Enter adds it as an emotion, not as a new item of the list.
        self.emotion_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.emotion_combo.setAccessibleName("Emotion name")
        self.emotion_combo.setToolTip("Pick a feeling or type your own word")
        edit = self.emotion_combo.lineEdit()
        assert edit is not None  # an editable combo box always has one
        edit.setMaxLength(NAME_LIMIT)
        edit.setPlaceholderText("Name a feeling…")
        self.add_button = QPushButton("Add")
        self.add_button.setIcon(icon("new"))
        self.add_button.setAccessibleName("Add emotion")
        add_row = QHBoxLayout()
        add_row.addWidget(self.emotion_combo, 1)
        add_row.addWidget(self.add_button)
        self.emotion_hint = QLabel()
        self.emotion_hint.setAccessibleName("Emotion hint")
        self.emotion_hint.setWordWrap(True)
        self.emotion_hint.hide()
        self.emotion_rows_layout = QVBoxLayout()
        self.emotion_rows_layout.setContentsMargins(0, 0, 0, 0)
        self.emotion_rows: list[EmotionRow] = []

        self.note_edit = QLineEdit()
        self.note_edit.setMaxLength(NOTE_LIMIT)
        self.note_edit.setPlaceholderText("A few words about it (optional)")
        self.note_edit.setAccessibleName("Check-in note")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Check-in error")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        self.save_button = QPushButton("Save check-in")
        self.save_button.setIcon(icon("check"))
        self.save_button.setAccessibleName("Save check-in")
        self.save_button.setDefault(True)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(mood_caption)
        layout.addWidget(self.mood_slider)
        layout.addLayout(ends)
        layout.addSpacing(6)
        layout.addWidget(_caption("Emotions, and how strong each is (0-100)",
                                  self.emotion_combo))
        layout.addLayout(add_row)
        layout.addWidget(self.emotion_hint)
        layout.addLayout(self.emotion_rows_layout)
        layout.addSpacing(6)
        layout.addWidget(_caption("Note", self.note_edit))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.error_label)
        layout.addLayout(save_row)
        layout.addStretch(1)

        self.mood_slider.valueChanged.connect(self._show_mood)
        self.add_button.clicked.connect(self.add_typed_emotion)
        # A word picked from the list is added at once; so is a typed one on Enter (the combo box
        # itself reacts to Enter only when the word is one of its items; then this finds the
        # field already emptied and adds nothing more).
        self.emotion_combo.textActivated.connect(lambda _text: self.add_typed_emotion())
        edit.returnPressed.connect(self.add_typed_emotion)
        self.note_edit.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        self.reset()

    # -- the page's side ------------------------------------------------------------------------

    def draft(self) -> CheckinDraft:
        return CheckinDraft(mood=self.mood_slider.value(),
                            emotions=tuple(row.emotion() for row in self.emotion_rows),
                            note=self.note_edit.text().strip())

    def reset(self) -> None:
        """Back to an empty form: a neutral mood, no emotions, no note, no message."""
        self.mood_slider.setValue(NEUTRAL_MOOD)
        self._show_mood(NEUTRAL_MOOD)
        for row in list(self.emotion_rows):
            self._remove_row(row)
        self._clear_typed_name()
        self.note_edit.clear()
        self._hint("")
        self.error_label.clear()
        self.error_label.hide()

    def set_busy(self, busy: bool) -> None:
        """While the page saves, Save is off so one check-in is not saved twice."""
        self.save_button.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "Save check-in")

    def show_error(self, text: str) -> None:
        self.error_label.setText(f"⚠ {text}")
        self.error_label.show()

    # -- the person's side ----------------------------------------------------------------------

    def add_emotion(self, name: str) -> bool:
        """Adds a row for `name`; refused (with a word why) when it is empty or already listed."""
        name = " ".join(name.split())
        if not name:
            return False
        if any(row.name.casefold() == name.casefold() for row in self.emotion_rows):
            self._hint(f"“{name}” is already listed.")
            return False
        row = EmotionRow(name)
        row.removed.connect(self._remove_row)
        self.emotion_rows.append(row)
        self.emotion_rows_layout.addWidget(row)
        self._hint("")
        return True

    def add_typed_emotion(self) -> None:
        if self.add_emotion(self.emotion_combo.currentText()):
            self._clear_typed_name()
            # Straight on to how strong it is: the next thing a person sets.
            self.emotion_rows[-1].intensity_slider.setFocus()

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        # A word typed but not yet added is surely meant to be part of the check-in (and one
        # already listed is in it anyway).
        pending = self.emotion_combo.currentText()
        if pending.strip():
            self.add_emotion(pending)
            self._clear_typed_name()
            self._hint("")
        self.error_label.hide()
        self.submitted.emit(self.draft())

    def _remove_row(self, row: EmotionRow) -> None:
        self.emotion_rows.remove(row)
        self.emotion_rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._hint("")

    def _show_mood(self, mood: int) -> None:
        self.mood_label.setText(f"{mood} · {mood_word(mood)}")

    def _clear_typed_name(self) -> None:
        self.emotion_combo.setCurrentIndex(-1)
        self.emotion_combo.setEditText("")

    def _hint(self, text: str) -> None:
        self.emotion_hint.setText(text)
        self.emotion_hint.setVisible(bool(text))


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
