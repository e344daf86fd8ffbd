"""The thought record's seven pages as the wizard builds them, and what happens on them: automatic
thoughts added, removed and numbered; feelings edited; the thoughts shown again beside the balanced
thought; one slider per thought and feeling to re-rate. Part of ThoughtRecordWizard (a mixin over
its own state, so that the wizard's file keeps to moving between steps and saving)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QVBoxLayout, QWidget

from app.ui.common.icons import icon
from app.ui.common.widgets import discard, muted_label, wrapping_label
from app.ui.journal.distortion_picker import DistortionPicker
from app.ui.journal.emotions_editor import EmotionsEditor, percent_slider
from app.ui.journal.thought_record_parts import (
    DEFAULT_RATING,
    ThoughtRow,
    bold_label,
    labelled,
    scrolling,
    step_page,
    text_box,
)

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

HELP_TEXT = "Help me look at this"


class ThoughtRecordPages:
    """What the pages need of the wizard; ThoughtRecordWizard sets it all up."""

    _thought_rows: list[ThoughtRow]
    _new_intensities: dict[str, int]
    _rerate_sliders: list[QSlider]
    help_cancelled: SignalInstance

    if TYPE_CHECKING:  # the wizard's own, which the pages use
        def _edited(self) -> None: ...
        def _ask_for_help(self) -> None: ...
        def _refresh_help_button(self) -> None: ...

    def _situation_page(self) -> QWidget:
        self.situation_edit = text_box("Situation", "Who, what, when, where")
        return step_page(self.situation_edit)

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
        return scrolling(content)

    def _emotions_page(self) -> QWidget:
        self.emotions_editor = EmotionsEditor()
        self.emotions_editor.changed.connect(self._emotions_edited)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.emotions_editor)
        column.addStretch(1)
        return scrolling(content)

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
        self.evidence_for_edit = text_box("Evidence for",
                                           "Facts that support the thoughts")
        self.evidence_against_edit = text_box("Evidence against",
                                               "Facts that do not fit the thoughts")
        return step_page(labelled("Evidence &for the thoughts:", self.evidence_for_edit),
                         labelled("Evidence &against the thoughts:", self.evidence_against_edit))

    def _balanced_thought_page(self) -> QWidget:
        self.thoughts_reference = muted_label()
        self.thoughts_reference.setAccessibleName("Your thoughts")
        self.thoughts_reference.setTextFormat(Qt.TextFormat.PlainText)
        self.balanced_edit = text_box("Balanced thought", "A fairer way to see it")
        return step_page(self.thoughts_reference,
                         labelled("&Balanced thought:", self.balanced_edit))

    def _rerate_page(self) -> QWidget:
        content = QWidget()
        self._rerate_column = QVBoxLayout(content)
        return scrolling(content)

    # -- thoughts ----------------------------------------------------------------------------

    def _on_add_thought(self) -> None:
        row = self._add_thought()
        row.text_edit.setFocus()
        self._edited()

    def _add_thought(self, text: str = "", belief: int = DEFAULT_RATING,
                     new_belief: int | None = None) -> ThoughtRow:
        row = ThoughtRow(text, belief, new_belief)
        row.text_edit.textChanged.connect(self._edited)
        row.belief_slider.valueChanged.connect(self._edited)
        row.remove_button.clicked.connect(lambda: self._remove_thought(row))
        self._thought_rows.append(row)
        self._thought_column.addWidget(row)
        self._renumber_thoughts()
        return row

    def _remove_thought(self, row: ThoughtRow) -> None:
        self._drop_thought_row(row)
        if not self._thought_rows:  # always somewhere to write the next one
            self._add_thought()
        self._edited()

    def _drop_thought_row(self, row: ThoughtRow) -> None:
        self._thought_rows.remove(row)
        self._thought_column.removeWidget(row)
        discard(row)
        self._renumber_thoughts()

    def _renumber_thoughts(self) -> None:
        for number, row in enumerate(self._thought_rows, start=1):
            row.number(number)

    def _kept_thoughts(self) -> list[ThoughtRow]:
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
        self._rerate_column.addWidget(bold_label("Your thoughts"))
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
        self._rerate_column.addWidget(bold_label("Your feelings"))
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
