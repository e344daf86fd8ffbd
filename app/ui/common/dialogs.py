"""The dialogs pages open and close alike: asking before deleting something, telling a problem
without blocking the window, and closing what a page left open when the app locks (message boxes delete themselves when closed, so one the person
already answered may be gone)."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import MiniGiantsError


def ask_to_delete(parent: QWidget, title: str, question: str,
                  on_delete: Callable[[], None]) -> QMessageBox:
    """Asks first, in a dialog that does not block the window; Cancel is the default, so a stray
    Enter deletes nothing. Returns the dialog (open), for the page to close on lock."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        if box.clickedButton() is delete:
            on_delete()

    box.finished.connect(answered)
    box.open()
    return box


def show_problem(parent: QWidget, title: str, error: MiniGiantsError) -> QMessageBox:
    """What went wrong and what to do, in a dialog that does not block the window; returned
    (open), for the page to close on lock."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, parent=parent)
    box.setInformativeText(error.hint)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def close_open(*dialogs: QWidget | None) -> None:
    for dialog in dialogs:
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
