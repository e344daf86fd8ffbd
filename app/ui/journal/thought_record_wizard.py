"""The guided CBT thought record, one step at a time: situation, automatic thoughts, emotions,
thinking distortions (with the companion's help if a model is loaded), evidence, a balanced
thought, and re-rating the thoughts and feelings.

Any step may be left empty (people skip, and come back); only finishing needs a situation and a
thought. Nothing is lost: the record is offered for saving as a draft shortly after each edit, at
once on every step change, and on "Save and close". The widget never touches the vault: it emits
ThoughtRecords and is told whether they were saved."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.journal.companion import Suggestions
from app.journal.thought_record_steps import (
    STEP_INSTRUCTIONS,
    not_ready_to_finish,
    step_heading,
)
from app.ui.common.icons import icon
from app.ui.common.widgets import (
    heading_label,
    wrapping_label,
)
from app.ui.journal.thought_record_pages import HELP_TEXT, ThoughtRecordPages
from app.ui.journal.thought_record_parts import (
    ThoughtRow,
)
from app.vault.records import (
    THOUGHT_RECORD_STEPS,
    AutomaticThought,
    Emotion,
    Rerating,
    ThoughtRecord,
    ThoughtRecordStatus,
)

AUTOSAVE_MS = 800  # after the last edit: a pause in typing, not every keystroke
HELP_TIP = ("Ask the loaded model which thinking traps might be in what you wrote. It only "
            "suggests; you decide.")
NOTHING_TO_LOOK_AT = "Write the situation or a thought first, so there is something to look at."


class ThoughtRecordWizard(QWidget, ThoughtRecordPages):
    save_requested = Signal(object)  # ThoughtRecord, status "draft"
    finished = Signal(object)  # ThoughtRecord, status "complete", step "rerate"
    closed = Signal()  # after "Save and close"
    help_requested = Signal(str)  # the record's text so far: the situation and the thoughts
    help_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base: ThoughtRecord | None = None
        self._status: ThoughtRecordStatus = "draft"
        self._loading = False  # filling the fields in: that is no edit to save
        self._help_available = False
        self._help_reason = "Load a model first"
        self._help_busy = False
        self._thought_rows: list[ThoughtRow] = []
        # Each feeling's intensity on the re-rate step, by name; a feeling gets one there.
        self._new_intensities: dict[str, int] = {}
        self._rerate_sliders: list[QSlider] = []
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self._save_now)

        self.step_label = heading_label()
        self.step_label.setAccessibleName("Step")
        self.save_label = QLabel()
        self.save_label.setAccessibleName("Save state")
        self.save_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.instruction_label = wrapping_label()
        self.instruction_label.setAccessibleName("What to write")
        self.stack = QStackedWidget()
        for page in (self._situation_page(), self._thoughts_page(), self._emotions_page(),
                     self._distortions_page(), self._evidence_page(),
                     self._balanced_thought_page(), self._rerate_page()):
            self.stack.addWidget(page)
        self.notice = wrapping_label()
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        self.save_problem = wrapping_label()
        self.save_problem.setAccessibleName("Save problem")
        self.retry_button = QPushButton("Try again")
        self.retry_button.setAccessibleName("Try saving again")
        self.save_close_button = QPushButton("Save and close")
        self.save_close_button.setAccessibleName("Save and close")
        self.save_close_button.setToolTip("Keep this as a draft and come back to it later")
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Back")
        self.next_button = QPushButton("Next")
        self.next_button.setAccessibleName("Next")
        self.next_button.setDefault(True)
        self.finish_button = QPushButton(icon("check"), "Finish")
        self.finish_button.setAccessibleName("Finish")

        header = QHBoxLayout()
        header.addWidget(self.step_label, 1)
        header.addWidget(self.save_label)
        self._problem_row = QWidget()
        problem = QHBoxLayout(self._problem_row)
        problem.setContentsMargins(0, 0, 0, 0)
        problem.addWidget(self.save_problem, 1)
        problem.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        self._problem_row.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.instruction_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.notice)
        layout.addWidget(self._problem_row)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(lambda: self._go_to(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self._go_to(self.stack.currentIndex() + 1))
        self.finish_button.clicked.connect(self._finish)
        self.save_close_button.clicked.connect(self._save_and_close)
        self.retry_button.clicked.connect(self._save_now)
        for box in (self.situation_edit, self.evidence_for_edit, self.evidence_against_edit,
                    self.balanced_edit):
            box.textChanged.connect(self._edited)
        self._show_step(0)

    # -- state in and out -------------------------------------------------------------------

    def start(self, record: ThoughtRecord) -> None:
        """Show `record` at its step, every field as it was left."""
        self.clear()
        self._loading = True
        self._base = record
        self.situation_edit.setPlainText(record.situation)
        new_beliefs = {rerating.thought: rerating.belief for rerating in record.rerated_beliefs}
        for index, thought in enumerate(record.thoughts):
            self._add_thought(thought.text, thought.belief, new_beliefs.get(index))
        if not self._thought_rows:
            self._add_thought()
        self.emotions_editor.set_emotions(record.emotions)
        self._new_intensities = dict(record.rerated_emotions)
        self.picker.set_chosen(record.distortions)
        self.evidence_for_edit.setPlainText(record.evidence_for)
        self.evidence_against_edit.setPlainText(record.evidence_against)
        self.balanced_edit.setPlainText(record.balanced_thought)
        self._show_step(THOUGHT_RECORD_STEPS.index(record.step))
        self._loading = False

    def record(self) -> ThoughtRecord:
        """The record as it stands now, at the step the person is on."""
        return self._built(self._status, THOUGHT_RECORD_STEPS[self.stack.currentIndex()])

    def saved(self, record: ThoughtRecord) -> None:
        """The save landed: `record` (with the vault's id and times) is the base from now on."""
        self._base = record
        self._problem_row.hide()
        if not self._autosave.isActive():  # else newer edits are still on their way
            self.save_label.setText("Saved")

    def save_failed(self, text: str) -> None:
        """Says why; every field keeps what was written, and the next edit tries again."""
        self.save_label.setText("Not saved")
        self.save_problem.setText(f"Your thought record could not be saved: {text} What you "
                                  "wrote is still here; it is saved again with your next change.")
        self._problem_row.show()

    def flush(self) -> None:
        """An edit still waiting for the pause in typing is offered for saving now (the vault is
        about to lock); with none waiting, nothing is."""
        if self._autosave.isActive():
            self._save_now()

    def clear(self) -> None:
        """Forget everything (the vault is locking)."""
        self._autosave.stop()
        self._loading = True
        self._base = None
        self._status = "draft"
        self.situation_edit.clear()
        for row in list(self._thought_rows):
            self._drop_thought_row(row)
        self.emotions_editor.clear()
        self._new_intensities = {}
        self.picker.set_chosen(())
        self.picker.clear_suggestions()
        self.help_note.clear()
        self.set_help_busy(False)
        self.evidence_for_edit.clear()
        self.evidence_against_edit.clear()
        self.balanced_edit.clear()
        self.save_label.clear()
        self.save_problem.clear()
        self._problem_row.hide()
        self._show_step(0)
        self._loading = False

    # -- the companion's help ----------------------------------------------------------------

    def set_help_available(self, available: bool, reason: str = "") -> None:
        """Whether "Help me look at this" can be used; `reason` says why not (on its tooltip)."""
        self._help_available = available
        self._help_reason = reason
        self._refresh_help_button()

    def set_help_busy(self, busy: bool) -> None:
        self._help_busy = busy
        self.stop_help_button.setVisible(busy)
        self._refresh_help_button()

    def show_suggestions(self, suggestions: Suggestions) -> None:
        """The companion's answer; looking is over."""
        self.set_help_busy(False)
        self.help_note.clear()
        self.picker.show_suggestions(suggestions)

    def show_help_error(self, text: str) -> None:
        self.set_help_busy(False)
        self.help_note.setText(text)

    # -- the steps ---------------------------------------------------------------------------

    # -- moving between steps -----------------------------------------------------------------

    def _go_to(self, index: int) -> None:
        self.emotions_editor.take_typed()
        self._show_step(index)
        self._save_now()
        self._focus_step()

    def _show_step(self, index: int) -> None:
        step = THOUGHT_RECORD_STEPS[index]
        if step == "balanced_thought":
            self._refresh_reference()
        elif step == "rerate":
            self._build_rerate()
        self.stack.setCurrentIndex(index)
        self.step_label.setText(step_heading(step))
        self.instruction_label.setText(STEP_INSTRUCTIONS[step])
        last = index == len(THOUGHT_RECORD_STEPS) - 1
        self.back_button.setEnabled(index > 0)
        self.next_button.setVisible(not last)
        self.finish_button.setVisible(last)
        self.finish_button.setDefault(last)
        self.next_button.setDefault(not last)
        self.notice.hide()

    def _focus_step(self) -> None:
        step = THOUGHT_RECORD_STEPS[self.stack.currentIndex()]
        first: QWidget | None = {
            "situation": self.situation_edit,
            "thoughts": self._thought_rows[0].text_edit if self._thought_rows else None,
            "emotions": self.emotions_editor,
            "distortions": self.picker,
            "evidence": self.evidence_for_edit,
            "balanced_thought": self.balanced_edit,
            "rerate": self._rerate_sliders[0] if self._rerate_sliders else None,
        }[step]
        if first is not None:
            first.setFocus()

    def _finish(self) -> None:
        if self._base is None:
            return
        record = self._built("complete", THOUGHT_RECORD_STEPS[-1])
        problem = not_ready_to_finish(record)
        if problem is not None:
            self.notice.setText(problem)
            self.notice.show()
            return
        self._autosave.stop()
        self._status = "complete"
        self.finished.emit(record)

    def _save_and_close(self) -> None:
        self.emotions_editor.take_typed()
        self._save_now()
        self.closed.emit()

    # -- saving ------------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._loading or self._base is None:
            return
        self.save_label.setText("Saving…")
        self._autosave.start()

    def _save_now(self) -> None:
        self._autosave.stop()
        if self._base is None:
            return
        self.save_label.setText("Saving…")
        self.save_requested.emit(self.record())

    def _built(self, status: ThoughtRecordStatus, step: str) -> ThoughtRecord:
        if self._base is None:
            raise RuntimeError("No thought record is open: start() one first.")
        kept = self._kept_thoughts()
        return dataclasses.replace(
            self._base,
            situation=self.situation_edit.toPlainText().strip(),
            thoughts=tuple(AutomaticThought(row.text_edit.text().strip(),
                                            row.belief_slider.value()) for row in kept),
            emotions=self.emotions_editor.emotions(),
            distortions=self.picker.chosen(),
            evidence_for=self.evidence_for_edit.toPlainText().strip(),
            evidence_against=self.evidence_against_edit.toPlainText().strip(),
            balanced_thought=self.balanced_edit.toPlainText().strip(),
            rerated_beliefs=tuple(Rerating(index, row.new_belief)
                                  for index, row in enumerate(kept) if row.new_belief is not None),
            rerated_emotions=tuple(Emotion(name, self._new_intensities[name])
                                   for name, _ in self.emotions_editor.emotions()
                                   if name in self._new_intensities),
            status=status,
            step=step,
        )

    def _ask_for_help(self) -> None:
        parts = [self.situation_edit.toPlainText().strip()]
        parts += [row.text_edit.text().strip() for row in self._kept_thoughts()]
        text = "\n\n".join(part for part in parts if part)
        if not text:
            self.help_note.setText(NOTHING_TO_LOOK_AT)
            return
        self.help_note.clear()
        self.help_requested.emit(text)

    def _refresh_help_button(self) -> None:
        self.help_button.setText("Looking…" if self._help_busy else HELP_TEXT)
        self.help_button.setEnabled(self._help_available and not self._help_busy)
        tip = HELP_TIP if self._help_available else self._help_reason
        self.help_button.setToolTip(tip)
        self.help_button.setAccessibleDescription(tip)
