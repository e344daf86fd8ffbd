"""Where a message is written: Enter sends, Shift+Enter starts a new line; Send turns into Stop
while a reply streams; when no message can be sent, the box says why. While a model loads the
person may already type (a newcomer types right after choosing one): only sending waits."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget

READY_HINT = "Write a message. Enter sends, Shift+Enter starts a new line."


class _MessageEdit(QPlainTextEdit):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = _MessageEdit()
        self.editor.setAccessibleName("Message")
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(120)
        self.send_button = QPushButton("Send")
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Enter)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the reply")
        self.stop_button.setToolTip("Stop the reply (Esc)")
        self.stop_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.editor, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.editor.submitted.connect(self._send)
        self.send_button.clicked.connect(self._send)
        self.stop_button.clicked.connect(self.stop_requested)
        self._ready = False
        self._focus_when_enabled = False
        self.set_unavailable("Loading…")

    def take_focus(self) -> None:
        """The keyboard to the message box: now, or as soon as it takes input again."""
        if self.editor.isEnabled():
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._focus_when_enabled = True

    def set_ready(self) -> None:
        self._ready = True
        self.editor.setReadOnly(False)
        self._enable_editor()
        self.editor.setPlaceholderText(READY_HINT)
        self.send_button.setEnabled(True)
        self.send_button.setToolTip("Send (Enter)")
        self.send_button.show()
        self.stop_button.hide()

    def set_waiting(self, reason: str) -> None:
        """Typing, but no sending yet (the model is loading), and `reason` in the empty box."""
        self.set_unavailable(reason)
        self._enable_editor()

    def set_unavailable(self, reason: str) -> None:
        """No sending, and `reason` in the box (what is typed so far stays)."""
        self._ready = False
        # Disabling the box would move the keyboard elsewhere; it comes back with the box.
        self._focus_when_enabled |= self.editor.hasFocus()
        self.editor.setEnabled(False)
        self.editor.setPlaceholderText(reason)
        self.send_button.setEnabled(False)
        self.send_button.setToolTip(reason)
        self.stop_button.hide()
        self.send_button.show()

    def set_streaming(self) -> None:
        """A reply is coming: typing the next message is fine, sending it is not yet."""
        self._ready = False
        self._enable_editor()
        self.send_button.hide()
        self.stop_button.show()

    def _enable_editor(self) -> None:
        self.editor.setEnabled(True)
        if self._focus_when_enabled and self.editor.isVisible():
            self._focus_when_enabled = False
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def is_ready(self) -> bool:
        return self._ready

    def clear(self) -> None:
        self.editor.clear()

    def _send(self) -> None:
        text = self.editor.toPlainText().strip()
        if not self._ready or not text:
            return
        self.editor.clear()
        self.send_requested.emit(text)
