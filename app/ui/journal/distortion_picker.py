"""Choosing the thinking distortions that fit a thought record: each of the shipped distortions
with its plain explanation and an example, ticked by the person.

The companion's suggestions are shown above the list with the person's own words and a gentle
question, and are never ticked for them: each suggestion has its own tick box, the same choice as
the one in the list, so deciding stays with the person and is one click away."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.journal.companion import Suggestions
from app.journal.distortions import Distortion, distortions
from app.ui.common.widgets import discard, muted_label, wrapping_label

MODEL_TOO_SMALL = ("The model could not find anything it could back with your own words; a "
                   "larger model usually does better.")
NOTHING_FOUND = "The model found nothing that looks like a thinking trap."
SUGGESTIONS_INTRO = ("The model wonders whether these might fit. They are only suggestions: tick "
                     "one only if it rings true to you.")


class DistortionPicker(QWidget):
    changed = Signal()  # the person ticked or unticked a distortion (not emitted by set_chosen)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._distortions = distortions()
        # Every tick box of a distortion, the list's own first: a suggestion adds one more.
        self._boxes: dict[str, list[QCheckBox]] = {}
        # Ids a newer version wrote that this one does not list: kept, so nothing is lost.
        self._unknown: tuple[str, ...] = ()
        self._cards: list[QFrame] = []

        self.suggestion_note = wrapping_label()
        self.suggestion_note.setAccessibleName("Suggestions")
        self.suggestion_note.hide()
        self._suggestion_column = QVBoxLayout()
        self._suggestion_column.setContentsMargins(0, 0, 0, 0)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.suggestion_note)
        column.addLayout(self._suggestion_column)
        for distortion in self._distortions:
            row = _DistortionRow(distortion)
            self._boxes[distortion.id] = [row.check]
            self._connect(distortion.id, row.check)
            column.addWidget(row)
        column.addStretch(1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(content)
        self._scroll.setAccessibleName("Thinking distortions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)

    def set_chosen(self, ids: Sequence[str]) -> None:
        wanted = set(ids)
        for distortion_id, boxes in self._boxes.items():
            for box in boxes:
                with QSignalBlocker(box):
                    box.setChecked(distortion_id in wanted)
        self._unknown = tuple(i for i in ids if i not in self._boxes)

    def chosen(self) -> tuple[str, ...]:
        """The ticked ids in the list's order, then any this version does not know."""
        ticked = tuple(d.id for d in self._distortions if self._boxes[d.id][0].isChecked())
        return ticked + self._unknown

    def show_suggestions(self, suggestions: Suggestions) -> None:
        self.clear_suggestions()
        names = {distortion.id: distortion.name for distortion in self._distortions}
        offered = [s for s in suggestions.suggestions if s.distortion in names]
        if suggestions.model_too_small:
            self.suggestion_note.setText(MODEL_TOO_SMALL)
        elif not offered:
            self.suggestion_note.setText(NOTHING_FOUND)
        else:
            self.suggestion_note.setText(SUGGESTIONS_INTRO)
        self.suggestion_note.show()
        for suggestion in offered:
            name = names[suggestion.distortion]
            card = QFrame()
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setAutoFillBackground(True)
            card.setBackgroundRole(QPalette.ColorRole.Base)
            card.setAccessibleName(f"Suggestion: {name}")
            words = wrapping_label(f"<b>{html.escape(name)}</b>, in your words "
                                    f"“{html.escape(suggestion.quote)}”")
            words.setTextFormat(Qt.TextFormat.RichText)
            question = wrapping_label(suggestion.question)
            question.setTextFormat(Qt.TextFormat.PlainText)
            _italic(question)
            tick = QCheckBox(f"Tick {name}")
            tick.setAccessibleName(f"Tick {name}")
            tick.setChecked(self._boxes[suggestion.distortion][0].isChecked())
            self._boxes[suggestion.distortion].append(tick)
            self._connect(suggestion.distortion, tick)
            inside = QVBoxLayout(card)
            inside.addWidget(words)
            inside.addWidget(question)
            inside.addWidget(tick, 0, Qt.AlignmentFlag.AlignLeft)  # only its words click
            self._suggestion_column.addWidget(card)
            self._cards.append(card)
        self._scroll.verticalScrollBar().setValue(0)

    def clear_suggestions(self) -> None:
        for boxes in self._boxes.values():
            del boxes[1:]
        for card in self._cards:
            self._suggestion_column.removeWidget(card)
            discard(card)
        self._cards.clear()
        self.suggestion_note.clear()
        self.suggestion_note.hide()

    def _connect(self, distortion_id: str, box: QCheckBox) -> None:
        box.toggled.connect(lambda checked: self._on_toggled(distortion_id, checked))

    def _on_toggled(self, distortion_id: str, checked: bool) -> None:
        for box in self._boxes[distortion_id]:
            with QSignalBlocker(box):
                box.setChecked(checked)
        self.changed.emit()


class _DistortionRow(QFrame):
    """A distortion's tick box with its explanation and example under its name; a click anywhere
    on the row ticks it, as a click on the name would."""

    def __init__(self, distortion: Distortion) -> None:
        super().__init__()
        self.check = QCheckBox(distortion.name)
        self.check.setAccessibleName(distortion.name)
        self.check.setAccessibleDescription(distortion.explanation)
        bold = self.check.font()
        bold.setBold(True)
        self.check.setFont(bold)
        explanation = wrapping_label(distortion.explanation)
        example = muted_label(f"e.g. {distortion.example}")
        _italic(example)
        style = self.style()
        indent = (style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
                  + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing))
        for label in (explanation, example):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setIndent(indent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.check)
        layout.addWidget(explanation)
        layout.addWidget(example)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position()
                                                                                 .toPoint()):
            self.check.toggle()
            self.check.setFocus()
        super().mouseReleaseEvent(event)


def _italic(label: QLabel) -> None:
    font = label.font()
    font.setItalic(True)
    label.setFont(font)
