"""Search results as the chat's sidebar and the journal show them: where a match was found, over
its snippet with the matches in bold."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem

# Markers the vault wraps matches in: control characters no message contains, so that the
# snippet can be HTML-escaped first and the markers turned into bold after.
MATCH_START, MATCH_END = "\x02", "\x03"


def snippet_html(snippet: str) -> str:
    escaped = html.escape(snippet)
    return escaped.replace(MATCH_START, "<b>").replace(MATCH_END, "</b>")


def add_hit(hits: QListWidget, where: str, snippet: str) -> QListWidgetItem:
    """A search result in `hits`: where it was found, small, over the snippet with its matches
    in bold."""
    label = QLabel(f"<small>{html.escape(where)}</small><br>{snippet_html(snippet)}")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setContentsMargins(4, 2, 4, 2)
    item = QListWidgetItem()
    item.setData(Qt.ItemDataRole.AccessibleTextRole,
                 f"{where}: {snippet.replace(MATCH_START, '').replace(MATCH_END, '')}")
    item.setSizeHint(label.sizeHint())
    hits.addItem(item)
    hits.setItemWidget(item, label)
    return item
