"""Small widget helpers the pages share: labels that wrap, muted labels, labels for a field, taking a widget out of a
layout, and answers delivered only to a widget that still exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

T = TypeVar("T")


def buddy_label(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (&) focuses `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def wrapping_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def heading_label(text: str = "") -> QLabel:
    """A page's or a step's title: bold, a little larger than the text."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    return label


def muted_label(text: str = "") -> QLabel:
    """Secondary text (an example, a reference): the palette's placeholder colour, readable in both
    themes."""
    label = wrapping_label(text)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def discard(widget: QWidget) -> None:
    """Gone at once for anyone looking among its parent's children, deleted once Qt is idle (it may
    be the widget whose signal is being handled)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def while_alive(widget: QWidget, callback: Callable[[T], None]) -> Callable[[T], None]:
    """`callback`, called only while `widget` exists: a job's answer can arrive after the page is
    gone (locking the vault deletes some), and then there is nobody left to tell."""

    def deliver(result: T) -> None:
        if shiboken6.isValid(widget):
            callback(result)

    return deliver
