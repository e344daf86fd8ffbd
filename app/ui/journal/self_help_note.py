"""The journal's note that the app is not a therapist, shown until the person dismisses it (that
it was read is kept in ui.ini, nothing more)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from app.journal.self_help import NOT_A_THERAPIST
from app.ui.common.preferences import ui_settings

NOTE_SEEN = "journal/self_help_note_seen"


def self_help_note() -> QFrame:
    note = QFrame()
    note.setFrameShape(QFrame.Shape.StyledPanel)
    text = QLabel(NOT_A_THERAPIST)
    text.setAccessibleName("Not a therapist")
    text.setWordWrap(True)
    understood = QPushButton("I understand")
    understood.setAccessibleName("Dismiss the note")
    row = QHBoxLayout(note)
    row.addWidget(text, 1)
    row.addWidget(understood, 0, Qt.AlignmentFlag.AlignTop)
    note.setVisible(not bool(ui_settings().value(NOTE_SEEN, False, type=bool)))

    def dismiss() -> None:
        settings = ui_settings()
        settings.setValue(NOTE_SEEN, True)
        settings.sync()
        note.hide()

    understood.clicked.connect(dismiss)
    return note
