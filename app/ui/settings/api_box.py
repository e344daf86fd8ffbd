"""The Settings page's box for the OpenAI-compatible API: on or off (off unless turned on), its
port, whether it listens, and its key, shown to be copied into a program and renewable. The key
is kept in the vault, so it is read and renewed on the vault's thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.api.api_key import api_key, renew_api_key
from app.errors import MiniGiantsError
from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.input_guard import wheel_never
from app.ui.common.preferences import Preferences
from app.ui.common.widgets import buddy_label, while_alive, wrapping_label
from app.vault.store import Vault

_ABOUT = ("An OpenAI-compatible API (/v1/chat/completions, /v1/completions, /v1/models) so that an "
          "editor, a notes app or a script on this computer can use the model loaded here. It "
          "listens on this computer only (127.0.0.1) while the vault is unlocked, needs the key "
          "below, and keeps nothing of what programs send or receive.")


class ApiBox(QGroupBox):
    changed = Signal(bool, int)  # on, port: for the preferences

    def __init__(self, jobs: TaskThread, vault: Vault, api: ApiHost,
                 preferences: Preferences) -> None:
        super().__init__("Programs on this computer")
        self._jobs = jobs
        self._vault = vault
        self._api = api
        self.enabled_check = QCheckBox("Let &programs on this computer use the loaded model")
        self.enabled_check.setAccessibleName("OpenAI-compatible API for programs on this computer")
        self.enabled_check.setChecked(preferences.api_enabled)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1024, 65535)
        self.port_spin.setValue(preferences.api_port)
        self.port_spin.setAccessibleName("API port")
        self.port_spin.setKeyboardTracking(False)
        wheel_never(self.port_spin)
        self.state_label = wrapping_label(api.state)
        self.state_label.setAccessibleName("API state")
        self.state_label.setTextInteractionFlags(  # the address, to be copied into a program
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key_edit = QLineEdit()
        self.key_edit.setReadOnly(True)
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton("Cop&y key")
        self.copy_button.setAccessibleName("Copy the API key")
        self.renew_button = QPushButton("Re&new key")
        self.renew_button.setAccessibleName("Renew the API key")
        self.message_label = wrapping_label()

        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_label(_ABOUT))
        layout.addWidget(self.enabled_check)
        form = QFormLayout()
        form.addRow(buddy_label("P&ort:", self.port_spin), self.port_spin)
        form.addRow("", self.state_label)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.copy_button)
        key_row.addWidget(self.renew_button)
        form.addRow(buddy_label("API &key:", self.key_edit), key_row)
        layout.addLayout(form)
        layout.addWidget(self.message_label)

        self.enabled_check.toggled.connect(self._changed)
        self.port_spin.valueChanged.connect(self._changed)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.key_edit.text()))
        self.renew_button.clicked.connect(self._renew)
        api.changed.connect(self._show_state)
        jobs.submit(lambda: api_key(vault), while_alive(self, self.key_edit.setText),
                    while_alive(self, self._show_error), what="reading the API key")

    def _changed(self) -> None:
        self.changed.emit(self.enabled_check.isChecked(), self.port_spin.value())

    def _show_state(self) -> None:
        self.state_label.setText(self._api.state)

    def _renew(self) -> None:
        vault = self._vault

        def renewed(key: str) -> None:
            self.key_edit.setText(key)
            self._api.renew(key)
            self.message_label.setText("A new key: programs that have the old one are refused "
                                       "from now on.")

        self._jobs.submit(lambda: renew_api_key(vault), while_alive(self, renewed),
                          while_alive(self, self._show_error), what="renewing the API key")

    def _show_error(self, error: MiniGiantsError) -> None:
        self.message_label.setText(error.for_person())
