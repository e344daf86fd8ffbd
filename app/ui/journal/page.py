"""The Journal section: entries, mood check-ins with the mood chart, and guided thought records;
the companion on the loaded model ("help me look at this", the weekly reflection); export.

Everything personal is stored through the vault's thread. Whatever the person writes passes the
local crisis check: a journal is where someone may write what they would say to nobody else, so
on a hit the page offers calm words and the helplines of their region — after saving, never
instead of it — and before the model is asked to read it (app/journal/care.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import MiniGiantsError
from app.export import Export, collect_journal
from app.journal.care import JournalCare
from app.journal.companion import record_text
from app.journal.entry_draft import EntryDraft, save_draft
from app.journal.safety import SafetyResult
from app.ui.common.background import SessionJobs, TaskThread
from app.ui.common.dialogs import close_open, show_problem
from app.ui.common.engine_host import EngineHost
from app.ui.common.icons import icon
from app.ui.common.safety_prompt import ask_to_continue
from app.ui.common.search_hits import MATCH_END, MATCH_START
from app.ui.common.widgets import heading_label
from app.ui.journal.companion_flow import JournalCompanion
from app.ui.journal.entries import EntriesView, entry_label
from app.ui.journal.export_dialog import ExportFlow, export_to_file
from app.ui.journal.mood_checkin import CheckinDraft
from app.ui.journal.mood_view import MoodView
from app.ui.journal.reflection_dialog import ReflectionDialog
from app.ui.journal.self_help_note import self_help_note
from app.ui.journal.thought_records_view import ThoughtRecordsView
from app.vault.records import JournalEntry, MoodCheckin, ThoughtRecord
from app.vault.search import JOURNAL_ENTRY, MOOD_CHECKIN, THOUGHT_RECORD, SearchHit
from app.vault.store import Vault

ENTRIES, MOOD, THOUGHT_RECORDS = 0, 1, 2


class JournalPage(QWidget, JournalCompanion):
    def __init__(self, vault_jobs: TaskThread, engine: EngineHost,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault_jobs = vault_jobs
        self._jobs = SessionJobs(vault_jobs, self._show_problem)
        self._engine = engine
        self._vault: Vault | None = None
        self._crisis_region = ""
        self._link_entry: str | None = None  # the entry the next check-in is made with
        # (request id, on result, on error) of what the companion is doing now
        self._companion: tuple[int, Callable[[Any], None],
                               Callable[[MiniGiantsError], None]] | None = None
        self.care = JournalCare(self._jobs, self._ask_to_continue)
        self._record_unsaved = False  # the wizard's last save failed: it stays open, text in it
        self.safety_dialog: QMessageBox | None = None
        self.problem_dialog: QMessageBox | None = None
        self.reflection_dialog: ReflectionDialog | None = None
        self.export_flow: ExportFlow | None = None  # the last export asked for

        self.reflect_button, self.export_button = _header_buttons()
        header = QHBoxLayout()
        header.addWidget(heading_label("Journal"), 1)
        header.addWidget(self.reflect_button)
        header.addWidget(self.export_button)

        self.note = self_help_note()
        self.entries = EntriesView()
        self.mood = MoodView()
        mood_tab, self.link_label, self.unlink_button = _mood_tab(self.mood)
        self.records = ThoughtRecordsView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Journal sections")
        # Alt+E, Alt+M, Alt+T switch between them from the keyboard.
        self.tabs.addTab(self.entries, "&Entries")
        self.tabs.addTab(mood_tab, "&Mood")
        self.tabs.addTab(self.records, "&Thought records")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        self._show_link(None)

        editor = self.entries.editor
        editor.save_requested.connect(self._save_entry)
        editor.help_requested.connect(self._help_with_entry)
        editor.help_cancelled.connect(self._stop_companion)
        editor.checkin_requested.connect(self._checkin_with)
        self.entries.delete_confirmed.connect(self._delete_entry)
        self.entries.search_requested.connect(self._search)
        self.entries.hit_chosen.connect(self.open_hit)
        self.mood.checkin_submitted.connect(self._save_checkin)
        self.mood.day_chosen.connect(self._show_day)
        self.unlink_button.clicked.connect(lambda: self._show_link(None))
        self.records.new_requested.connect(self._new_record)
        self.records.resume_requested.connect(self._resume_record)
        self.records.delete_requested.connect(self._delete_record)
        self.records.export_requested.connect(self._export_record)
        wizard = self.records.wizard
        wizard.save_requested.connect(self._save_record)
        wizard.finished.connect(lambda record: self._save_record(record, finished=True))
        wizard.closed.connect(self._records_changed)
        wizard.help_requested.connect(self._help_with_record)
        wizard.help_cancelled.connect(self._stop_companion)
        self.reflect_button.clicked.connect(self._reflect)
        self.export_button.clicked.connect(self._export_journal)
        worker = engine.worker
        worker.ran.connect(self._companion_done)
        worker.failed.connect(self._companion_failed)
        worker.loaded.connect(self._model_changed)
        worker.load_failed.connect(self._model_changed)
        self._model_changed()

    # -- vault life cycle ------------------------------------------------------------------

    def open_vault(self, vault: Vault) -> None:
        self._vault = vault
        self.entries.editor.start_new(datetime.date.today().isoformat())

        def first(entries: list[JournalEntry]) -> None:
            self.entries.set_entries(entries)
            self.entries.open_today()

        self._jobs.submit(vault.journal.all, first, "reading the journal")
        self._reload_checkins()
        self._records_changed()

    def clear(self) -> None:
        """On lock: what is being typed is saved first (queued before the lock), then every
        widget forgets what it showed and answers still on their way are dropped."""
        self.entries.editor.flush()
        self.records.wizard.flush()
        self._jobs.end()
        self._vault = None
        if self._companion is not None:
            self._engine.cancel()
            self._companion = None
        close_open(self.safety_dialog, self.problem_dialog, self.reflection_dialog,
                   self.entries.delete_box, self.records.confirmation)
        if self.export_flow is not None:
            flow = self.export_flow
            close_open(flow.warning, flow.file_dialog, flow.result_box)
            self.export_flow = None
        self.safety_dialog = self.problem_dialog = self.reflection_dialog = None
        self.care.forget()
        self._record_unsaved = False
        self._show_link(None)
        self.entries.clear()
        self.mood.clear()
        self.records.clear()

    def set_crisis_region(self, region: str) -> None:
        self._crisis_region = region

    # -- entries ---------------------------------------------------------------------------

    def _reload_entries(self) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(vault.journal.all, self.entries.set_entries,
                              "reading the journal")

    def _save_entry(self, draft: EntryDraft) -> None:
        vault = self._vault
        if vault is None:
            return

        def saved(entry: JournalEntry) -> None:
            self.entries.entry_saved(entry)
            self.care.care_for(f"entry:{entry.id}", entry.text)

        self._jobs.submit(lambda: save_draft(vault, draft), saved, "saving the entry",
                          on_error=lambda e: self.entries.editor.save_failed(e.for_person()))

    def _delete_entry(self, entry_id: str) -> None:
        vault = self._vault
        if vault is None:
            return

        def deleted(_: None) -> None:
            self.entries.entry_deleted(entry_id)
            self._reload_checkins()  # check-ins made with it are no longer linked

        self._jobs.submit(lambda: vault.journal.delete(entry_id), deleted,
                          "deleting the entry")

    def _search(self, text: str) -> None:
        vault = self._vault
        if vault is None:
            return
        if not text:
            self.entries.show_hits("", [])
            return
        self._jobs.submit(lambda: vault.search(text, highlight=(MATCH_START, MATCH_END)),
                          lambda hits: self.entries.show_hits(text, hits), "searching the journal")

    def open_hit(self, hit: SearchHit) -> None:
        """A match found by the journal's search or the chat's."""
        if hit.kind == JOURNAL_ENTRY:
            self.tabs.setCurrentIndex(ENTRIES)
            self.entries.show_every_day()
            self.entries.open_entry(hit.ref)
        elif hit.kind == MOOD_CHECKIN:
            self.tabs.setCurrentIndex(MOOD)
        elif hit.kind == THOUGHT_RECORD:
            self.tabs.setCurrentIndex(THOUGHT_RECORDS)
            self._resume_record(hit.ref)

    def _show_day(self, day: str) -> None:
        self.tabs.setCurrentIndex(ENTRIES)
        self.entries.show_day(day)

    # -- mood ------------------------------------------------------------------------------

    def _reload_checkins(self) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(vault.checkins.all, self.mood.set_checkins,
                              "reading the mood history")

    def _checkin_with(self, entry_id: str) -> None:
        self._show_link(entry_id)
        self.tabs.setCurrentIndex(MOOD)

    def _show_link(self, entry_id: str | None) -> None:
        self._link_entry = entry_id
        entry = next((known for known in self.entries.known_entries() if known.id == entry_id),
                     None)
        self.link_label.setText(f"This check-in will be linked to: {entry_label(entry)}"
                                if entry is not None else "")
        self.link_label.setVisible(entry is not None)
        self.unlink_button.setVisible(entry is not None)

    def _save_checkin(self, draft: CheckinDraft) -> None:
        vault = self._vault
        if vault is None:
            return
        entry_id = self._link_entry
        day = next((entry.day for entry in self.entries.known_entries() if entry.id == entry_id),
                   None)

        def saved(checkin: MoodCheckin) -> None:
            self.mood.checkin_saved()
            self._show_link(None)
            self._reload_checkins()
            self.care.care_for(f"checkin:{checkin.id}", checkin.note)

        self._jobs.submit(
            lambda: vault.checkins.add(draft.mood, emotions=draft.emotions, note=draft.note,
                                       day=day, entry_id=entry_id),
            saved, "saving the check-in", on_error=lambda e: self.mood.show_error(e.for_person()))

    # -- thought records -------------------------------------------------------------------

    def _records_changed(self) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(vault.thought_records.all, self._show_records,
                              "reading the thought records")

    def _show_records(self, records: list[ThoughtRecord]) -> None:
        self.records.set_records(records)
        if not self._record_unsaved:
            self.records.show_list()

    def _new_record(self) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(vault.thought_records.add, self.records.show_wizard,
                              "starting a thought record")

    def _resume_record(self, record_id: str) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(lambda: vault.thought_records.get(record_id),
                              self.records.show_wizard, "opening the thought record")

    def _save_record(self, record: ThoughtRecord, *, finished: bool = False) -> None:
        """A draft's autosave, or the finished record (then back to the list of records)."""
        vault = self._vault
        if vault is None:
            return

        def saved(stored: ThoughtRecord) -> None:
            self._record_unsaved = False
            if finished:
                self._records_changed()
            else:
                self.records.wizard.saved(stored)
            self.care.care_for(f"record:{stored.id}", record_text(stored))

        self._jobs.submit(lambda: vault.thought_records.update(record), saved,
                          "saving the thought record", on_error=self._record_not_saved)

    def _record_not_saved(self, error: MiniGiantsError) -> None:
        self._record_unsaved = True
        self.records.wizard.save_failed(error.for_person())

    def _delete_record(self, record_id: str) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(lambda: vault.thought_records.delete(record_id),
                              lambda _: self._records_changed(), "deleting the thought record")

    def _export_record(self, record_id: str) -> None:
        vault = self._vault
        if vault is not None:
            self._export(lambda: Export([], [], [], [vault.thought_records.get(record_id)]),
                         "thought-record")

    def _export_journal(self) -> None:
        vault = self._vault
        if vault is not None:
            self._export(lambda: collect_journal(vault), "mini-giants-journal")

    def _export(self, collect: Callable[[], Export], name: str) -> None:
        self.export_flow = export_to_file(self, self._vault_jobs, collect,
                                          f"{name}-{datetime.date.today().isoformat()}")

    # -- helpers ---------------------------------------------------------------------------

    def _ask_to_continue(self, result: SafetyResult, go_on: Callable[[], None],
                         hold: Callable[[], None]) -> None:
        self.safety_dialog = ask_to_continue(self, result, go_on, hold,
                                             region=self._crisis_region or None)

    def _show_problem(self, error: MiniGiantsError) -> None:
        self.problem_dialog = show_problem(self, "Journal", error)


def _header_buttons() -> tuple[QPushButton, QPushButton]:
    """The weekly reflection and the export, beside the page's title."""
    reflect = QPushButton("Weekly reflection")
    reflect.setAccessibleName("Weekly reflection")
    export = QPushButton("Export…")
    export.setIcon(icon("download"))
    export.setAccessibleName("Export journal")
    export.setToolTip("Save the journal, mood history and thought records as a Markdown or PDF "
                      "file (not encrypted)")
    return reflect, export


def _mood_tab(mood: MoodView) -> tuple[QWidget, QLabel, QPushButton]:
    """The mood view under the line saying which entry the next check-in is linked to."""
    link_label = QLabel()
    link_label.setAccessibleName("Check-in linked to")
    unlink_button = QPushButton("Don't link")
    unlink_button.setAccessibleName("Do not link the check-in")
    link_row = QHBoxLayout()
    link_row.addWidget(link_label, 1)
    link_row.addWidget(unlink_button)
    tab = QWidget()
    column = QVBoxLayout(tab)
    column.addLayout(link_row)
    column.addWidget(mood, 1)
    return tab, link_label, unlink_button
