"""Small widget helpers the pages share: labels that wrap, muted labels, labels for a field, a
one-line label that shortens itself with "…", taking a widget out of a layout, and answers
delivered only to a widget that still exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

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


class ElidedLabel(QLabel):
    """One line that takes the room it is given and ends with "…" where the text is longer, the
    whole text in its tooltip: a long title never widens what holds it (nor squeezes a neighbour)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(self.width(), 0))
        super().setText(shown)


def heading_label(text: str = "", elided: bool = False) -> QLabel:
    """A page's or a step's title: bold, a little larger than the text; `elided` on one line that
    never asks for more room than it gets."""
    label = ElidedLabel(text) if elided else QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    label.setText(text)  # shortened again in the font it is shown in
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
