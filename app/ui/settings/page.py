"""The Settings page: how the engine runs, how the app looks, privacy and security (auto-lock,
offline mode, the Hugging Face access token, the vault passphrase, the conversations' kept caches,
the API for programs on this computer, the data folder), whose crisis lines the safety net shows,
and what Mini-Giants is.

Changes apply as they are made; there is no Apply button. Each change emits `preferences_changed`
with the whole new Preferences, which the main window saves and applies; the theme is also applied
here at once, so the page shows the choice while it is being made. The vault is only ever touched
through `vault_jobs`, the thread it lives on."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QRegularExpression, QSignalBlocker, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.engine import HardwareReport
from app.journal.safety import INTERNATIONAL, crisis_regions, crisis_resources
from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.icons import icon
from app.ui.common.input_guard import wheel_never
from app.ui.common.preferences import Preferences
from app.ui.common.theme import apply_theme
from app.ui.common.widgets import buddy_label, wrapping_label
from app.ui.settings.about_box import about_section
from app.ui.settings.api_box import ApiBox
from app.ui.settings.kept_caches_box import KeptCachesBox
from app.ui.settings.vault_boxes import PassphraseBox, TokenBox
from app.vault.store import Vault

CONTEXT_LENGTHS = (2048, 4096, 8192, 16384, 32768, 65536, 131072)
CONTEXT_RANGE = (512, 1_048_576)  # what a person may type; the model's own limit is checked at load
_GIB = 1024**3
T = TypeVar("T")
_THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))
_KV_CACHE_TYPES = (
    ("f16", "f16: full precision"),
    ("q8_0", "q8_0: half the memory, nearly the same quality"),
    ("q4_0", "q4_0: a quarter of the memory, some loss of quality"),
)
_GPU_OFF, _GPU_ALL, _GPU_SOME = "off", "all", "some"
_THREADS_NOTE = "Automatic uses one thread per physical core."
_CONTEXT_NOTE = "How much of a conversation the model sees at once; longer needs more memory."
_CRISIS_NOTE = ("Used only to show the right helplines if something you write suggests you may be "
                "in crisis. Nothing is sent anywhere.")
_KV_NOTE = ("The KV cache holds the conversation while the model reads it. llama.cpp can shrink "
            "its V half to q8_0 or q4_0 only with flash attention, so choosing one turns flash "
            "attention on.")


class SettingsPage(QWidget):
    preferences_changed = Signal(object)  # Preferences, after every change the person makes
    lock_requested = Signal()

    def __init__(self, preferences: Preferences, *, data_folder: Path, vault_jobs: TaskThread,
                 vault: Vault, engine: EngineHost, api: ApiHost,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._gpu_usable = True  # until the hardware report says otherwise

        self.token_box = TokenBox(vault_jobs, vault)
        self.passphrase_box = PassphraseBox(vault_jobs, vault)
        self.kept_caches_box = KeptCachesBox(vault_jobs, vault, engine)
        self.api_box = ApiBox(vault_jobs, vault, api, preferences)
        self.api_box.changed.connect(lambda on, port: self._update(api_enabled=on, api_port=port))
        about, self.version_label, self.not_a_therapist_label, self.safety_net_label = \
            about_section()
        content = QWidget()
        column = QVBoxLayout(content)
        for section in (self._engine_section(), self._appearance_section(),
                        self._privacy_section(), self._crisis_section(), self.token_box,
                        self.passphrase_box, self.kept_caches_box, self.api_box,
                        self._data_section(data_folder), about):
            column.addWidget(section)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._set_tab_order()

    @property
    def preferences(self) -> Preferences:
        return self._preferences

    def set_hardware(self, report: HardwareReport) -> None:
        cores = report.physical_cores
        self.threads_note.setText(
            f"This computer has {cores} physical cores ({report.logical_cores} logical); "
            f"automatic uses {cores} threads.")
        engine = report.backends
        self.code_note.setText(" ".join([
            f"llama.cpp's “{engine.cpu_variant}” code: {engine.reason}.", *engine.notices]))
        reason = report.why_no_gpu()
        self._gpu_usable = not reason
        self.gpu_mode_combo.setEnabled(self._gpu_usable)
        self.gpu_mode_combo.setToolTip(reason)
        self._enable_layer_count()
        self.gpu_note.setText(reason or "GPUs it can use: " + "; ".join(
            f"{gpu.description or gpu.name} ({gpu.memory_total / _GIB:.1f} GiB, "
            f"{gpu.memory_free / _GIB:.1f} GiB free)" for gpu in report.gpus))

    # -- sections ---------------------------------------------------------------------------

    def _engine_section(self) -> QGroupBox:
        preferences = self._preferences
        self.threads_spin = _spin(0, 512, preferences.threads, "Threads (0 means automatic)")
        self.threads_spin.setSpecialValueText("Automatic")
        self.threads_note = wrapping_label(_THREADS_NOTE)
        self.code_note = wrapping_label("Checking which of llama.cpp's code suits this processor…")
        self.code_note.setAccessibleName("llama.cpp code for this processor")

        self.gpu_mode_combo = QComboBox()
        self.gpu_mode_combo.setAccessibleName("Model layers on the GPU")
        self.gpu_mode_combo.addItem("None: run on the processor only", _GPU_OFF)
        self.gpu_mode_combo.addItem("All layers", _GPU_ALL)
        self.gpu_mode_combo.addItem("Some layers", _GPU_SOME)
        mode = {0: _GPU_OFF, -1: _GPU_ALL}.get(preferences.gpu_layers, _GPU_SOME)
        self.gpu_mode_combo.setCurrentIndex(self.gpu_mode_combo.findData(mode))
        some = preferences.gpu_layers if preferences.gpu_layers > 0 else 16
        self.gpu_layers_spin = _spin(1, 999, some, "Number of layers on the GPU")
        self.gpu_note = wrapping_label("Checking which GPUs this build of llama.cpp can use…")
        self._enable_layer_count()

        self.context_combo = QComboBox()
        self.context_combo.setEditable(True)
        self.context_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.context_combo.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{1,7}")))
        self.context_combo.setAccessibleName("Context length in tokens")
        self.context_combo.addItems([str(length) for length in CONTEXT_LENGTHS])
        self.context_combo.setCurrentText(str(preferences.context_length))
        self.context_note = wrapping_label(_CONTEXT_NOTE)

        self.flash_check = QCheckBox("Flash &attention")
        self.flash_check.setAccessibleName("Flash attention")
        self.flash_check.setChecked(preferences.flash_attention)
        self.kv_combo = QComboBox()
        self.kv_combo.setAccessibleName("KV cache type")
        for value, text in _KV_CACHE_TYPES:
            self.kv_combo.addItem(text, value)
        self.kv_combo.setCurrentIndex(self.kv_combo.findData(preferences.kv_cache_type))
        self.kv_note = wrapping_label(_KV_NOTE)

        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_mode_combo, 1)
        gpu_row.addWidget(buddy_label("La&yers:", self.gpu_layers_spin))
        gpu_row.addWidget(self.gpu_layers_spin)
        box = QGroupBox("Engine")
        form = QFormLayout(box)
        form.addRow(buddy_label("&Threads:", self.threads_spin), self.threads_spin)
        form.addRow("", self.threads_note)
        form.addRow("Processor code:", self.code_note)
        form.addRow(buddy_label("&GPU layers:", self.gpu_mode_combo), gpu_row)
        form.addRow("", self.gpu_note)
        form.addRow(buddy_label("&Context length:", self.context_combo), self.context_combo)
        form.addRow("", self.context_note)
        form.addRow("", self.flash_check)
        form.addRow(buddy_label("&KV cache:", self.kv_combo), self.kv_combo)
        form.addRow("", self.kv_note)
        form.addRow(wrapping_label("Engine changes apply when a model is next loaded."))

        self.threads_spin.valueChanged.connect(lambda value: self._update(threads=value))
        self.gpu_mode_combo.currentIndexChanged.connect(self._on_gpu_changed)
        self.gpu_layers_spin.valueChanged.connect(self._on_gpu_changed)
        self.context_combo.activated.connect(self._commit_context_length)
        typed = self.context_combo.lineEdit()
        assert typed is not None  # an editable combo box has one
        typed.editingFinished.connect(self._commit_context_length)
        self.flash_check.toggled.connect(self._on_flash_toggled)
        self.kv_combo.currentIndexChanged.connect(self._on_kv_changed)
        return box

    def _appearance_section(self) -> QGroupBox:
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Theme")
        for value, text in _THEMES:
            self.theme_combo.addItem(text, value)
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(self._preferences.theme))
        box = QGroupBox("Appearance")
        form = QFormLayout(box)
        form.addRow(buddy_label("T&heme:", self.theme_combo), self.theme_combo)
        self.theme_combo.currentIndexChanged.connect(self._on_theme_changed)
        return box

    def _privacy_section(self) -> QGroupBox:
        preferences = self._preferences
        self.auto_lock_spin = _spin(0, 1440, preferences.auto_lock_minutes,
                                    "Lock the vault after this many idle minutes (0 means never)")
        self.auto_lock_spin.setSpecialValueText("Never")
        self.auto_lock_spin.setSuffix(" minutes idle")
        wheel_never(self.auto_lock_spin)  # a security setting: changed by deliberate input only
        self.offline_check = QCheckBox("&Offline mode")
        self.offline_check.setAccessibleName("Offline mode")
        self.offline_check.setChecked(preferences.offline)
        self.lock_button = QPushButton(icon("lock"), "Lock &now")
        self.lock_button.setAccessibleName("Lock the vault now")

        box = QGroupBox("Privacy and security")
        form = QFormLayout(box)
        form.addRow(buddy_label("Auto-&lock after:", self.auto_lock_spin), self.auto_lock_spin)
        form.addRow("", self.offline_check)
        form.addRow("", wrapping_label("No network at all: no model search and no downloads, "
                                       "not even when asked for."))
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock_button)
        lock_row.addStretch(1)
        form.addRow("", lock_row)

        self.auto_lock_spin.valueChanged.connect(
            lambda value: self._update(auto_lock_minutes=value))
        self.offline_check.toggled.connect(lambda on: self._update(offline=on))
        self.lock_button.clicked.connect(self.lock_requested)
        return box

    def _crisis_section(self) -> QGroupBox:
        system = crisis_resources()  # the system's region, or the international list
        follow = ("international list" if system.region == INTERNATIONAL
                  else system.region_name)
        self.crisis_region_combo = QComboBox()
        self.crisis_region_combo.setAccessibleName("Crisis support region")
        self.crisis_region_combo.addItem(f"Follow this computer's region ({follow})", "")
        for code, name in crisis_regions():
            self.crisis_region_combo.addItem(name, code)
        # An unknown code (load_preferences guards against it) shows as following the system.
        self.crisis_region_combo.setCurrentIndex(
            max(0, self.crisis_region_combo.findData(self._preferences.crisis_region)))

        box = QGroupBox("Crisis support")
        form = QFormLayout(box)
        form.addRow(buddy_label("Cr&isis support region:", self.crisis_region_combo),
                    self.crisis_region_combo)
        form.addRow("", wrapping_label(_CRISIS_NOTE))
        self.crisis_region_combo.currentIndexChanged.connect(
            lambda: self._update(crisis_region=self.crisis_region_combo.currentData()))
        return box

    def _data_section(self, folder: Path) -> QGroupBox:
        self._data_folder = folder
        self.data_folder_label = QLabel(str(folder))
        self.data_folder_label.setWordWrap(True)
        self.data_folder_label.setAccessibleName("Data folder location")
        self.data_folder_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.open_folder_button = QPushButton("Open &data folder")
        self.open_folder_button.setAccessibleName("Open the data folder")
        self.data_message = wrapping_label()

        box = QGroupBox("Data folder")
        layout = QVBoxLayout(box)
        layout.addWidget(wrapping_label("Your vault, models, settings and log are kept here:"))
        layout.addWidget(self.data_folder_label)
        row = QHBoxLayout()
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.data_message)
        self.open_folder_button.clicked.connect(self._open_data_folder)
        return box

    def _set_tab_order(self) -> None:
        fields = self.passphrase_box.new_fields
        chain: list[QWidget] = [
            self.threads_spin, self.gpu_mode_combo, self.gpu_layers_spin, self.context_combo,
            self.flash_check, self.kv_combo, self.theme_combo, self.auto_lock_spin,
            self.offline_check, self.lock_button, self.crisis_region_combo,
            self.token_box.token_edit,
            self.token_box.save_button, self.token_box.forget_button,
            self.passphrase_box.current_edit, fields.passphrase_edit, fields.confirm_edit,
            fields.show_check, self.passphrase_box.change_button,
            self.kept_caches_box.budget_spin, self.kept_caches_box.clear_button,
            self.api_box.enabled_check, self.api_box.port_spin, self.api_box.key_edit,
            self.api_box.copy_button, self.api_box.renew_button,
            self.data_folder_label,
            self.open_folder_button,
        ]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    # -- changes ----------------------------------------------------------------------------

    def _update(self, **changes: Any) -> None:
        changed = dataclasses.replace(self._preferences, **changes)
        if changed != self._preferences:
            self._preferences = changed
            self.preferences_changed.emit(changed)

    def _enable_layer_count(self) -> None:
        self.gpu_layers_spin.setEnabled(
            self._gpu_usable and self.gpu_mode_combo.currentData() == _GPU_SOME)

    def _on_gpu_changed(self) -> None:
        self._enable_layer_count()
        mode = self.gpu_mode_combo.currentData()
        self._update(gpu_layers={_GPU_OFF: 0, _GPU_ALL: -1}.get(mode, self.gpu_layers_spin.value()))

    def _commit_context_length(self) -> None:
        text = self.context_combo.currentText()
        length = int(text) if text.isdigit() else 0
        low, high = CONTEXT_RANGE
        if not low <= length <= high:
            self.context_note.setText(f"Choose a context length from {low:,} to {high:,} tokens; "
                                      f"it stays at {self._preferences.context_length:,}.")
            self.context_combo.setCurrentText(str(self._preferences.context_length))
            return
        if length != self._preferences.context_length:  # the combo box may report it twice
            self.context_note.setText(_CONTEXT_NOTE)
            self._update(context_length=length)

    def _on_flash_toggled(self, on: bool) -> None:
        if on or self.kv_combo.currentData() == "f16":
            self.kv_note.setText(_KV_NOTE)
            self._update(flash_attention=on)
            return
        with QSignalBlocker(self.kv_combo):
            self.kv_combo.setCurrentIndex(self.kv_combo.findData("f16"))
        self.kv_note.setText("A quantized KV cache needs flash attention, so the cache went back "
                             "to f16.")
        self._update(flash_attention=False, kv_cache_type="f16")

    def _on_kv_changed(self) -> None:
        kv_cache_type = self.kv_combo.currentData()
        if kv_cache_type == "f16" or self.flash_check.isChecked():
            self.kv_note.setText(_KV_NOTE)
            self._update(kv_cache_type=kv_cache_type)
            return
        with QSignalBlocker(self.flash_check):
            self.flash_check.setChecked(True)
        self.kv_note.setText(f"Flash attention was turned on: a {kv_cache_type} cache needs it.")
        self._update(kv_cache_type=kv_cache_type, flash_attention=True)

    def _on_theme_changed(self) -> None:
        theme = self.theme_combo.currentData()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self._update(theme=theme)

    def _open_data_folder(self) -> None:
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._data_folder)))
        self.data_message.setText(
            "" if opened else "No file manager could open it; the path above can be copied.")


def _spin(low: int, high: int, value: int, accessible_name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setAccessibleName(accessible_name)
    spin.setKeyboardTracking(False)  # one change when the typing is done, not one per digit
    return spin
