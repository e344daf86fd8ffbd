"""The Settings page's two boxes that work on the vault itself: the Hugging Face access token kept
sealed in it, and changing its passphrase. Both reach the vault only through the jobs thread it
lives on."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.errors import MiniGiantsError
from app.hub.access_token import forget_token, masked, store_token, stored_token
from app.ui.common.background import TaskThread
from app.ui.common.icons import icon
from app.ui.common.passphrase_fields import PassphraseFields
from app.ui.common.widgets import buddy_label, while_alive, wrapping_label
from app.vault.errors import VaultLocked, WrongPassphrase
from app.vault.store import Vault


class TokenBox(QGroupBox):
    """The Hugging Face access token, kept sealed in the vault."""

    def __init__(self, jobs: TaskThread, vault: Vault) -> None:
        super().__init__("Hugging Face access token")
        self._jobs = jobs
        self._vault = vault
        self._busy = True
        self._stored = False
        self.status_label = wrapping_label("Checking for a saved token…")
        self.status_label.setAccessibleName("Saved access token")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("hf_…")
        self.token_edit.setAccessibleName("New Hugging Face access token")
        self.save_button = QPushButton(icon("check"), "Sa&ve token")
        self.save_button.setAccessibleName("Save the access token")
        self.forget_button = QPushButton(icon("delete"), "Fo&rget token")
        self.forget_button.setAccessibleName("Forget the saved access token")
        self.message_label = wrapping_label()

        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_label(
            "Only gated or private models need one. It is kept encrypted in your vault and sent "
            "only to Hugging Face."))
        layout.addWidget(self.status_label)
        form = QFormLayout()
        form.addRow(buddy_label("Acc&ess token:", self.token_edit), self.token_edit)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)

        self.token_edit.textChanged.connect(self._enable_buttons)
        self.token_edit.returnPressed.connect(self._save)
        self.save_button.clicked.connect(self._save)
        self.forget_button.clicked.connect(self._forget)
        self._enable_buttons()
        jobs.submit(lambda: stored_token(vault.settings), while_alive(self, self._show_stored),
                    while_alive(self, self._show_error), what="reading the saved access token")

    def _enable_buttons(self) -> None:
        self.save_button.setEnabled(not self._busy and bool(self.token_edit.text().strip()))
        self.forget_button.setEnabled(not self._busy and self._stored)

    def _start(self) -> None:
        self._busy = True
        self.message_label.clear()
        self._enable_buttons()

    def _save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self._start()
        token, vault = self.token_edit.text(), self._vault
        self._jobs.submit(lambda: store_token(vault.settings, token),
                          while_alive(self, self._on_saved), while_alive(self, self._show_error),
                          what="saving the access token")

    def _forget(self) -> None:
        self._start()
        vault = self._vault
        self._jobs.submit(lambda: forget_token(vault.settings),
                          while_alive(self, self._on_forgotten),
                          while_alive(self, self._show_error),
                          what="forgetting the access token")

    def _on_saved(self, token: str) -> None:
        self.token_edit.clear()
        self._show_stored(token)
        self.message_label.setText("Saved; downloads and searches use it from now on.")

    def _on_forgotten(self, _: None) -> None:
        self._show_stored(None)
        self.message_label.setText("Forgotten; it is no longer in the vault.")

    def _show_stored(self, token: str | None) -> None:
        self._busy = False
        self._stored = token is not None
        self.status_label.setText(f"Saved token: {masked(token)}" if token is not None
                                  else "No token saved.")
        self._enable_buttons()

    def _show_error(self, error: MiniGiantsError) -> None:
        self._busy = False
        self.message_label.setText(error.for_person())
        self._enable_buttons()


class PassphraseBox(QGroupBox):
    """Changing the vault passphrase: the current one must unlock the vault first."""

    def __init__(self, jobs: TaskThread, vault: Vault) -> None:
        super().__init__("Change passphrase")
        self._jobs = jobs
        self._vault = vault
        self._busy = False
        self.current_edit = QLineEdit()
        self.current_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.current_edit.setAccessibleName("Current passphrase")
        self.new_fields = PassphraseFields()
        self.change_button = QPushButton(icon("lock"), "Change pa&ssphrase")
        self.change_button.setAccessibleName("Change the passphrase")
        self.message_label = wrapping_label()
        self.message_label.setAccessibleName("Passphrase change result")

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(buddy_label("C&urrent passphrase:", self.current_edit), self.current_edit)
        layout.addLayout(form)
        layout.addWidget(self.new_fields)
        row = QHBoxLayout()
        row.addWidget(self.change_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.message_label)

        self.current_edit.textChanged.connect(self._enable_button)
        self.new_fields.changed.connect(self._enable_button)
        self.new_fields.confirm_edit.returnPressed.connect(self._change)
        self.change_button.clicked.connect(self._change)
        self._enable_button()

    def _enable_button(self) -> None:
        self.change_button.setEnabled(
            not self._busy and bool(self.current_edit.text()) and self.new_fields.acceptable)

    def _change(self) -> None:
        if not self.change_button.isEnabled():
            return
        current, new, vault = self.current_edit.text(), self.new_fields.passphrase, self._vault
        if new == current:
            self.message_label.setText("The new passphrase is the same as the current one.")
            return

        def change() -> None:
            if vault.is_locked:  # unlocking here would open the vault behind the lock screen
                raise VaultLocked()
            vault.unlock(current)  # raises WrongPassphrase; the vault stays unlocked either way
            vault.change_passphrase(new)

        self._busy = True
        self._enable_button()
        self.message_label.setText("Checking the current passphrase…")
        self._jobs.submit(change, while_alive(self, self._on_changed),
                          while_alive(self, self._on_failed), what="changing the passphrase")

    def _on_changed(self, _: None) -> None:
        self._busy = False
        self.current_edit.clear()
        self.new_fields.clear()
        self.message_label.setText("Passphrase changed. Use the new one to unlock from now on.")
        self._enable_button()

    def _on_failed(self, error: MiniGiantsError) -> None:
        self._busy = False
        self.message_label.setText(error.for_person())
        if isinstance(error, WrongPassphrase):
            self.current_edit.selectAll()
            self.current_edit.setFocus()
        self._enable_button()
