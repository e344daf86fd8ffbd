"""The "How are you feeling?" check-in: a 0-10 mood, named emotions with how strong each is, and
a short note. It only gathers the answer and emits it as a CheckinDraft; the page saves it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.journal.feelings import mood_word
from app.ui.common.icons import icon
from app.ui.common.widgets import buddy_label
from app.ui.journal.emotions_editor import EmotionsEditor
from app.vault.records import Emotion

NEUTRAL_MOOD = 5
NOTE_LIMIT = 280  # a check-in note is a line; longer writing belongs in a journal entry


@dataclass(frozen=True)
class CheckinDraft:
    mood: int
    emotions: tuple[Emotion, ...]
    note: str


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
        mood_caption.addWidget(buddy_label("Mood", self.mood_slider))
        mood_caption.addStretch(1)
        mood_caption.addWidget(self.mood_label)
        ends = QHBoxLayout()
        for text, alignment in ((f"0 {mood_word(0)}", Qt.AlignmentFlag.AlignLeft),
                                (f"10 {mood_word(10)}", Qt.AlignmentFlag.AlignRight)):
            end = QLabel(text)
            end.setAlignment(alignment)
            end.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, still readable
            ends.addWidget(end)

        self.emotions_editor = EmotionsEditor()

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
        layout.addWidget(buddy_label("Emotions, and how strong each is (0-100)",
                                  self.emotions_editor))
        layout.addWidget(self.emotions_editor)
        layout.addSpacing(6)
        layout.addWidget(buddy_label("Note", self.note_edit))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.error_label)
        layout.addLayout(save_row)
        layout.addStretch(1)

        self.mood_slider.valueChanged.connect(self._show_mood)
        self.note_edit.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        self.reset()

    # -- the page's side ------------------------------------------------------------------------

    def draft(self) -> CheckinDraft:
        return CheckinDraft(mood=self.mood_slider.value(),
                            emotions=self.emotions_editor.emotions(),
                            note=self.note_edit.text().strip())

    def reset(self) -> None:
        """Back to an empty form: a neutral mood, no emotions, no note, no message."""
        self.mood_slider.setValue(NEUTRAL_MOOD)
        self._show_mood(NEUTRAL_MOOD)
        self.emotions_editor.clear()
        self.note_edit.clear()
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

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.emotions_editor.take_typed()
        self.error_label.hide()
        self.submitted.emit(self.draft())

    def _show_mood(self, mood: int) -> None:
        self.mood_label.setText(f"{mood} · {mood_word(mood)}")
