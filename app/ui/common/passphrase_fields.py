"""Choosing a new vault passphrase: the passphrase, the same again to confirm it, a live strength
meter with a hint, and a line that says why it cannot be used yet. Used where a vault is created
and where its passphrase is changed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.widgets import buddy_label, wrapping_label
from app.vault.strength import LABELS, Strength, passphrase_strength

# The meter's fill per score; mid-tone colours that stand out on light and dark grooves alike.
_METER_COLOURS = ("#c0392b", "#c0392b", "#c98a1b", "#2e8b57", "#2e8b57")


class PassphraseFields(QWidget):
    changed = Signal()  # either field changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.passphrase_edit = _secret_edit("New passphrase")
        self.confirm_edit = _secret_edit("Confirm the new passphrase")
        self.show_check = QCheckBox("Sho&w passphrases")
        self.show_check.setAccessibleName("Show the passphrases as you type")
        self.meter = QProgressBar()
        self.meter.setRange(0, len(LABELS))  # one step more than the top score: a sliver at 0
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName("Passphrase strength")
        self.strength_label = wrapping_label()
        self.message_label = wrapping_label()
        self.message_label.setAccessibleName("Why the passphrase cannot be used yet")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(buddy_label("New &passphrase:", self.passphrase_edit), self.passphrase_edit)
        form.addRow(buddy_label("Con&firm:", self.confirm_edit), self.confirm_edit)
        form.addRow("", self.show_check)
        form.addRow("Strength:", self.meter)
        form.addRow("", self.strength_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message_label)

        self.passphrase_edit.textChanged.connect(self._on_text_changed)
        self.confirm_edit.textChanged.connect(self._on_text_changed)
        self.show_check.toggled.connect(self._show_passphrases)
        self._strength = passphrase_strength("")
        self._refresh()

    @property
    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    @property
    def strength(self) -> Strength:
        return self._strength

    @property
    def acceptable(self) -> bool:
        """Strong enough, and typed the same twice."""
        return not self.problem

    @property
    def problem(self) -> str:
        """Why the passphrase cannot be used yet, in a person's words; empty when it can."""
        if not self.passphrase:
            return "Choose a passphrase."
        if not self._strength.acceptable:
            return f"This passphrase is {self._strength.label}; choose a stronger one."
        if not self.confirm_edit.text():
            return "Type the passphrase again to confirm it."
        if self.confirm_edit.text() != self.passphrase:
            return "The two passphrases are not the same."
        return ""

    def clear(self) -> None:
        self.passphrase_edit.clear()
        self.confirm_edit.clear()
        self.show_check.setChecked(False)

    def _on_text_changed(self) -> None:
        self._strength = passphrase_strength(self.passphrase)
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        strength = self._strength
        typed = bool(self.passphrase)
        self.meter.setValue(strength.score + 1 if typed else 0)
        bar = self.meter.palette()
        bar.setColor(QPalette.ColorRole.Highlight, QColor(_METER_COLOURS[strength.score]))
        self.meter.setPalette(bar)
        text = f"{strength.label.capitalize()}. {strength.hint}" if typed else strength.hint
        self.strength_label.setText(text)
        self.meter.setAccessibleDescription(text)
        # Nothing typed yet is not a mistake: the strength hint already says what to do.
        self.message_label.setText(self.problem if typed or self.confirm_edit.text() else "")

    def _show_passphrases(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase_edit.setEchoMode(mode)
        self.confirm_edit.setEchoMode(mode)


def _secret_edit(accessible_name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible_name)
    return edit
