"""The Mood tab of the journal: the check-in form at the side, the mood chart with its span
(days, weeks, months) and the most recent check-ins. It shows the records the page hands it and
emits what the person does; the page talks to the vault."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.journal.feelings import mood_word
from app.journal.mood_history import SPANS, MoodPoint, first_entry_day, period_name
from app.ui.journal.mood_chart import MoodChart
from app.ui.journal.mood_checkin import CheckinDraft, MoodCheckinForm
from app.vault.records import MoodCheckin

RECENT_SHOWN = 6
FORM_WIDTH = 340
DAY_ROLE = Qt.ItemDataRole.UserRole


def recent_line(checkin: MoodCheckin) -> str:
    """One check-in for the recent list: "Tue 3 Nov · 7 good · calm 60 · a walk · journal entry"."""
    parts = [period_name(datetime.date.fromisoformat(checkin.day), "days"),
             f"{checkin.mood} {mood_word(checkin.mood)}"]
    if checkin.emotions:
        parts.append(", ".join(f"{name} {intensity}" for name, intensity in checkin.emotions))
    if checkin.note:
        parts.append(checkin.note)
    if checkin.entry_id is not None:
        parts.append("journal entry")
    return " · ".join(parts)


class MoodView(QWidget):
    checkin_submitted = Signal(object)  # CheckinDraft
    day_chosen = Signal(str)  # ISO day whose journal entries the page shows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checkins: tuple[MoodCheckin, ...] = ()
        self.form = MoodCheckinForm()
        form_frame = QFrame()
        form_frame.setFrameShape(QFrame.Shape.StyledPanel)
        form_frame.setFixedWidth(FORM_WIDTH)
        QVBoxLayout(form_frame).addWidget(self.form)

        heading = QLabel("Your mood")
        heading_font = QFont(heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        heading_font.setBold(True)
        heading.setFont(heading_font)
        self.span_buttons = QWidget()
        self.span_buttons.setAccessibleName("Chart span")
        self.span_group = QButtonGroup(self)
        span_layout = QHBoxLayout(self.span_buttons)
        span_layout.setContentsMargins(0, 0, 0, 0)
        span_layout.setSpacing(0)  # segmented: the three buttons read as one control
        for span in SPANS:
            button = QPushButton(span.capitalize())
            button.setCheckable(True)
            button.setAccessibleName(span.capitalize())
            button.setToolTip(f"One point per {span[:-1]}")
            button.setProperty("span", span)
            self.span_group.addButton(button)
            span_layout.addWidget(button)
        self.span_group.buttons()[0].setChecked(True)
        self._mark_chosen_span()
        header = QHBoxLayout()
        header.addWidget(heading)
        header.addStretch(1)
        header.addWidget(self.span_buttons)

        self.chart = MoodChart()
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent check-ins")
        self.recent_list.setToolTip("Double-click or press Enter to open that day's entries")
        self.recent_list.setMaximumHeight(
            (self.recent_list.fontMetrics().lineSpacing() + 4) * RECENT_SHOWN + 8)
        self.recent_list.setWordWrap(True)
        self.recent_list.setSpacing(2)
        self.recent_label = QLabel("Recent check-ins")
        self.recent_label.setBuddy(self.recent_list)

        chart_column = QVBoxLayout()
        chart_column.addLayout(header)
        chart_column.addWidget(self.chart, 1)
        chart_column.addWidget(self.recent_label)
        chart_column.addWidget(self.recent_list)
        layout = QHBoxLayout(self)
        layout.addWidget(form_frame, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(chart_column, 1)

        self.form.submitted.connect(self._on_submitted)
        self.span_group.buttonClicked.connect(self._on_span_clicked)
        self.chart.point_clicked.connect(self._on_point_clicked)
        self.recent_list.itemActivated.connect(self._on_recent_activated)
        self._show_recent()

    def set_checkins(self, checkins: Sequence[MoodCheckin],
                     today: datetime.date | None = None) -> None:
        self._checkins = tuple(checkins)
        self.chart.set_checkins(self._checkins, today)
        self.recent_list.clear()
        newest = sorted(self._checkins, key=lambda each: (each.day, each.created), reverse=True)
        for checkin in newest[:RECENT_SHOWN]:
            item = QListWidgetItem(recent_line(checkin))
            item.setData(DAY_ROLE, checkin.day)
            if checkin.entry_id is not None:
                item.setToolTip("Has a journal entry")
            self.recent_list.addItem(item)
        self._show_recent()

    def checkin_saved(self) -> None:
        self.form.reset()
        self.form.set_busy(False)

    def show_error(self, text: str) -> None:
        """The save failed: say so by the form and let the person try again."""
        self.form.show_error(text)
        self.form.set_busy(False)

    def clear(self) -> None:
        """Forgets every check-in and whatever was typed (the app locked)."""
        self._checkins = ()
        self.chart.clear()
        self.recent_list.clear()
        self._show_recent()
        self.form.reset()
        self.form.set_busy(False)

    def _show_recent(self) -> None:
        # An empty list box under the chart's own "no check-ins yet" only adds clutter.
        shown = self.recent_list.count() > 0
        self.recent_label.setVisible(shown)
        self.recent_list.setVisible(shown)

    def _on_submitted(self, draft: CheckinDraft) -> None:
        self.form.set_busy(True)
        self.checkin_submitted.emit(draft)

    def _on_span_clicked(self, button: QAbstractButton) -> None:
        self.chart.set_span(str(button.property("span")))
        self._mark_chosen_span()

    def _mark_chosen_span(self) -> None:
        # Bold as well as pressed: Fusion's pressed look is faint in the dark theme.
        for button in self.span_group.buttons():
            font = QFont(button.font())
            font.setBold(button.isChecked())
            button.setFont(font)

    def _on_point_clicked(self, point: MoodPoint) -> None:
        self.day_chosen.emit(first_entry_day(point, self._checkins))

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        self.day_chosen.emit(str(item.data(DAY_ROLE)))
