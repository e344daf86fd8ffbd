"""The thought records of the journal: a list, newest first, of complete records and drafts; a
complete record shown read-only, as its Markdown export renders it; a draft continued in the
guided wizard, which this view holds in place of the list while it is open.

It never touches the vault: it shows the records it is given and emits what the person asks for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.export import Export, as_markdown
from app.ui.common.dialogs import ask_to_delete
from app.ui.common.icons import icon
from app.ui.common.markdown_render import render_markdown
from app.ui.common.theme import is_dark
from app.ui.journal.thought_record_wizard import ThoughtRecordWizard
from app.vault.records import THOUGHT_RECORD_STEPS, ThoughtRecord

NOTHING_CHOSEN = ("A thought record helps you look at a difficult moment step by step: what "
                  "happened, what you thought and felt, and a fairer way to see it.")
_ID = Qt.ItemDataRole.UserRole


def status_text(record: ThoughtRecord) -> str:
    """"Complete", or where a draft was left: "Draft — step 4 of 7"."""
    if record.status == "complete":
        return "Complete"
    step = THOUGHT_RECORD_STEPS.index(record.step) + 1
    return f"Draft — step {step} of {len(THOUGHT_RECORD_STEPS)}"


def record_markdown(record: ThoughtRecord) -> str:
    """The record as the journal export writes it, without the export's title and its
    not-encrypted warning: on screen, inside the vault, neither applies."""
    exported = as_markdown(Export([], [], [], [record]))
    start = exported.find("\n### ")
    return exported[start + 1:] if start >= 0 else exported


def _day(timestamp: str) -> str:
    try:
        return datetime.fromisoformat(timestamp).astimezone().strftime("%d %b %Y")
    except ValueError:
        return timestamp[:10]


class ThoughtRecordsView(QWidget):
    new_requested = Signal()
    resume_requested = Signal(str)  # record id
    delete_requested = Signal(str)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._records: dict[str, ThoughtRecord] = {}
        self.confirmation: QMessageBox | None = None  # the last delete question asked

        self.new_button = QPushButton(icon("new"), "New thought record")
        self.new_button.setAccessibleName("New thought record")
        self.records_list = QListWidget()
        self.records_list.setAccessibleName("Thought records")
        self.records_list.setWordWrap(True)
        self.records_list.setSpacing(3)
        self.empty_label = QLabel("No thought records yet.")
        self.empty_label.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Thought record")
        self.browser.setOpenLinks(False)  # a link in someone's text must not load anything
        self.continue_button = QPushButton(icon("resume"), "Continue")
        self.continue_button.setAccessibleName("Continue thought record")
        self.delete_button = QPushButton(icon("delete"), "Delete")
        self.delete_button.setAccessibleName("Delete thought record")
        self.export_button = QPushButton(icon("download"), "Export…")
        self.export_button.setAccessibleName("Export thought record")
        self.wizard = ThoughtRecordWizard()

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.new_button)
        left_column.addWidget(self.records_list, 1)
        left_column.addWidget(self.empty_label)
        actions = QHBoxLayout()
        actions.addWidget(self.continue_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.delete_button)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.browser, 1)
        right_column.addLayout(actions)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 520])
        self.stack = QStackedWidget()
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.wizard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.new_button.clicked.connect(self.new_requested)
        self.records_list.currentItemChanged.connect(lambda _now, _before: self._show_chosen())
        self.records_list.itemActivated.connect(self._on_activated)
        self.continue_button.clicked.connect(self._resume)
        self.delete_button.clicked.connect(self.ask_delete)
        self.export_button.clicked.connect(self._export)
        self.set_records([])

    # -- what it shows ----------------------------------------------------------------------

    def set_records(self, records: Sequence[ThoughtRecord]) -> None:
        """Newest first; the record chosen before stays chosen while it is still there, else
        the newest is."""
        chosen = self.chosen_id()
        self._records = {record.id: record for record in records}
        self.records_list.blockSignals(True)
        self.records_list.clear()
        for record in sorted(records, key=lambda r: r.created, reverse=True):
            first_line = next((line.strip() for line in record.situation.splitlines()
                               if line.strip()), "No situation written yet")
            item = QListWidgetItem(f"{_day(record.created)} · {status_text(record)}\n"
                                   f"{first_line}")
            item.setData(_ID, record.id)
            item.setToolTip(first_line)
            self.records_list.addItem(item)
            if record.id == chosen:
                self.records_list.setCurrentItem(item)
        if self.records_list.currentItem() is None and self.records_list.count():
            self.records_list.setCurrentRow(0)  # the newest, as a mail client opens its newest
        self.records_list.blockSignals(False)
        self.records_list.setVisible(bool(records))
        self.empty_label.setVisible(not records)
        self._show_chosen()

    def chosen_id(self) -> str | None:
        item = self.records_list.currentItem()
        return item.data(_ID) if item is not None else None

    def show_wizard(self, record: ThoughtRecord) -> None:
        self.wizard.start(record)
        self.stack.setCurrentWidget(self.wizard)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)

    def clear(self) -> None:
        """Everything shown goes (the vault is locking)."""
        if self.confirmation is not None:
            self.confirmation.reject()
        self.wizard.clear()
        self.set_records([])
        self.show_list()

    # -- what the person does ----------------------------------------------------------------

    def _show_chosen(self) -> None:
        record = self._records.get(self.chosen_id() or "")
        for button in (self.delete_button, self.export_button):
            button.setEnabled(record is not None)
        self.continue_button.setVisible(record is not None and record.status == "draft")
        if record is None:
            self.browser.setPlainText(NOTHING_CHOSEN)
            return
        app = QApplication.instance()
        dark = isinstance(app, QApplication) and is_dark(app)
        rendered = render_markdown(record_markdown(record), dark=dark, parent=self.browser)
        rendered.document.setDefaultFont(self.browser.font())
        rendered.document.setDocumentMargin(12)
        # The browser deletes the document it replaces: that one was its child too.
        self.browser.setDocument(rendered.document)

    def _on_activated(self, item: QListWidgetItem) -> None:
        record = self._records.get(item.data(_ID))
        if record is not None and record.status == "draft":
            self.resume_requested.emit(record.id)

    def _resume(self) -> None:
        if (chosen := self.chosen_id()) is not None:
            self.resume_requested.emit(chosen)

    def _export(self) -> None:
        if (chosen := self.chosen_id()) is not None:
            self.export_requested.emit(chosen)

    def ask_delete(self) -> None:
        """Asks first, in a dialog that does not block the window (Cancel is the default)."""
        record = self._records.get(self.chosen_id() or "")
        if record is None:
            return
        self.confirmation = ask_to_delete(
            self, "Delete thought record",
            f"Delete the thought record from {_day(record.created)}? This cannot be undone.",
            lambda: self.delete_requested.emit(record.id))
        self.confirmation.finished.connect(self._forget_confirmation)

    def _forget_confirmation(self) -> None:
        self.confirmation = None
