"""The journal's Entries tab: a calendar with the days that have entries in bold, the entries newest
day first (or one day's, or the matches of a search), and the editor of the one chosen."""

from __future__ import annotations

import datetime

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.dialogs import ask_to_delete
from app.ui.common.icons import icon
from app.ui.common.search_hits import add_hit
from app.ui.journal.entry_editor import EntryEditor
from app.vault.records import JournalEntry
from app.vault.search import JOURNAL_ENTRY, MOOD_CHECKIN, THOUGHT_RECORD, SearchHit

_ID = Qt.ItemDataRole.UserRole
_HIT = Qt.ItemDataRole.UserRole + 1
SEARCH_PAUSE_MS = 250
_KIND_NAMES = {JOURNAL_ENTRY: "Entry", MOOD_CHECKIN: "Mood check-in",
               THOUGHT_RECORD: "Thought record"}


def day_label(day: str) -> str:
    """"2026-11-21" → "Sat 21 Nov 2026"."""
    return datetime.date.fromisoformat(day).strftime("%a %d %b %Y").replace(" 0", " ")


def entry_label(entry: JournalEntry, *, longest: int = 48) -> str:
    """The day and the title, else the start of the first line, cut at a word."""
    first_line = next((line.strip() for line in entry.text.splitlines() if line.strip()), "")
    words = entry.title or first_line or "(empty)"
    if len(words) > longest:
        words = words[:longest].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return f"{day_label(entry.day)} · {words}"


class EntriesView(QWidget):
    search_requested = Signal(str)  # text; empty = leave the search
    hit_chosen = Signal(object)  # a SearchHit that is not an entry (a check-in, a thought record)
    delete_confirmed = Signal(str)  # entry id, after the person said yes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[JournalEntry] = []
        self._day: str | None = None  # the list shows this day's entries only
        self._searching = False
        self.delete_box: QMessageBox | None = None  # the last "delete this entry?" asked
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._search_paused)

        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Journal calendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setMaximumDate(QDate.currentDate())
        self.search = QLineEdit(placeholderText="Search the journal")
        self.search.setAccessibleName("Search the journal")
        self.search.setClearButtonEnabled(True)
        self.filter_label = QLabel()
        self.filter_label.setAccessibleName("Showing")
        self.show_all = QPushButton("Show all")
        self.show_all.setAccessibleName("Show all entries")
        self.new_button = QPushButton("New entry")
        self.new_button.setIcon(icon("new"))
        self.new_button.setAccessibleName("New entry")
        self.new_button.setToolTip("A new entry for the day chosen in the calendar")
        self.list = QListWidget()
        self.list.setAccessibleName("Journal entries")
        self.list.setWordWrap(True)
        self.editor = EntryEditor()

        showing = QHBoxLayout()
        showing.addWidget(self.filter_label, 1)
        showing.addWidget(self.show_all)
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.calendar)
        column.addWidget(self.search)
        column.addLayout(showing)
        column.addWidget(self.list, 1)
        column.addWidget(self.new_button)
        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.calendar.clicked.connect(self._day_clicked)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.show_all.clicked.connect(self.show_every_day)
        self.new_button.clicked.connect(self._new_entry)
        self.list.itemActivated.connect(self._item_chosen)
        self.list.itemClicked.connect(self._item_chosen)
        self.editor.delete_requested.connect(self._confirm_delete)
        self._fill_list()

    # -- data from the page ----------------------------------------------------------------

    def set_entries(self, entries: list[JournalEntry]) -> None:
        """All entries, newest day first, as the vault lists them."""
        self._entries = entries
        self._mark_days()
        if not self._searching:
            self._fill_list()

    def open_today(self) -> None:
        """Today's newest entry, if there is one, unless something is being written already."""
        today = datetime.date.today().isoformat()
        written = self.editor.entry_id is not None or self.editor.draft().text.strip()
        newest = next((entry for entry in self._entries if entry.day == today), None)
        if newest is not None and not written:
            self.open_entry(newest.id)

    def known_entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def entry_saved(self, entry: JournalEntry) -> None:
        """Show the stored version: only its own line changes (or moves, or is added), since
        rebuilding a list of years of entries at a pause in typing would stall the typing."""
        before = next((n for n, known in enumerate(self._entries) if known.id == entry.id), None)
        if before is not None and self._entries[before].day == entry.day:
            self._entries[before] = entry  # same day: it keeps its place, as the vault keeps it
        else:
            self._entries = [known for known in self._entries if known.id != entry.id]
            # Newest day first, and a new entry first within its day: as the vault lists them.
            at = next((n for n, known in enumerate(self._entries) if known.day <= entry.day),
                      len(self._entries))
            self._entries.insert(at, entry)
        self._mark(entry.day)
        if not self._searching:
            item = self._item(entry.id)
            if item is not None:
                self.list.takeItem(self.list.row(item))
            if self._day in (None, entry.day):
                shown = [known for known in self._entries if self._day in (None, known.day)]
                self.list.insertItem(shown.index(entry), self._new_item(entry))
            self._show_count()
        self.editor.saved(entry)

    def show_day(self, day: str) -> None:
        """The entries of `day` (the calendar goes there); the first opens, or a new one starts."""
        self._leave_search()
        self._day = day
        self.calendar.setSelectedDate(QDate.fromString(day, Qt.DateFormat.ISODate))
        self._fill_list()
        of_day = [entry for entry in self._entries if entry.day == day]
        if of_day:
            self.open_entry(of_day[0].id)
        else:
            self.editor.start_new(day)

    def show_every_day(self) -> None:
        self._leave_search()
        self._day = None
        self._fill_list()

    def open_entry(self, entry_id: str) -> None:
        entry = next((known for known in self._entries if known.id == entry_id), None)
        if entry is not None and entry.id != self.editor.entry_id:
            self.editor.show_entry(entry)
        self._select(entry_id)

    def show_hits(self, text: str, hits: list[SearchHit]) -> None:
        """Matches in the journal only; what the chat holds is found in the chat."""
        if text != self.search.text().strip():
            return  # an answer to a search typed over since
        self._searching = bool(text)
        if not text:
            self._fill_list()
            return
        self.list.clear()
        journal_hits = [hit for hit in hits if hit.kind in _KIND_NAMES]
        count = len(journal_hits)
        self.filter_label.setText(f"{count} match{'es' if count != 1 else ''}")
        self.show_all.show()
        for hit in journal_hits:
            item = add_hit(self.list, _KIND_NAMES[hit.kind], hit.snippet)
            item.setData(_ID, hit.ref if hit.kind == JOURNAL_ENTRY else None)
            item.setData(_HIT, hit)

    def clear(self) -> None:
        self._entries = []
        self._day = None
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._searching = False
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())
        self.list.clear()
        self.editor.clear()

    # -- inside ----------------------------------------------------------------------------

    def _mark_days(self) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # forget the old marks
        for day in {entry.day for entry in self._entries}:
            self._mark(day)

    def _mark(self, day: str) -> None:
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        bold.setForeground(self.palette().highlight())
        self.calendar.setDateTextFormat(QDate.fromString(day, Qt.DateFormat.ISODate), bold)

    def _fill_list(self) -> None:
        self.list.clear()
        for entry in self._entries:
            if self._day in (None, entry.day):
                self.list.addItem(self._new_item(entry))
        self._show_count()
        if self.editor.entry_id is not None:
            self._select(self.editor.entry_id)

    def _show_count(self) -> None:
        if self._day is None:
            count = len(self._entries)
            self.filter_label.setText(f"{count} entr{'y' if count == 1 else 'ies'}")
            self.show_all.hide()
        else:
            self.filter_label.setText(f"Entries on {day_label(self._day)}")
            self.show_all.show()

    @staticmethod
    def _new_item(entry: JournalEntry) -> QListWidgetItem:
        item = QListWidgetItem(entry_label(entry))
        item.setData(_ID, entry.id)
        if entry.tags:
            item.setToolTip("Tags: " + ", ".join(entry.tags))
        return item

    def _select(self, entry_id: str) -> None:
        item = self._item(entry_id)
        if item is not None:
            self.list.setCurrentItem(item)

    def _item(self, entry_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ID) == entry_id:
                return item
        return None

    def _item_chosen(self, item: QListWidgetItem) -> None:
        entry_id = item.data(_ID)
        if entry_id:
            self.open_entry(entry_id)
            return
        hit = item.data(_HIT)
        if isinstance(hit, SearchHit):
            self.hit_chosen.emit(hit)

    def _day_clicked(self, date: QDate) -> None:
        self.show_day(date.toString(Qt.DateFormat.ISODate))

    def _new_entry(self) -> None:
        self._leave_search()
        day = self._day or datetime.date.today().isoformat()
        self.editor.start_new(day)
        self.list.clearSelection()

    def _search_paused(self) -> None:
        self.search_requested.emit(self.search.text().strip())

    def _leave_search(self) -> None:
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
        self._searching = False

    def _confirm_delete(self, entry_id: str) -> None:
        self.delete_box = ask_to_delete(
            self, "Delete this entry?", "The entry will be deleted from your journal. Mood "
            "check-ins made with it stay in your mood history.",
            lambda: self.delete_confirmed.emit(entry_id))

    def entry_deleted(self, entry_id: str) -> None:
        self.set_entries([entry for entry in self._entries if entry.id != entry_id])
        if self.editor.entry_id == entry_id:
            self.editor.clear()
            self.editor.start_new(self._day or datetime.date.today().isoformat())
