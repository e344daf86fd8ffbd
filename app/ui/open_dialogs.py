"""Closing the dialogs a page left open when the app locks: message boxes delete themselves when
closed, so one the person already answered may be gone."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QWidget


def close_open(*dialogs: QWidget | None) -> None:
    for dialog in dialogs:
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
