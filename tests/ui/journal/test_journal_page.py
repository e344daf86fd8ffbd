"""The Journal page offscreen over a real vault on its own thread (and, for the companion, the real
SmolLM2 on the engine thread): entries saved as they are typed, the calendar, search, a mood
check-in linked to an entry, a whole thought record, the crisis words on a journal entry, the
companion, and nothing left on screen after locking."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.engine import LoadOptions
from app.journal.self_help import NOT_A_THERAPIST
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.journal.page import ENTRIES, MOOD, THOUGHT_RECORDS, JournalPage
from app.vault.records import THOUGHT_RECORD_STEPS, Emotion, JournalEntry
from app.vault.store import Vault
from tests.ui.conftest import SLOW, run_on

W = TypeVar("W", bound=QWidget)
LOAD = 60_000
CRISIS = "I can't go on like this, I want to end my life."


def named(parent: QWidget, kind: type[W], name: str) -> W:
    """The one visible widget of `kind` called `name` for assistive technology."""
    found = [widget for widget in parent.findChildren(kind)
             if widget.accessibleName() == name and widget.isVisibleTo(parent)]
    assert len(found) == 1, f"{len(found)} visible {kind.__name__} named {name!r}"
    return found[0]


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = named(parent, QAbstractButton, name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def texts_in(widget: QWidget) -> str:
    parts = []
    for child in widget.findChildren(QWidget):
        for getter in ("text", "toPlainText"):
            value = getattr(child, getter, None)
            if callable(value):
                try:
                    parts.append(str(value()))
                except TypeError:
                    pass
    return "\n".join(parts)


@pytest.fixture
def page(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault,
         engine_host: EngineHost) -> JournalPage:
    shown = JournalPage(vault_jobs, engine_host)
    qtbot.addWidget(shown)
    shown.resize(1100, 720)
    shown.show()
    shown.open_vault(vault)
    return shown


def stored_entries(vault_jobs: TaskThread, qtbot: QtBot, vault: Vault) -> list[JournalEntry]:
    entries = run_on(vault_jobs, qtbot, vault.journal.all)
    assert isinstance(entries, list)
    return entries


def write_entry(qtbot: QtBot, page: JournalPage, text: str, title: str = "") -> None:
    editor = page.entries.editor
    if title:
        qtbot.keyClicks(editor.title, title)
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, text)
    qtbot.waitUntil(lambda: editor.save_state.text() == "Saved", timeout=SLOW)


def test_an_entry_is_saved_as_it_is_typed_found_by_day_and_search_and_deleted(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    write_entry(qtbot, page, "Walked by the river with Sam.", title="A good day")
    editor = page.entries.editor
    qtbot.keyClicks(editor.tags, "walks, friends")
    qtbot.keyClicks(editor.text, " We talked for hours.")
    qtbot.waitUntil(lambda: editor.save_state.text() == "Saved", timeout=SLOW)
    (entry,) = stored_entries(vault_jobs, qtbot, vault)  # one entry, saved again, not twice
    assert entry.title == "A good day" and entry.tags == ("walks", "friends")
    assert entry.text == "Walked by the river with Sam. We talked for hours."
    # The day has its mark in the calendar, and the entry is in the list.
    day = QDate.fromString(entry.day, Qt.DateFormat.ISODate)
    assert page.entries.calendar.dateTextFormat(day).fontWeight() == QFont.Weight.Bold
    assert page.entries.list.count() == 1 and "A good day" in page.entries.list.item(0).text()

    # A new entry for an earlier day, chosen in the calendar.
    earlier = day.addDays(-3)
    page.entries.calendar.clicked.emit(earlier)
    assert page.entries.editor.entry_id is None
    assert "Entries on" in page.entries.filter_label.text()
    write_entry(qtbot, page, "Could not sleep; the deadline again.")
    days = {e.day for e in stored_entries(vault_jobs, qtbot, vault)}
    assert days == {entry.day, earlier.toString(Qt.DateFormat.ISODate)}

    # Search by a word of the first entry: one match, opened from the list.
    click(qtbot, page.entries, "Show all entries")
    qtbot.keyClicks(page.entries.search, "river")
    qtbot.waitUntil(lambda: page.entries.filter_label.text() == "1 match", timeout=SLOW)
    page.entries.list.itemClicked.emit(page.entries.list.item(0))
    assert page.entries.editor.entry_id == entry.id
    assert "Walked by the river" in page.entries.editor.text.toPlainText()

    # Delete it, after saying yes.
    click(qtbot, page.entries.editor, "Delete entry")
    box = page.entries.delete_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(stored_entries(vault_jobs, qtbot, vault)) == 1, timeout=SLOW)
    assert entry.id not in {e.id for e in stored_entries(vault_jobs, qtbot, vault)}


def test_a_new_entry_started_while_the_last_one_is_saving_stays_a_new_entry(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    """The save of the first entry lands after the editor moved on: its id must not become the
    new entry's, or typing there would write over the first."""
    editor = page.entries.editor
    editor.text.setFocus()
    qtbot.keyClicks(editor.text, "The first entry.")
    editor.flush()  # on its way to the vault; its answer comes through the event loop
    editor.start_new(editor.draft().day)
    qtbot.waitUntil(lambda: page.entries.list.count() == 1, timeout=SLOW)
    assert editor.entry_id is None
    write_entry(qtbot, page, "The second entry.")
    texts = sorted(e.text for e in stored_entries(vault_jobs, qtbot, vault))
    assert texts == ["The first entry.", "The second entry."]


def test_a_mood_check_in_made_with_an_entry_is_linked_and_charted(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    write_entry(qtbot, page, "Nervous about tomorrow's talk.")
    entry_id = page.entries.editor.entry_id
    click(qtbot, page.entries.editor, "Check in with this entry")
    assert page.tabs.currentIndex() == MOOD
    assert "Nervous about tomorrow" in page.link_label.text()
    mood = named(page.mood, QAbstractSlider, "Mood")
    mood.setValue(3)
    name = named(page.mood, QComboBox, "Emotion name").lineEdit()
    assert name is not None
    qtbot.keyClicks(name, "anxious")
    click(qtbot, page.mood, "Add emotion")
    qtbot.waitUntil(lambda: any(slider.accessibleName() == "Intensity of anxious" and
                                slider.isVisibleTo(page.mood)  # rows are shown once laid out
                                for slider in page.mood.findChildren(QAbstractSlider)))
    named(page.mood, QAbstractSlider, "Intensity of anxious").setValue(70)
    click(qtbot, page.mood, "Save check-in")
    qtbot.waitUntil(lambda: not page.link_label.isVisible(), timeout=SLOW)
    checkins = run_on(vault_jobs, qtbot, vault.checkins.all)
    assert isinstance(checkins, list) and len(checkins) == 1
    (checkin,) = checkins
    assert checkin.mood == 3 and checkin.entry_id == entry_id
    assert checkin.emotions == (Emotion("anxious", 70),)
    chart = page.mood.chart
    qtbot.waitUntil(lambda: len(chart.point_positions()) == 1, timeout=SLOW)
    # The point leads back to the entry.
    chart.point_clicked.emit(chart.points()[0])
    assert page.tabs.currentIndex() == ENTRIES
    assert page.entries.editor.entry_id == entry_id


def test_a_whole_thought_record_through_the_page(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    page.tabs.setCurrentIndex(THOUGHT_RECORDS)
    click(qtbot, page.records, "New thought record")
    wizard = page.records.wizard
    qtbot.waitUntil(wizard.isVisible, timeout=SLOW)
    qtbot.keyClicks(named(wizard, QPlainTextEdit, "Situation"), "My friend did not answer my text.")
    click(qtbot, wizard, "Next")
    qtbot.keyClicks(named(wizard, QWidget, "Thought 1"), "She is angry with me.")
    click(qtbot, wizard, "Next")
    for _ in THOUGHT_RECORD_STEPS[2:-1]:
        click(qtbot, wizard, "Next")
    click(qtbot, wizard, "Finish")

    def complete() -> bool:
        records = run_on(vault_jobs, qtbot, vault.thought_records.all)
        return isinstance(records, list) and len(records) == 1 and records[0].status == "complete"

    qtbot.waitUntil(complete, timeout=SLOW)
    records = run_on(vault_jobs, qtbot, vault.thought_records.all)
    assert isinstance(records, list)
    (record,) = records
    assert record.situation == "My friend did not answer my text."
    assert [t.text for t in record.thoughts] == ["She is angry with me."]


def test_crisis_words_in_an_entry_are_saved_and_answered_with_the_regions_helplines(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    page.set_crisis_region("GB")
    write_entry(qtbot, page, CRISIS)
    (entry,) = stored_entries(vault_jobs, qtbot, vault)  # saved first: nothing is lost
    assert entry.text == CRISIS
    qtbot.waitUntil(lambda: page.safety_dialog is not None and page.safety_dialog.isVisible(),
                    timeout=SLOW)
    dialog = page.safety_dialog
    assert dialog is not None
    assert "You matter" in dialog.text() and "Samaritans" in dialog.text()
    qtbot.mouseClick(next(b for b in dialog.buttons() if b.text() == "Continue"),
                     Qt.MouseButton.LeftButton)
    # Writing on: the words are not shown again at every pause.
    qtbot.keyClicks(page.entries.editor.text, " Writing it down helps a bit.")
    qtbot.waitUntil(lambda: page.entries.editor.save_state.text() == "Saved", timeout=SLOW)
    qtbot.wait(300)
    assert page.safety_dialog is dialog  # the one answered, no new one


def test_the_companion_reads_an_entry_with_the_real_model(
        qtbot: QtBot, page: JournalPage, engine_host: EngineHost, starter_path: Path) -> None:
    editor = page.entries.editor
    assert not editor.help_button.isEnabled()  # no model yet, and it says why
    assert "Load a model" in editor.help_button.toolTip()
    engine_host.load(starter_path, LoadOptions(n_ctx=2048, seed=7))
    write_entry(qtbot, page, "I always mess everything up. Nobody ever listens to me.")
    qtbot.waitUntil(editor.help_button.isEnabled, timeout=LOAD)
    click(qtbot, editor, "Help me look at this")
    assert editor.stop_button.isVisible()
    qtbot.waitUntil(lambda: not editor.stop_button.isVisible(), timeout=LOAD)
    shown = named(editor, QTextBrowser, "Companion suggestions").toPlainText()
    # What a 135M model finds is not asserted: an answer in one of the forms a person can read.
    assert "thinking trap" in shown or "larger model" in shown, shown


def test_locking_saves_what_was_typed_and_leaves_nothing_on_screen(
        qtbot: QtBot, page: JournalPage, vault: Vault, vault_jobs: TaskThread) -> None:
    write_entry(qtbot, page, "Private words about Alex.")
    qtbot.keyClicks(page.entries.editor.text, " And more.")  # typed just before the lock
    page.clear()
    (entry,) = stored_entries(vault_jobs, qtbot, vault)
    assert entry.text == "Private words about Alex. And more."
    assert "Alex" not in texts_in(page)
    assert page.entries.list.count() == 0


def test_the_self_help_note_is_shown_until_it_is_dismissed(
        qtbot: QtBot, vault_jobs: TaskThread, engine_host: EngineHost) -> None:
    first = JournalPage(vault_jobs, engine_host)
    qtbot.addWidget(first)
    first.show()
    note = named(first, QLabel, "Not a therapist")
    assert note.text() == NOT_A_THERAPIST
    click(qtbot, first, "Dismiss the note")
    assert not note.isVisible()
    later = JournalPage(vault_jobs, engine_host)
    qtbot.addWidget(later)
    later.show()
    assert not any(label.isVisible() for label in later.findChildren(QLabel)
                   if label.accessibleName() == "Not a therapist")



def test_the_weekly_reflection_is_written_by_the_real_model_and_can_be_kept(
        qtbot: QtBot, page: JournalPage, engine_host: EngineHost, starter_path: Path,
        vault: Vault, vault_jobs: TaskThread) -> None:
    write_entry(qtbot, page, "Finished the garden fence with Dad. Tired but proud.")
    engine_host.load(starter_path, LoadOptions(n_ctx=2048, seed=7))
    qtbot.waitUntil(page.reflect_button.isEnabled, timeout=LOAD)
    click(qtbot, page, "Weekly reflection")
    dialog = page.reflection_dialog
    assert dialog is not None and dialog.isVisible()
    keep = named(dialog, QAbstractButton, "Keep reflection in journal")
    qtbot.waitUntil(keep.isEnabled, timeout=LOAD)
    reflection = named(dialog, QTextBrowser, "Weekly reflection").toPlainText()
    assert reflection.strip()
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(stored_entries(vault_jobs, qtbot, vault)) == 2, timeout=SLOW)
    kept = next(e for e in stored_entries(vault_jobs, qtbot, vault) if e.tags == ("reflection",))
    assert kept.text == reflection and kept.title == "Weekly reflection"


def test_exporting_warns_first_and_locking_closes_what_is_open(
        qtbot: QtBot, page: JournalPage) -> None:
    write_entry(qtbot, page, "Something private.")
    click(qtbot, page, "Export journal")
    flow = page.export_flow
    assert flow is not None and flow.warning is not None and flow.warning.isVisible()
    assert "not encrypted" in flow.warning.informativeText()
    warning = flow.warning
    page.clear()
    assert not warning.isVisible()
