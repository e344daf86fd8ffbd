"""The sidebar: conversations newest first (new, rename, delete), and search across every
conversation and the journal with highlighted snippets. Keyboard: arrows move, Enter opens,
F2 renames, Delete deletes (after asking), Ctrl+F searches, Esc leaves the search."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.dialogs import ask_to_delete
from app.ui.common.search_hits import add_hit
from app.vault.records import Conversation
from app.vault.search import JOURNAL_KINDS, SearchHit

_ID = Qt.ItemDataRole.UserRole


def _when(timestamp: str) -> str:
    try:
        moment = datetime.fromisoformat(timestamp).astimezone()
    except ValueError:
        return ""
    today = datetime.now().astimezone().date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    return moment.strftime("%d %b" if moment.year == today.year else "%d %b %Y")


class ConversationList(QWidget):
    open_requested = Signal(str)  # conversation id
    new_requested = Signal()
    rename_requested = Signal(str, str)  # id, new title
    delete_requested = Signal(str)
    search_requested = Signal(str)  # text; empty = leave the search
    hit_chosen = Signal(object)  # SearchHit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_field = QLineEdit(placeholderText="Search conversations and journal")
        self.search_field.setAccessibleName("Search conversations and journal")
        self.search_field.setClearButtonEnabled(True)
        self.new_button = QPushButton("New")
        self.new_button.setAccessibleName("New conversation")
        self.new_button.setToolTip("New conversation (Ctrl+N)")
        self.conversations = QListWidget()
        self.conversations.setAccessibleName("Conversations")
        self.conversations.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # A long title ends in "…" (its whole text in the tooltip) instead of scrolling sideways.
        self.conversations.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversations.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.hits = QListWidget()
        self.hits.setAccessibleName("Search results")
        self.hits.hide()
        self.hits_label = QLabel()
        self.hits_label.hide()

        top = QHBoxLayout()
        top.addWidget(self.search_field, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.hits_label)
        layout.addWidget(self.conversations, 1)
        layout.addWidget(self.hits, 1)

        self._search_delay = QTimer(self, singleShot=True, interval=200)
        self._search_delay.timeout.connect(
            lambda: self.search_requested.emit(self.search_field.text().strip()))
        self.search_field.textChanged.connect(lambda _text: self._search_delay.start())
        self.new_button.clicked.connect(self.new_requested)
        self.conversations.itemActivated.connect(self._open_item)
        self.conversations.itemClicked.connect(self._open_item)
        self.conversations.customContextMenuRequested.connect(self._context_menu)
        self.conversations.installEventFilter(self)
        self.search_field.installEventFilter(self)
        self.hits.itemActivated.connect(self._choose_hit)
        self.hits.itemClicked.connect(self._choose_hit)
        self._hits: list[SearchHit] = []
        self.confirmation: QMessageBox | None = None  # the last delete question asked

    # -- what it shows ---------------------------------------------------------------------

    def show_conversations(self, conversations: list[Conversation], current: str | None) -> None:
        self.conversations.clear()
        for conversation in conversations:
            item = QListWidgetItem(f"{conversation.title}\n{_when(conversation.updated)}")
            item.setData(_ID, conversation.id)
            item.setToolTip(conversation.title)
            self.conversations.addItem(item)
            if conversation.id == current:
                self.conversations.setCurrentItem(item)

    def show_hits(self, query: str, hits: list[SearchHit], titles: dict[str, str]) -> None:
        """Search results; `titles` names the conversation of each hit."""
        self._hits = hits
        self.hits.clear()
        searching = bool(query)
        self.hits.setVisible(searching)
        self.hits_label.setVisible(searching)
        self.conversations.setVisible(not searching)
        if not searching:
            return
        self.hits_label.setText(f"{len(hits)} found" if hits else "Nothing found")
        for hit in hits:
            where = "Journal" if hit.kind in JOURNAL_KINDS else \
                titles.get(hit.parent or hit.ref, "Conversation")
            add_hit(self.hits, where, hit.snippet)

    def clear(self) -> None:
        """Everything shown goes (the vault is locking)."""
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self._search_delay.stop()
        self.show_hits("", [], {})
        self.conversations.clear()
        self.hits.clear()

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    # -- what the person does --------------------------------------------------------------

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(_ID))

    def _choose_hit(self, item: QListWidgetItem) -> None:
        self.hit_chosen.emit(self._hits[self.hits.row(item)])

    def _context_menu(self, position: QPoint) -> None:
        item = self.conversations.itemAt(position)
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.ask_rename(item))
        menu.addAction("Delete…", lambda: self.ask_delete(item))
        menu.exec(self.conversations.viewport().mapToGlobal(position))

    def ask_rename(self, item: QListWidgetItem) -> None:
        current = item.toolTip()
        title, ok = QInputDialog.getText(self, "Rename conversation", "Title:", text=current)
        if ok and title.strip() and title.strip() != current:
            self.rename_requested.emit(item.data(_ID), title.strip())

    def ask_delete(self, item: QListWidgetItem) -> None:
        """Asks first, in a dialog that does not block the window (Cancel is the default)."""
        conversation_id = item.data(_ID)
        self.confirmation = ask_to_delete(
            self, "Delete conversation",
            f"Delete “{item.toolTip()}” and all its messages? This cannot be undone.",
            lambda: self.delete_requested.emit(conversation_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.conversations and (item := self.conversations.currentItem()):
                if event.key() == Qt.Key.Key_F2:
                    self.ask_rename(item)
                    return True
                if event.key() == Qt.Key.Key_Delete:
                    self.ask_delete(item)
                    return True
            if watched is self.search_field and event.key() == Qt.Key.Key_Escape:
                self.search_field.clear()
                return True
            if watched is self.search_field and event.key() == Qt.Key.Key_Down and self._hits:
                self.hits.setFocus()
                self.hits.setCurrentRow(0)
                return True
        return super().eventFilter(watched, event)
