"""The journal's companion on the loaded model, as the journal page runs it: "help me look at
this" for an entry or a thought record, the weekly reflection (kept as an entry on request), one
request at a time, stoppable; each after the local crisis check. Part of JournalPage (a mixin over
the page's own state, so that the page's file keeps to entries, mood and records)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from app.engine import Engine
from app.errors import MiniGiantsError
from app.journal.care import JournalCare
from app.journal.companion import suggest_distortions, weekly_reflection
from app.ui.common.background import SessionJobs
from app.ui.common.engine_host import EngineHost
from app.ui.journal.entries import EntriesView
from app.ui.journal.reflection_dialog import ReflectionDialog
from app.ui.journal.thought_records_view import ThoughtRecordsView
from app.vault.records import JournalEntry
from app.vault.store import Vault

NO_MODEL = "Load a model in Chat first; the companion runs on it, on this computer."
REFLECTION_DAYS = 7


class CompanionBusy(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__("The companion is still busy with the last request.",
                         "Wait for it, or stop it, then ask again.")


class JournalCompanion:
    """What the companion needs of the page; JournalPage sets all of it up."""

    _vault: Vault | None
    _jobs: SessionJobs
    _engine: EngineHost
    # (request id, on result, on error) of what the companion is doing now
    _companion: tuple[int, Callable[[Any], None], Callable[[MiniGiantsError], None]] | None
    reflection_dialog: ReflectionDialog | None
    entries: EntriesView
    records: ThoughtRecordsView
    reflect_button: QPushButton

    care: JournalCare
    if TYPE_CHECKING:  # the page's own, which the companion uses
        def _reload_entries(self) -> None: ...

    def _model_changed(self, *_: object) -> None:
        loaded = self._engine.is_loaded
        reason = "" if loaded else NO_MODEL
        self.entries.editor.set_help_available(loaded, reason)
        self.records.wizard.set_help_available(loaded, reason)
        self.reflect_button.setEnabled(loaded)
        self.reflect_button.setToolTip(
            "A short reflection on the last seven days, written by the loaded model on this "
            "computer" if loaded else NO_MODEL)

    def _help_with_entry(self, text: str) -> None:
        editor = self.entries.editor
        key = f"entry:{editor.entry_id}" if editor.entry_id else f"text:{text}"

        editor.set_help_busy(True)  # at once: the crisis check comes first, off this thread
        self.care.care_for(key, text, lambda: self._ask_companion(
            lambda engine: suggest_distortions(engine, text), editor.show_suggestions,
            lambda e: editor.show_help_error(e.for_person())),
            on_hold=lambda: editor.set_help_busy(False))

    def _help_with_record(self, text: str) -> None:
        wizard = self.records.wizard

        wizard.set_help_busy(True)
        self.care.care_for(f"record:{wizard.record().id}", text, lambda: self._ask_companion(
            lambda engine: suggest_distortions(engine, text), wizard.show_suggestions,
            lambda e: wizard.show_help_error(e.for_person())),
            on_hold=lambda: wizard.set_help_busy(False))

    def _reflect(self) -> None:
        vault = self._vault
        if vault is None or self._companion is not None:
            return
        since = (datetime.date.today() - datetime.timedelta(days=REFLECTION_DAYS - 1)).isoformat()

        def week() -> tuple[list[str], list[tuple[str, int]]]:
            entries = [entry for entry in vault.journal.all() if entry.day >= since]
            checkins = [checkin for checkin in vault.checkins.all() if checkin.day >= since]
            texts = [f"{entry.day}: {entry.title}\n{entry.text}".strip()
                     for entry in reversed(entries)]
            return texts, [(checkin.day, checkin.mood) for checkin in reversed(checkins)]

        assert isinstance(self, QWidget)  # the journal page
        dialog = ReflectionDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.stop_requested.connect(self._stop_companion)
        dialog.keep_requested.connect(self._keep_reflection)
        # Closed while it is being written: stop writing it (and only it).
        dialog.finished.connect(lambda _: self._stop_companion(dialog.show_reflection))
        self.reflection_dialog = dialog
        dialog.show()

        def got_week(found: tuple[list[str], list[tuple[str, int]]]) -> None:
            entries, moods = found

            def ask() -> None:
                self._ask_companion(lambda engine: weekly_reflection(engine, entries, moods),
                                    dialog.show_reflection,
                                    lambda e: dialog.show_problem(e.for_person()))

            self.care.care_for(f"week:{since}", "\n".join(entries), ask,
                           on_hold=lambda: dialog.show_problem("Not now, then. Nothing was "
                                                               "sent to the model."))

        self._jobs.submit(week, got_week, "reading your week")

    def _keep_reflection(self, text: str) -> None:
        vault = self._vault
        if vault is None:
            return

        def kept(entry: JournalEntry) -> None:
            if self.reflection_dialog is not None:
                self.reflection_dialog.kept()
            self._reload_entries()

        self._jobs.submit(lambda: vault.journal.add(text, title="Weekly reflection",
                                                    tags=("reflection",)),
                          kept, "keeping the reflection")

    def _ask_companion(self, job: Callable[[Engine], Any], on_done: Callable[[Any], None],
                       on_error: Callable[[MiniGiantsError], None]) -> None:
        if self._companion is not None:
            on_error(CompanionBusy())
            return
        self._companion = (self._engine.run(job), on_done, on_error)

    def _companion_done(self, request: int, result: object) -> None:
        if self._companion is not None and self._companion[0] == request:
            _, on_done, _ = self._companion
            self._companion = None
            on_done(result)

    def _companion_failed(self, request: int, error: MiniGiantsError) -> None:
        if self._companion is not None and self._companion[0] == request:
            _, _, on_error = self._companion
            self._companion = None
            on_error(error)

    def _stop_companion(self, answering: Callable[[Any], None] | None = None) -> None:
        """Stop what the companion is doing, or only if it would answer to `answering`."""
        companion = self._companion
        if companion is not None and answering in (None, companion[1]):
            self._engine.cancel()  # its answer comes as CompanionStopped, handled as an error
