"""The guided thought record offscreen: a whole record typed through the real widgets, autosave of
drafts, resuming a draft where it was left, the companion's suggestions (offered, never ticked),
and the list of records with its read-only view and its requests. Records are made directly:
these widgets never touch the vault."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.journal.companion import Suggestion, Suggestions
from app.ui.journal.distortion_picker import DistortionPicker
from app.ui.journal.thought_record_wizard import ThoughtRecordWizard
from app.ui.journal.thought_records_view import ThoughtRecordsView
from app.vault.records import AutomaticThought, Emotion, Rerating, ThoughtRecord

W = TypeVar("W", bound=QWidget)
WHEN = "2026-11-21T09:30:00.000+00:00"
AUTOSAVE_WAIT = 5000  # ms: far more than the autosave delay, for a busy machine


def new_draft(record_id: str = "tr-1", **changes: object) -> ThoughtRecord:
    empty = ThoughtRecord(record_id, "", (), (), (), "", "", "", (), (), "draft", "situation",
                          WHEN, WHEN)
    return dataclasses.replace(empty, **changes)  # type: ignore[arg-type]


def named(parent: QWidget, kind: type[W], name: str) -> W:
    found = [child for child in parent.findChildren(kind) if child.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} {kind.__name__} named {name!r}"
    return found[0]


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = named(parent, QAbstractButton, name)
    assert button.isVisibleTo(parent) and button.isEnabled(), f"{name} cannot be clicked"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, parent: QWidget, kind: type[W], name: str, text: str) -> W:
    field = named(parent, kind, name)
    field.setFocus()
    qtbot.keyClicks(field, text)
    return field


@pytest.fixture
def wizard(qtbot: QtBot) -> ThoughtRecordWizard:
    shown = ThoughtRecordWizard()
    qtbot.addWidget(shown)
    shown.resize(760, 640)
    shown.show()
    return shown


def test_a_whole_record_typed_step_by_step_finishes_with_every_field(
        wizard: ThoughtRecordWizard, qtbot: QtBot) -> None:
    draft = new_draft()
    wizard.start(draft)
    assert wizard.step_label.text() == "Step 1 of 7 · Situation"
    type_into(qtbot, wizard, QPlainTextEdit, "Situation", "Team meeting, Tuesday 10 am.")
    click(qtbot, wizard, "Next")

    assert wizard.step_label.text() == "Step 2 of 7 · Automatic thoughts"
    type_into(qtbot, wizard, QLineEdit, "Thought 1", "She thinks my work is useless.")
    named(wizard, QSlider, "Belief in thought 1").setValue(80)
    click(qtbot, wizard, "Add thought")
    type_into(qtbot, wizard, QLineEdit, "Thought 2", "I'll never get promoted.")
    named(wizard, QSlider, "Belief in thought 2").setValue(40)
    click(qtbot, wizard, "Next")

    assert wizard.step_label.text() == "Step 3 of 7 · Emotions"
    emotion_name = named(wizard, QComboBox, "Emotion name")
    typed = emotion_name.lineEdit()
    assert typed is not None
    typed.setFocus()
    qtbot.keyClicks(typed, "anxious")
    click(qtbot, wizard, "Add emotion")
    named(wizard, QSlider, "Intensity of anxious").setValue(70)
    qtbot.keyClicks(typed, "worn out")  # typed, not added: Next takes it
    click(qtbot, wizard, "Next")
    named(wizard, QSlider, "Intensity of worn out").setValue(30)

    assert wizard.step_label.text() == "Step 4 of 7 · Thinking traps"
    # Ticked out of the list's order: the record keeps the list's order.
    qtbot.mouseClick(named(wizard, QCheckBox, "Fortune telling"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(named(wizard, QCheckBox, "Mind reading"), Qt.MouseButton.LeftButton)
    click(qtbot, wizard, "Next")

    type_into(qtbot, wizard, QPlainTextEdit, "Evidence for", "She frowned.")
    type_into(qtbot, wizard, QPlainTextEdit, "Evidence against", "She thanked me last month.")
    click(qtbot, wizard, "Next")

    reference = named(wizard, QLabel, "Your thoughts").text()
    assert "She thinks my work is useless. (80 %)" in reference
    assert "I'll never get promoted. (40 %)" in reference
    type_into(qtbot, wizard, QPlainTextEdit, "Balanced thought", "She may have been tired.")
    click(qtbot, wizard, "Next")

    assert wizard.step_label.text() == "Step 7 of 7 · Re-rate"
    assert not named(wizard, QPushButton, "Next").isVisibleTo(wizard)
    named(wizard, QSlider, "New belief in thought 1").setValue(30)
    named(wizard, QSlider, "New intensity of anxious").setValue(20)
    with qtbot.waitSignal(wizard.finished, timeout=1000) as finished:
        click(qtbot, wizard, "Finish")

    assert finished.args[0] == dataclasses.replace(
        draft,
        situation="Team meeting, Tuesday 10 am.",
        thoughts=(AutomaticThought("She thinks my work is useless.", 80),
                  AutomaticThought("I'll never get promoted.", 40)),
        emotions=(Emotion("anxious", 70), Emotion("worn out", 30)),
        distortions=("mind_reading", "fortune_telling"),
        evidence_for="She frowned.",
        evidence_against="She thanked me last month.",
        balanced_thought="She may have been tired.",
        # What was not moved was re-rated as it was before.
        rerated_beliefs=(Rerating(0, 30), Rerating(1, 40)),
        rerated_emotions=(Emotion("anxious", 20), Emotion("worn out", 30)),
        status="complete",
        step="rerate",
    )


def test_a_draft_is_offered_for_saving_after_an_edit_and_at_once_on_a_step_change(
        wizard: ThoughtRecordWizard, qtbot: QtBot) -> None:
    wizard.start(new_draft())
    with qtbot.waitSignal(wizard.save_requested, timeout=AUTOSAVE_WAIT) as after_edit:
        type_into(qtbot, wizard, QPlainTextEdit, "Situation", "Late for the train.")
    edited = after_edit.args[0]
    assert (edited.situation, edited.status, edited.step) == (
        "Late for the train.", "draft", "situation")
    assert named(wizard, QLabel, "Save state").text() == "Saving…"

    wizard.saved(dataclasses.replace(edited, updated="2026-11-21T09:31:00.000+00:00"))
    assert named(wizard, QLabel, "Save state").text() == "Saved"
    assert wizard.record().updated == "2026-11-21T09:31:00.000+00:00"  # the new base is kept

    offered: list[object] = []
    wizard.save_requested.connect(offered.append)
    wizard.closed.connect(lambda: offered.append("closed"))
    click(qtbot, wizard, "Next")  # emitted before the click returns: no waiting
    click(qtbot, wizard, "Next")
    click(qtbot, wizard, "Back")
    assert [(r.step, r.status) for r in offered if isinstance(r, ThoughtRecord)] == [
        ("thoughts", "draft"), ("emotions", "draft"), ("thoughts", "draft")]
    offered.clear()
    click(qtbot, wizard, "Save and close")
    assert len(offered) == 2 and offered[1] == "closed"
    assert isinstance(offered[0], ThoughtRecord) and offered[0].step == "thoughts"
    assert offered[0].situation == "Late for the train."


def test_flush_offers_a_waiting_edit_at_once_and_nothing_else(wizard: ThoughtRecordWizard,
                                                                qtbot: QtBot) -> None:
    wizard.start(new_draft(step="evidence"))
    offered: list[ThoughtRecord] = []
    wizard.save_requested.connect(offered.append)
    wizard.flush()
    assert offered == []  # nothing was edited
    type_into(qtbot, wizard, QPlainTextEdit, "Evidence against", "She smiled later.")
    wizard.flush()  # before the pause in typing is over: no waiting here
    assert [(r.evidence_against, r.step) for r in offered] == [("She smiled later.", "evidence")]
    wizard.flush()
    assert len(offered) == 1


def test_a_failed_save_says_why_and_keeps_what_was_written(wizard: ThoughtRecordWizard,
                                                           qtbot: QtBot) -> None:
    wizard.start(new_draft(situation="Argument with my brother."))
    wizard.save_failed("The disk is full.")
    assert named(wizard, QLabel, "Save state").text() == "Not saved"
    problem = named(wizard, QLabel, "Save problem")
    assert problem.isVisibleTo(wizard) and "The disk is full." in problem.text()
    assert named(wizard, QPlainTextEdit, "Situation").toPlainText() == "Argument with my brother."
    with qtbot.waitSignal(wizard.save_requested, timeout=1000) as retried:
        click(qtbot, wizard, "Try saving again")
    assert retried.args[0].situation == "Argument with my brother."


def test_a_draft_resumes_at_its_step_with_everything_restored(wizard: ThoughtRecordWizard,
                                                               qtbot: QtBot) -> None:
    draft = new_draft(
        situation="Dinner with my sister; she was late.",
        thoughts=(AutomaticThought("She doesn't care about me.", 70),),
        emotions=(Emotion("hurt", 60), Emotion("angry", 35)),
        distortions=("mind_reading", "labelling"),
        evidence_for="She was late twice this month.",
        rerated_emotions=(Emotion("angry", 10),),
        step="evidence",
    )
    with qtbot.assertNotEmitted(wizard.save_requested, wait=100):  # showing is no edit
        wizard.start(draft)
    assert wizard.step_label.text() == "Step 5 of 7 · Evidence"
    assert named(wizard, QPlainTextEdit, "Evidence for").toPlainText() == draft.evidence_for
    assert named(wizard, QPlainTextEdit, "Situation").toPlainText() == draft.situation
    assert named(wizard, QLineEdit, "Thought 1").text() == "She doesn't care about me."
    assert named(wizard, QSlider, "Belief in thought 1").value() == 70
    assert named(wizard, QSlider, "Intensity of angry").value() == 35
    assert named(wizard, QCheckBox, "Labelling").isChecked()
    assert not named(wizard, QCheckBox, "Blaming").isChecked()
    assert wizard.record() == draft

    click(qtbot, wizard, "Back")
    assert wizard.step_label.text() == "Step 4 of 7 · Thinking traps"


def test_finishing_without_a_thought_is_refused_kindly(wizard: ThoughtRecordWizard,
                                                       qtbot: QtBot) -> None:
    wizard.start(new_draft(situation="The bus left without me.", step="rerate"))
    with qtbot.assertNotEmitted(wizard.finished):
        click(qtbot, wizard, "Finish")
    notice = named(wizard, QLabel, "Notice")
    assert notice.isVisibleTo(wizard)
    assert "at least one thought" in notice.text() and "situation" not in notice.text()

    for _ in range(5):  # every step in between may stay empty
        click(qtbot, wizard, "Back")
    type_into(qtbot, wizard, QLineEdit, "Thought 1", "Everything goes wrong for me.")
    for _ in range(5):
        click(qtbot, wizard, "Next")
    with qtbot.waitSignal(wizard.finished, timeout=1000) as finished:
        click(qtbot, wizard, "Finish")
    assert finished.args[0].thoughts == (AutomaticThought("Everything goes wrong for me.", 50),)


def test_feelings_added_and_removed_keep_the_rest_of_their_rerating(
        wizard: ThoughtRecordWizard, qtbot: QtBot) -> None:
    wizard.start(new_draft(
        emotions=(Emotion("hurt", 60), Emotion("angry", 35)),
        rerated_emotions=(Emotion("hurt", 20), Emotion("angry", 30)), step="emotions"))
    click(qtbot, wizard, "Remove angry")
    wizard.emotions_editor.add_emotion("sad")
    assert wizard.record().rerated_emotions == (Emotion("hurt", 20),)
    # A row added to a shown layout is shown a moment later.
    qtbot.waitUntil(lambda: named(wizard, QAbstractButton, "Remove sad").isVisibleTo(wizard))
    for _ in range(4):
        click(qtbot, wizard, "Next")
    assert named(wizard, QSlider, "New intensity of hurt").value() == 20
    named(wizard, QSlider, "New intensity of sad").setValue(40)
    assert wizard.record().rerated_emotions == (Emotion("hurt", 20), Emotion("sad", 40))

    for _ in range(4):
        click(qtbot, wizard, "Back")
    click(qtbot, wizard, "Remove sad")  # listed again, it is a new feeling: not re-rated yet
    wizard.emotions_editor.add_emotion("sad")
    record = wizard.record()
    assert record.emotions == (Emotion("hurt", 60), Emotion("sad", 50))
    assert record.rerated_emotions == (Emotion("hurt", 20),)


def test_removed_thoughts_lose_their_rerating(wizard: ThoughtRecordWizard, qtbot: QtBot) -> None:
    wizard.start(new_draft(
        thoughts=(AutomaticThought("One", 60), AutomaticThought("Two", 90)),
        rerated_beliefs=(Rerating(0, 10), Rerating(1, 20)), step="thoughts"))
    click(qtbot, wizard, "Remove thought 1")
    record = wizard.record()
    assert record.thoughts == (AutomaticThought("Two", 90),)
    assert record.rerated_beliefs == (Rerating(0, 20),)
    assert named(wizard, QLineEdit, "Thought 1").text() == "Two"


def test_the_companion_suggests_and_the_person_decides(wizard: ThoughtRecordWizard,
                                                       qtbot: QtBot) -> None:
    wizard.start(new_draft(situation="My friend did not answer.",
                           thoughts=(AutomaticThought("Nobody ever wants to talk to me.", 90),),
                           step="distortions"))
    help_button = named(wizard, QPushButton, "Help me look at this")
    wizard.set_help_available(False, "Load a model first")
    assert not help_button.isEnabled() and help_button.toolTip() == "Load a model first"
    wizard.set_help_available(True)
    with qtbot.waitSignal(wizard.help_requested, timeout=1000) as asked:
        click(qtbot, wizard, "Help me look at this")
    assert "My friend did not answer." in asked.args[0]
    assert "Nobody ever wants to talk to me." in asked.args[0]

    wizard.set_help_busy(True)
    assert help_button.text() == "Looking…" and not help_button.isEnabled()
    with qtbot.waitSignal(wizard.help_cancelled, timeout=1000):
        click(qtbot, wizard, "Stop")
    wizard.show_help_error("The companion was stopped before it finished.")
    assert named(wizard, QLabel, "Help message").text() == (
        "The companion was stopped before it finished.")
    assert help_button.text() == "Help me look at this" and help_button.isEnabled()
    assert not named(wizard, QPushButton, "Stop").isVisibleTo(wizard)

    wizard.set_help_busy(True)
    question = "Is there someone who did want to talk to you this week?"
    with qtbot.assertNotEmitted(wizard.save_requested, wait=100):
        wizard.show_suggestions(Suggestions(
            (Suggestion("overgeneralising", "Nobody ever wants", question),), 0, False))
    assert help_button.isEnabled() and named(wizard, QLabel, "Help message").text() == ""
    texts = [label.text() for label in wizard.findChildren(QLabel)]
    assert any("“Nobody ever wants”" in text for text in texts)
    assert question in texts
    assert wizard.record().distortions == ()
    assert not named(wizard, QCheckBox, "Overgeneralising").isChecked()

    tick = named(wizard, QCheckBox, "Tick Overgeneralising")
    assert not tick.isChecked()
    qtbot.waitUntil(tick.isVisible)  # a widget added to a shown layout is shown a moment later
    qtbot.mouseClick(tick, Qt.MouseButton.LeftButton)
    assert named(wizard, QCheckBox, "Overgeneralising").isChecked()
    assert wizard.record().distortions == ("overgeneralising",)



def test_a_model_too_small_and_an_empty_answer_say_so(qtbot: QtBot) -> None:
    picker = DistortionPicker()
    qtbot.addWidget(picker)
    note = named(picker, QLabel, "Suggestions")
    picker.show_suggestions(Suggestions((), 3, model_too_small=True))
    assert note.text() == ("The model could not find anything it could back with your own "
                           "words; a larger model usually does better.")
    picker.show_suggestions(Suggestions((), 0, model_too_small=False))
    assert note.text() == "The model found nothing that looks like a thinking trap."
    assert picker.chosen() == ()
    picker.clear_suggestions()
    assert not note.isVisibleTo(picker)


def test_the_picker_explains_each_distortion_and_keeps_ids_it_does_not_know(
        qtbot: QtBot) -> None:
    picker = DistortionPicker()
    qtbot.addWidget(picker)
    picker.show()
    explanation = next(label for label in picker.findChildren(QLabel)
                       if label.text().startswith("Assuming you know what other people"))
    with qtbot.waitSignal(picker.changed, timeout=1000):
        qtbot.mouseClick(explanation, Qt.MouseButton.LeftButton)  # the row, not only the box
    assert picker.chosen() == ("mind_reading",)
    assert any(label.text().startswith("e.g. ") for label in picker.findChildren(QLabel))
    with qtbot.assertNotEmitted(picker.changed):
        picker.set_chosen(("blaming", "from_a_newer_version"))
    assert picker.chosen() == ("blaming", "from_a_newer_version")


# -- the list of records ------------------------------------------------------------------------

def complete_record() -> ThoughtRecord:
    return new_draft(
        "tr-complete",
        situation="Dinner with my sister.\nShe was late.",
        thoughts=(AutomaticThought("She doesn't care about me.", 70),),
        emotions=(Emotion("hurt", 60),),
        balanced_thought="Her train was stuck; she came as soon as she could.",
        rerated_beliefs=(Rerating(0, 20),),
        status="complete", step="rerate",
        created="2026-11-20T19:00:00.000+00:00",
    )


@pytest.fixture
def view(qtbot: QtBot) -> ThoughtRecordsView:
    shown = ThoughtRecordsView()
    qtbot.addWidget(shown)
    shown.resize(900, 620)
    shown.show()
    shown.set_records([complete_record(), new_draft(
        "tr-draft", situation="Missed the deadline.", step="emotions",
        created="2026-11-22T08:00:00.000+00:00")])
    return shown


def test_the_list_shows_drafts_and_complete_records_newest_first(
        view: ThoughtRecordsView) -> None:
    items = [view.records_list.item(row).text() for row in range(view.records_list.count())]
    assert len(items) == 2
    assert "Draft — step 3 of 7" in items[0] and "Missed the deadline." in items[0]
    assert "Complete" in items[1] and items[1].endswith("Dinner with my sister.")


def test_a_complete_record_is_shown_read_only_with_its_balanced_thought(
        view: ThoughtRecordsView) -> None:
    view.records_list.setCurrentRow(1)
    shown = view.browser.toPlainText()
    assert "Her train was stuck; she came as soon as she could." in shown
    assert "She doesn't care about me. (20%)" in shown
    assert "not encrypted" not in shown and "Mini-Giants export" not in shown
    assert view.browser.isReadOnly() and not view.browser.openLinks()
    assert not named(view, QPushButton, "Continue thought record").isVisibleTo(view)


def test_the_requests_carry_the_record_id(view: ThoughtRecordsView, qtbot: QtBot) -> None:
    with qtbot.waitSignal(view.new_requested, timeout=1000):
        click(qtbot, view, "New thought record")
    view.records_list.setCurrentRow(0)
    with qtbot.waitSignal(view.resume_requested, timeout=1000) as resumed:
        click(qtbot, view, "Continue thought record")
    assert resumed.args == ["tr-draft"]
    with qtbot.waitSignal(view.export_requested, timeout=1000) as exported:
        click(qtbot, view, "Export thought record")
    assert exported.args == ["tr-draft"]

    with qtbot.assertNotEmitted(view.delete_requested):
        click(qtbot, view, "Delete thought record")
        asked = view.confirmation
        assert isinstance(asked, QMessageBox) and asked.isVisible()
        asked.button(QMessageBox.StandardButton.Cancel).click()
    click(qtbot, view, "Delete thought record")
    asked = view.confirmation
    assert isinstance(asked, QMessageBox)
    delete = next(button for button in asked.buttons() if button.text() == "Delete")
    with qtbot.waitSignal(view.delete_requested, timeout=1000) as deleted:
        delete.click()
    assert deleted.args == ["tr-draft"]


def test_the_view_holds_the_wizard_and_forgets_everything_on_clear(
        view: ThoughtRecordsView) -> None:
    view.show_wizard(view_draft := new_draft("tr-draft", situation="Missed the deadline.",
                                             step="emotions"))
    assert view.stack.currentWidget() is view.wizard
    assert view.wizard.record() == view_draft
    view.show_list()
    assert view.stack.currentWidget() is not view.wizard
    view.clear()
    assert view.records_list.count() == 0
    assert named(view.wizard, QPlainTextEdit, "Situation").toPlainText() == ""
    with pytest.raises(RuntimeError):
        view.wizard.record()
