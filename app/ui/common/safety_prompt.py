"""What the window shows when the local crisis check flags something the person wrote, before any
model sees it: calm words, who they can reach in their region, and the choice to go on. Nothing is
sent or logged; the dialog does not block the window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.journal.safety import SafetyResult, crisis_resources, support_message


def ask_to_continue(parent: QWidget, result: SafetyResult, on_continue: Callable[[], None],
                    on_hold: Callable[[], None], *, region: str | None = None) -> QMessageBox:
    """`region`: the crisis lines of this region code (the Settings choice); None or "" for
    those of the system's region."""
    box = QMessageBox(QMessageBox.Icon.Information, "You are not alone",
                      support_message(result, crisis_resources(region or None)), parent=parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                Qt.TextInteractionFlag.LinksAccessibleByMouse)
    carry_on = box.addButton("Continue", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("Not now", QMessageBox.ButtonRole.RejectRole))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        (on_continue if box.clickedButton() is carry_on else on_hold)()

    box.finished.connect(answered)
    box.open()
    return box
