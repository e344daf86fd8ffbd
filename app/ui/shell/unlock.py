"""Later runs start here: the passphrase (or the recovery key) unlocks the vault. Key derivation
takes about half a second on purpose, so it runs on the vault's thread while this page shows that
it is working."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.centred import centre


class UnlockPage(QWidget):
    unlock_requested = Signal(str, bool)  # passphrase or recovery key, whether it is the key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>Mini-Giants is locked</h2>")
        explanation = QLabel("Your conversations and journal are encrypted on this computer. "
                             "Enter your passphrase to open them.")
        explanation.setWordWrap(True)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.use_recovery = QPushButton("Forgot it? Use the recovery key")
        self.use_recovery.setAccessibleName("Use the recovery key instead")
        self.use_recovery.setFlat(True)
        self.error = QLabel()
        self.error.setAccessibleName("Unlock error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.busy = QProgressBar(minimum=0, maximum=0, textVisible=False)  # indeterminate
        self.busy.setAccessibleName("Unlocking")
        self.busy.setMaximumHeight(6)
        self.busy.hide()

        box = QWidget()
        column = QVBoxLayout(box)
        for widget in (title, explanation, self.passphrase, self.unlock_button, self.busy,
                       self.error, self.use_recovery):
            column.addWidget(widget)
        centre(self, box, 420)

        self._recovery = False
        self.passphrase.returnPressed.connect(self._unlock)
        self.unlock_button.clicked.connect(self._unlock)
        self.use_recovery.clicked.connect(self._toggle_recovery)

    def _toggle_recovery(self) -> None:
        self._recovery = not self._recovery
        self.passphrase.clear()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Normal if self._recovery
                                    else QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Recovery key, e.g. ABCD-EFGH-…" if self._recovery
                                           else "Passphrase")
        self.passphrase.setAccessibleName("Recovery key" if self._recovery else "Passphrase")
        self.use_recovery.setText("Use the passphrase" if self._recovery
                                  else "Forgot it? Use the recovery key")
        self.error.hide()
        self.passphrase.setFocus()

    def _unlock(self) -> None:
        secret = self.passphrase.text()
        if not secret or self.busy.isVisible():
            return
        self.set_busy(True)
        self.unlock_requested.emit(secret, self._recovery)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.unlock_button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def reset(self) -> None:
        """Ready for the next unlock: nothing typed before stays in the field."""
        self.set_busy(False)
        self.passphrase.clear()
        self.error.hide()
        if self._recovery:
            self._toggle_recovery()
        self.passphrase.setFocus()
