"""The model manager page's status line: what just happened, or what went wrong and what to do
next, in words (never a traceback). Every tab reports through it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.errors import MiniGiantsError


class StatusLine(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        # Selectable, so a person can copy a message into a search or a bug report.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Model manager status")

    def inform(self, text: str) -> None:
        self.setText(text)

    def report(self, error: MiniGiantsError) -> None:
        self.inform(f"⚠ {error.for_person()}")
