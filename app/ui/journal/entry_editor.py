"""Writing one journal entry: its day, title, tags and text, saved by itself shortly after each
pause in typing (the page stores it, sealed). Below the text, what the companion offers when asked
to "help me look at this": possible thinking traps with the person's own words, and a question."""

from __future__ import annotations

import datetime
import html

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.journal.autosave import Autosave
from app.journal.companion import Suggestions
from app.journal.distortions import distortions
from app.journal.entry_draft import EntryDraft, parse_tags
from app.ui.common.icons import icon
from app.vault.records import JournalEntry

AUTOSAVE_MS = 800
_SAVE_STATES = {"": "", "waiting": "Not saved yet", "saving": "Saving…", "saved": "Saved"}
NOTHING_FOUND = "The model found nothing that looks like a thinking trap in this entry."
TOO_SMALL = ("The model could not find anything it could back with your own words; a larger model "
             "usually does better.")


class EntryEditor(QWidget):
    save_requested = Signal(object)  # EntryDraft
    delete_requested = Signal(str)  # entry id
    help_requested = Signal(str)  # the entry's text
    help_cancelled = Signal()
    checkin_requested = Signal(str)  # entry id: a mood check-in made with this entry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._id: str | None = None
        self._autosave = Autosave()  # one save on its way at a time: one entry is made, not two
        self._loading = False  # filling the fields from a stored entry is no edit
        self._help_ready = False
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._timer.timeout.connect(self._save_now)

        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName("Entry day")
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.title = QLineEdit(placeholderText="A title, if you like")
        self.title.setAccessibleName("Entry title")
        self.tags = QLineEdit(placeholderText="Tags, separated by commas")
        self.tags.setAccessibleName("Entry tags")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Entry text")
        self.text.setPlaceholderText("Write whatever is on your mind. It is saved as you go, "
                                     "encrypted, on this computer only.")
        self.save_state = QLabel()
        self.save_state.setAccessibleName("Save state")
        self.help_button = QPushButton("Help me look at this")
        self.help_button.setAccessibleName("Help me look at this")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setIcon(icon("stop"))
        self.stop_button.setAccessibleName("Stop the companion")
        self.stop_button.hide()
        self.checkin_button = QPushButton("Mood check-in…")
        self.checkin_button.setAccessibleName("Check in with this entry")
        self.checkin_button.setToolTip("Record how you feel, linked to this entry in the mood "
                                       "chart")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setIcon(icon("delete"))
        self.delete_button.setAccessibleName("Delete entry")
        self.suggestions = QTextBrowser()
        self.suggestions.setAccessibleName("Companion suggestions")
        self.suggestions.setOpenLinks(False)
        self.suggestions.setMaximumHeight(200)
        self.suggestions.hide()

        fields = QFormLayout()
        fields.addRow("Day", self.day)
        fields.addRow("Title", self.title)
        fields.addRow("Tags", self.tags)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_state, 1)
        buttons.addWidget(self.help_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.checkin_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(fields)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.suggestions)
        layout.addLayout(buttons)

        for changed in (self.day.dateChanged, self.title.textEdited, self.tags.textEdited,
                        self.text.textChanged):
            changed.connect(self._edited)
        self.help_button.clicked.connect(lambda: self.help_requested.emit(self.text.toPlainText()))
        self.stop_button.clicked.connect(self.help_cancelled)
        self.checkin_button.clicked.connect(self._checkin)
        self.delete_button.clicked.connect(self._delete)
        QShortcut(QKeySequence.StandardKey.Save, self, self._save_now)
        self.start_new(datetime.date.today().isoformat())

    # -- what it shows ---------------------------------------------------------------------

    @property
    def entry_id(self) -> str | None:
        return self._id

    def start_new(self, day: str) -> None:
        """An empty entry for `day`; stored once something is written in it."""
        self._show(None, day, "", (), "")
        self.text.setFocus()

    def show_entry(self, entry: JournalEntry) -> None:
        self._show(entry.id, entry.day, entry.title, entry.tags, entry.text)

    def _show(self, entry_id: str | None, day: str, title: str, tags: tuple[str, ...],
              text: str) -> None:
        self.flush()  # what was typed into the entry shown before is not lost
        self._loading = True
        self._id = entry_id
        self.day.setDate(QDate.fromString(day, Qt.DateFormat.ISODate))
        self.title.setText(title)
        self.tags.setText(", ".join(tags))
        self.text.setPlainText(text)
        self._loading = False
        self._autosave.show_another()
        self.save_state.setText("")
        self.clear_suggestions()
        self._update_buttons()

    def draft(self) -> EntryDraft:
        return EntryDraft(self._id, self.day.date().toString(Qt.DateFormat.ISODate),
                          self.title.text().strip(), parse_tags(self.tags.text()),
                          self.text.toPlainText())

    def clear(self) -> None:
        """On lock: forget what is shown without saving it again (the page saved it already)."""
        self._timer.stop()
        self._autosave.forget()
        self._loading = True
        self._id = None
        self.title.clear()
        self.tags.clear()
        self.text.clear()
        self._loading = False
        self.save_state.setText("")
        self.clear_suggestions()
        self._update_buttons()

    # -- saving ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Save now what is waiting for the pause in typing."""
        if self._timer.isActive():
            self._timer.stop()
            self._save_now()

    def _edited(self) -> None:
        if self._loading:
            return
        self._autosave.edited()
        self._show_save_state()
        self._timer.start()
        self._update_buttons()

    def _save_now(self) -> None:
        draft = self.draft()
        if draft.id is None and not draft.text.strip() and not draft.title:
            return  # nothing written yet: no empty entry in the journal
        if self._autosave.begin():
            self._show_save_state()
            self.save_requested.emit(draft)

    def saved(self, entry: JournalEntry) -> None:
        """The page stored the draft it was given: an entry made now has its id from here on
        (unless the editor moved on to another entry meanwhile: the id is that one's)."""
        if self._autosave.saving_shown and self._id is None:
            self._id = entry.id
        if self._autosave.landed():  # typed on while it was being saved
            self._timer.start()
        self._show_save_state()
        self._update_buttons()

    def save_failed(self, text: str) -> None:
        """Shown; the words stay in the editor and the next edit (or Ctrl+S) tries again."""
        self._autosave.failed()
        self._show_save_state(text)

    def _show_save_state(self, problem: str = "") -> None:
        state = self._autosave.state
        self.save_state.setText(problem if state == "failed" else _SAVE_STATES[state])

    # -- the companion ---------------------------------------------------------------------

    def set_help_available(self, available: bool, reason: str = "") -> None:
        self._help_ready = available
        self.help_button.setToolTip(reason or "Ask the loaded model for possible thinking traps "
                                              "in this entry. It stays on this computer.")
        self._update_buttons()

    def set_help_busy(self, busy: bool) -> None:
        self.help_button.setText("Looking…" if busy else "Help me look at this")
        self.stop_button.setVisible(busy)
        self.help_button.setEnabled(not busy and self._help_ready)
        if busy:
            self._show_suggestions_html("<p><i>The model is reading your entry…</i></p>")

    def show_suggestions(self, found: Suggestions) -> None:
        self.set_help_busy(False)
        names = {distortion.id: distortion for distortion in distortions()}
        if not found.suggestions:
            why = TOO_SMALL if found.model_too_small else NOTHING_FOUND
            self._show_suggestions_html(f"<p>{why}</p>")
            return
        parts = ["<p>Some possible thinking traps, for you to weigh up. You know your situation "
                 "best.</p>"]
        for suggestion in found.suggestions:
            kind = names[suggestion.distortion]
            parts.append(
                f"<p><b>{html.escape(kind.name)}</b> — “{html.escape(suggestion.quote)}”<br>"
                f"<span>{html.escape(kind.explanation)}</span><br>"
                f"<i>{html.escape(suggestion.question)}</i></p>")
        self._show_suggestions_html("".join(parts))

    def show_help_error(self, text: str) -> None:
        self.set_help_busy(False)
        self._show_suggestions_html(f"<p>{html.escape(text)}</p>")

    def clear_suggestions(self) -> None:
        self.suggestions.clear()
        self.suggestions.hide()
        self.set_help_busy(False)

    def _show_suggestions_html(self, text: str) -> None:
        self.suggestions.setHtml(text)
        self.suggestions.show()

    # -- helpers ---------------------------------------------------------------------------

    def _delete(self) -> None:
        if self._id is not None:
            self.delete_requested.emit(self._id)

    def _checkin(self) -> None:
        self.flush()
        if self._id is not None:
            self.checkin_requested.emit(self._id)

    def _update_buttons(self) -> None:
        stored = self._id is not None
        self.delete_button.setEnabled(stored)
        self.checkin_button.setEnabled(stored)
        has_text = bool(self.text.toPlainText().strip())
        if not self.stop_button.isVisible():
            self.help_button.setEnabled(self._help_ready and has_text)
