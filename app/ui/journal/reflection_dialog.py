"""The weekly reflection, in a window of its own that does not block the app: "reading your week"
while the model writes, then the reflection, which the person may keep as a journal entry."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

WAITING = "Reading your week… The model runs on this computer; nothing is sent anywhere."
CAVEAT = "Written by the model from your own entries and check-ins; it can be wrong."


class ReflectionDialog(QDialog):
    keep_requested = Signal(str)  # the reflection's text, to keep as a journal entry
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your week")
        self.resize(520, 380)
        self._text = ""
        self.status = QLabel(WAITING)
        self.status.setAccessibleName("Reflection status")
        self.status.setWordWrap(True)
        self.reflection = QTextBrowser()
        self.reflection.setAccessibleName("Weekly reflection")
        self.reflection.setOpenLinks(False)
        buttons = QDialogButtonBox()
        self.keep = QPushButton("Keep in journal")
        self.keep.setAccessibleName("Keep reflection in journal")
        self.keep.setEnabled(False)
        self.stop = QPushButton("Stop")
        self.stop.setAccessibleName("Stop the reflection")
        buttons.addButton(self.keep, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.reflection, 1)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.close)
        self.stop.clicked.connect(self.stop_requested)
        self.keep.clicked.connect(self._keep)

    def show_reflection(self, text: str) -> None:
        self._text = text
        self.status.setText(CAVEAT)
        self.reflection.setPlainText(text)
        self.keep.setEnabled(True)
        self.stop.hide()

    def show_problem(self, text: str) -> None:
        self.status.setText(text)
        self.stop.hide()

    def kept(self) -> None:
        self.keep.setEnabled(False)
        self.keep.setText("Kept in journal")

    def _keep(self) -> None:
        if self._text:
            self.keep.setEnabled(False)
            self.keep_requested.emit(self._text)
