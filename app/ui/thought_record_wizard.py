"""The guided CBT thought record, one step at a time: situation, automatic thoughts, emotions,
thinking distortions (with the companion's help if a model is loaded), evidence, a balanced
thought, and re-rating the thoughts and feelings.

Any step may be left empty (people skip, and come back); only finishing needs a situation and a
thought. Nothing is lost: the record is offered for saving as a draft shortly after each edit, at
once on every step change, and on "Save and close". The widget never touches the vault: it emits
ThoughtRecords and is told whether they were saved."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.journal.companion import Suggestions
from app.ui.common_widgets import (
    buddy_label,
    discard,
    heading_label,
    muted_label,
    wrapping_label,
)
from app.ui.distortion_picker import DistortionPicker
from app.ui.emotions_editor import EmotionsEditor, percent_slider
from app.ui.icons import icon
from app.vault.records import (
    THOUGHT_RECORD_STEPS,
    AutomaticThought,
    Emotion,
    Rerating,
    ThoughtRecord,
    ThoughtRecordStatus,
)

AUTOSAVE_MS = 800  # after the last edit: a pause in typing, not every keystroke
DEFAULT_RATING = 50  # where a new belief slider starts: the middle, no suggestion
STEP_TITLES = {
    "situation": "Situation",
    "thoughts": "Automatic thoughts",
    "emotions": "Emotions",
    "distortions": "Thinking traps",
    "evidence": "Evidence",
    "balanced_thought": "Balanced thought",
    "rerate": "Re-rate",
}
STEP_INSTRUCTIONS = {
    "situation": (
        "What happened? Describe the moment briefly: who was there, what happened, when and "
        "where — the facts, as a camera would have seen them. For example: “Tuesday morning, "
        "team meeting: my manager frowned while I presented.”"),
    "thoughts": (
        "What went through your mind? Write each thought as it came to you, in your own words, "
        "and how much you believed it, from 0 % (not at all) to 100 % (completely). For "
        "example: “She thinks my work is useless.” — 80 %."),
    "emotions": (
        "How did you feel? Name each feeling in a word, picked from the list or typed, and how "
        "strong it was, from 0 to 100 %. For example: anxious 70 %, embarrassed 50 %."),
    "distortions": (
        "Thinking traps are common habits of mind, not faults. Tick any that seem to fit your "
        "thoughts, or none. If a model is loaded, it can suggest a few for you to consider."),
    "evidence": (
        "What supports the thoughts, and what does not? Write facts rather than feelings. For "
        "example, against: “Last month she thanked me for the report.”"),
    "balanced_thought": (
        "Looking at all of it, what is a fairer way to see the situation? It does not have to "
        "be positive, only balanced. For example: “She may have been frowning at something "
        "else; my work has been praised before.”"),
    "rerate": (
        "Now, how much do you believe each of the first thoughts, and how strong is each "
        "feeling? Any change, even a small one, counts."),
}
HELP_TEXT = "Help me look at this"
HELP_TIP = ("Ask the loaded model which thinking traps might be in what you wrote. It only "
            "suggests; you decide.")
NOTHING_TO_LOOK_AT = "Write the situation or a thought first, so there is something to look at."


class ThoughtRecordWizard(QWidget):
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
        self._thought_rows: list[_ThoughtRow] = []
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

    def _situation_page(self) -> QWidget:
        self.situation_edit = _text_box("Situation", "Who, what, when, where")
        return _page(self.situation_edit)

    def _thoughts_page(self) -> QWidget:
        self._thought_column = QVBoxLayout()
        self._thought_column.setContentsMargins(0, 0, 0, 0)
        self.add_thought_button = QPushButton(icon("new"), "Add thought")
        self.add_thought_button.setAccessibleName("Add thought")
        self.add_thought_button.clicked.connect(self._on_add_thought)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addLayout(self._thought_column)
        column.addWidget(self.add_thought_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        return _scrolling(content)

    def _emotions_page(self) -> QWidget:
        self.emotions_editor = EmotionsEditor()
        self.emotions_editor.changed.connect(self._emotions_edited)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.emotions_editor)
        column.addStretch(1)
        return _scrolling(content)

    def _distortions_page(self) -> QWidget:
        self.picker = DistortionPicker()
        self.picker.changed.connect(self._edited)
        self.help_button = QPushButton(HELP_TEXT)
        self.help_button.setAccessibleName(HELP_TEXT)
        self.help_button.clicked.connect(self._ask_for_help)
        self.stop_help_button = QPushButton(icon("stop"), "Stop")
        self.stop_help_button.setAccessibleName("Stop")
        self.stop_help_button.setToolTip("Stop the model looking")
        self.stop_help_button.clicked.connect(self.help_cancelled)
        self.stop_help_button.hide()
        self.help_note = wrapping_label()
        self.help_note.setAccessibleName("Help message")
        self._refresh_help_button()
        helper = QHBoxLayout()
        helper.addWidget(self.help_button)
        helper.addWidget(self.stop_help_button)
        helper.addWidget(self.help_note, 1)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(helper)
        column.addWidget(self.picker, 1)
        return page

    def _evidence_page(self) -> QWidget:
        self.evidence_for_edit = _text_box("Evidence for",
                                           "Facts that support the thoughts")
        self.evidence_against_edit = _text_box("Evidence against",
                                               "Facts that do not fit the thoughts")
        return _page(_labelled("Evidence &for the thoughts:", self.evidence_for_edit),
                     _labelled("Evidence &against the thoughts:", self.evidence_against_edit))

    def _balanced_thought_page(self) -> QWidget:
        self.thoughts_reference = muted_label()
        self.thoughts_reference.setAccessibleName("Your thoughts")
        self.thoughts_reference.setTextFormat(Qt.TextFormat.PlainText)
        self.balanced_edit = _text_box("Balanced thought", "A fairer way to see it")
        return _page(self.thoughts_reference,
                     _labelled("&Balanced thought:", self.balanced_edit))

    def _rerate_page(self) -> QWidget:
        content = QWidget()
        self._rerate_column = QVBoxLayout(content)
        return _scrolling(content)

    # -- thoughts ----------------------------------------------------------------------------

    def _on_add_thought(self) -> None:
        row = self._add_thought()
        row.text_edit.setFocus()
        self._edited()

    def _add_thought(self, text: str = "", belief: int = DEFAULT_RATING,
                     new_belief: int | None = None) -> _ThoughtRow:
        row = _ThoughtRow(text, belief, new_belief)
        row.text_edit.textChanged.connect(self._edited)
        row.belief_slider.valueChanged.connect(self._edited)
        row.remove_button.clicked.connect(lambda: self._remove_thought(row))
        self._thought_rows.append(row)
        self._thought_column.addWidget(row)
        self._renumber_thoughts()
        return row

    def _remove_thought(self, row: _ThoughtRow) -> None:
        self._drop_thought_row(row)
        if not self._thought_rows:  # always somewhere to write the next one
            self._add_thought()
        self._edited()

    def _drop_thought_row(self, row: _ThoughtRow) -> None:
        self._thought_rows.remove(row)
        self._thought_column.removeWidget(row)
        discard(row)
        self._renumber_thoughts()

    def _renumber_thoughts(self) -> None:
        for number, row in enumerate(self._thought_rows, start=1):
            row.number(number)

    def _kept_thoughts(self) -> list[_ThoughtRow]:
        """The thoughts that have words: an empty row is a place to write, not a thought."""
        return [row for row in self._thought_rows if row.text_edit.text().strip()]

    # -- emotions ----------------------------------------------------------------------------

    def _emotions_edited(self) -> None:
        # A removed feeling takes its re-rating with it (one listed again starts afresh).
        listed = {emotion.name for emotion in self.emotions_editor.emotions()}
        self._new_intensities = {name: value for name, value in self._new_intensities.items()
                                 if name in listed}
        self._edited()

    # -- balanced thought and re-rating -------------------------------------------------------

    def _refresh_reference(self) -> None:
        kept = self._kept_thoughts()
        if kept:
            lines = [f"• {row.text_edit.text().strip()} ({row.belief_slider.value()} %)"
                     for row in kept]
            self.thoughts_reference.setText("Your thoughts:\n" + "\n".join(lines))
        else:
            self.thoughts_reference.setText("You have not written any thoughts yet.")

    def _build_rerate(self) -> None:
        """One slider per thought and feeling as they are now, each starting where it was
        re-rated before or, the first time, at the first rating (no change until moved)."""
        while (item := self._rerate_column.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                discard(widget)
        self._rerate_sliders = []
        kept = self._kept_thoughts()
        self._rerate_column.addWidget(_heading("Your thoughts"))
        if not kept:
            self._rerate_column.addWidget(muted_label("There are no thoughts to re-rate."))
        for number, row in enumerate(kept, start=1):
            if row.new_belief is None:
                row.new_belief = row.belief_slider.value()
            self._add_rerating(f"“{row.text_edit.text().strip()}” — you believed it "
                               f"{row.belief_slider.value()} % before.",
                               f"New belief in thought {number}", row.new_belief,
                               row.set_new_belief)
        self._rerate_column.addSpacing(12)
        self._rerate_column.addWidget(_heading("Your feelings"))
        emotions = self.emotions_editor.emotions()
        if not emotions:
            self._rerate_column.addWidget(muted_label("There are no feelings to re-rate."))
        for name, intensity in emotions:
            self._add_rerating(f"{name} — it was {intensity} % before.", f"New intensity of {name}",
                               self._new_intensities.setdefault(name, intensity),
                               functools.partial(self._new_intensities.__setitem__, name))
        self._rerate_column.addStretch(1)

    def _add_rerating(self, text: str, name: str, value: int,
                      keep: Callable[[int], None]) -> None:
        label = wrapping_label(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        rating, slider = percent_slider(name, value)
        slider.valueChanged.connect(keep)
        slider.valueChanged.connect(self._edited)
        self._rerate_sliders.append(slider)
        self._rerate_column.addWidget(label)
        self._rerate_column.addWidget(rating)

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
        self.step_label.setText(
            f"Step {index + 1} of {len(THOUGHT_RECORD_STEPS)} · {STEP_TITLES[step]}")
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
        missing = []
        if not self.situation_edit.toPlainText().strip():
            missing.append("the situation (step 1)")
        if not self._kept_thoughts():
            missing.append("at least one thought (step 2)")
        if missing:
            self.notice.setText(f"To finish, the record needs {' and '.join(missing)}. Go Back "
                                "to add them whenever you are ready; everything else can stay "
                                "empty, and your work is kept as a draft.")
            self.notice.show()
            return
        if self._base is None:
            return
        self._autosave.stop()
        self._status = "complete"
        self.finished.emit(self._built("complete", THOUGHT_RECORD_STEPS[-1]))

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


class _ThoughtRow(QFrame):
    """One automatic thought: its words, how much it was believed, and, once re-rated, how much
    it is believed now."""

    def __init__(self, text: str, belief: int, new_belief: int | None) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.new_belief = new_belief
        self.text_edit = QLineEdit(text)
        self.text_edit.setPlaceholderText("e.g. She thinks my work is useless.")
        self.text_label = QLabel()
        self.text_label.setBuddy(self.text_edit)
        rating, self.belief_slider = percent_slider("", belief)
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("delete"))
        grid = QGridLayout(self)
        grid.addWidget(self.text_label, 0, 0)
        grid.addWidget(self.text_edit, 0, 1)
        grid.addWidget(self.remove_button, 0, 2)
        grid.addWidget(QLabel("Believed:"), 1, 0)
        grid.addWidget(rating, 1, 1)
        grid.setColumnStretch(1, 1)

    def number(self, number: int) -> None:
        self.text_label.setText(f"Thought {number}:")
        self.text_edit.setAccessibleName(f"Thought {number}")
        self.belief_slider.setAccessibleName(f"Belief in thought {number}")
        self.remove_button.setAccessibleName(f"Remove thought {number}")
        self.remove_button.setToolTip(f"Remove thought {number}")

    def set_new_belief(self, value: int) -> None:
        self.new_belief = value


def _text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # keyboard users move on with Tab, as in any form
    return box


def _labelled(text: str, box: QWidget) -> QWidget:
    holder = QWidget()
    label = buddy_label(text, box)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(label)
    column.addWidget(box, 1)
    return holder


def _page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)
    return page


def _scrolling(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label
