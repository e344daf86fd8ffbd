"""A column of fixed width in the middle of a page (welcome, unlock). The width is fixed, not a
maximum, so that wrapped text gets its full height: an aligned widget would get its size hint,
computed for some other width, and its labels would be cut off."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


def centre(page: QWidget, content: QWidget, width: int) -> None:
    content.setFixedWidth(width)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(content)
    row.addStretch(1)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addLayout(row)
    layout.addStretch(2)
