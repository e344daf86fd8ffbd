"""The Settings page's box for the conversations' kept caches (issue 16): how much of the disk their
sealed copies may use, how much they use now, and clearing them. The limit is kept in the vault
(app/chat/sealed_spill.py), so the box reads and saves it on the vault's thread; the caches
themselves belong to the engine's thread, which it asks through the EngineHost."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.chat.sealed_spill import disk_budget, set_disk_budget
from app.errors import MiniGiantsError
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.icons import icon
from app.ui.common.input_guard import wheel_never
from app.ui.common.sizes import GIB, size_text
from app.ui.common.widgets import buddy_label, while_alive, wrapping_label
from app.vault.store import Vault

MOST_GIB = 1024
_ABOUT = ("Mini-Giants keeps the model's place in each conversation, so going back to one reads "
          "only what is new instead of the whole conversation again. When the app closes or the "
          "vault locks, these caches are sealed on disk with your vault's key; they hold your "
          "conversations in another form and are never written unencrypted.")


class KeptCachesBox(QGroupBox):
    def __init__(self, jobs: TaskThread, vault: Vault, engine: EngineHost) -> None:
        super().__init__("Going back to conversations")
        self._jobs = jobs
        self._vault = vault
        self._engine = engine
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(0, MOST_GIB)
        self.budget_spin.setSuffix(" GiB")
        self.budget_spin.setSpecialValueText("None: evaluate again after a restart")
        self.budget_spin.setAccessibleName("Disk space for kept conversation caches")
        self.budget_spin.setKeyboardTracking(False)
        self.budget_spin.setEnabled(False)  # until the stored limit is read
        wheel_never(self.budget_spin)  # scrolling the page must not delete caches
        self.usage_label = wrapping_label("")
        self.usage_label.setAccessibleName("Disk space the kept caches use")
        self.clear_button = QPushButton(icon("delete"), "C&lear kept caches")
        self.clear_button.setAccessibleName("Clear the kept conversation caches")
        self.message_label = wrapping_label()

        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_label(_ABOUT))
        form = QFormLayout()
        form.addRow(buddy_label("Keep on disk &at most:", self.budget_spin), self.budget_spin)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.usage_label, 1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        layout.addWidget(self.message_label)

        engine.worker.kept_usage.connect(self._show_usage)
        self.clear_button.clicked.connect(self._clear)
        jobs.submit(lambda: disk_budget(vault), while_alive(self, self._show_budget),
                    while_alive(self, self._show_error), what="reading the kept caches' limit")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._engine.report_usage()  # the caches change with every conversation left

    def _show_budget(self, budget: int) -> None:
        self.budget_spin.setValue(round(budget / GIB))
        self.budget_spin.setEnabled(True)
        self.budget_spin.valueChanged.connect(self._change_budget)

    def _change_budget(self, gib: int) -> None:
        budget = gib * GIB
        self._engine.set_disk_budget(budget)  # kept to at once, the oldest removed first
        vault = self._vault
        self._jobs.submit(lambda: set_disk_budget(vault, budget),
                          while_alive(self, lambda _: self.message_label.clear()),
                          while_alive(self, self._show_error), what="saving the kept caches' limit")

    def _clear(self) -> None:
        self._engine.clear_kept()
        self.message_label.setText("Cleared. Going back to a conversation reads it once again.")

    def _show_usage(self, used: int) -> None:
        self.usage_label.setText(f"Sealed caches on disk now: {size_text(used)}."
                                 if used else "No sealed caches on disk now.")
        self.clear_button.setEnabled(bool(used) or self._engine.is_loaded)

    def _show_error(self, error: MiniGiantsError) -> None:
        self.message_label.setText(error.for_person())
