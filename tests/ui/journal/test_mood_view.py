"""The Mood tab offscreen: check-ins binned into days, weeks and months; the check-in form driven
through its real widgets; the chart painted in both themes, clicked and driven by keyboard; the
tab's recent list, span buttons and the signals the journal page listens to."""

from __future__ import annotations

import datetime
from typing import TypeVar

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QSlider,
    QToolTip,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.journal.mood_history import (
    EMPTY_TEXT,
    MoodPoint,
    first_entry_day,
    mood_points,
    period_name,
    periods,
)
from app.ui.common.theme import apply_theme
from app.ui.journal.mood_chart import MoodChart, point_text
from app.ui.journal.mood_checkin import CheckinDraft, MoodCheckinForm
from app.ui.journal.mood_view import RECENT_SHOWN, MoodView
from app.vault.records import Emotion, MoodCheckin

TODAY = datetime.date(2026, 11, 11)  # a Wednesday
W = TypeVar("W", bound=QWidget)


def checkin(id: str, day: str, mood: int, *, entry: str | None = None, at: str = "09:00",
            emotions: tuple[Emotion, ...] = (), note: str = "") -> MoodCheckin:
    stamp = f"{day}T{at}:00"
    return MoodCheckin(id=id, day=day, mood=mood, emotions=emotions, note=note, entry_id=entry,
                       created=stamp, updated=stamp)


def named(parent: QWidget, kind: type[W], name: str) -> W:
    found = [child for child in parent.findChildren(kind) if child.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} {kind.__name__} named {name!r}"
    return found[0]


def sample() -> list[MoodCheckin]:
    """Forty days of varied moods, every third day with a journal entry, two on some days."""
    result = []
    for back in range(40):
        day = (TODAY - datetime.timedelta(days=back)).isoformat()
        result.append(checkin(f"c{back}", day, (back * 7) % 11,
                              entry=f"e{back}" if back % 3 == 0 else None))
        if back % 4 == 0:
            result.append(checkin(f"d{back}", day, 10 - (back % 11), at="20:00"))
    return result


@pytest.fixture
def chart(qtbot: QtBot) -> MoodChart:
    shown = MoodChart()
    qtbot.addWidget(shown)
    shown.resize(600, 300)
    shown.show()
    return shown


@pytest.fixture
def view(qtbot: QtBot) -> MoodView:
    shown = MoodView()
    qtbot.addWidget(shown)
    shown.resize(1000, 600)
    shown.show()
    return shown


def pixels_near(image: QImage, colour: QColor, tolerance: int = 10) -> int:
    """How many pixels are within `tolerance` of `colour` in each channel."""
    data = image.convertToFormat(QImage.Format.Format_ARGB32)
    raw = bytes(data.constBits())
    # Format_ARGB32 is stored B, G, R, A in memory on little-endian machines.
    target = (colour.blue(), colour.green(), colour.red())
    return sum(1 for at in range(0, len(raw), 4)
               if abs(raw[at] - target[0]) <= tolerance and abs(raw[at + 1] - target[1])
               <= tolerance and abs(raw[at + 2] - target[2]) <= tolerance)


# -- binning ----------------------------------------------------------------------------------

def test_days_average_each_day_and_keep_to_the_last_30() -> None:
    checkins = [
        checkin("late", "2026-11-10", 8, at="21:00", entry="e2"),
        checkin("early", "2026-11-10", 3, at="07:00", entry="e1"),
        checkin("again", "2026-11-10", 4, at="12:00", entry="e1"),
        checkin("first", "2026-10-13", 6),  # today - 29: the window's first day
        checkin("before", "2026-10-12", 9),  # today - 30: outside
        checkin("tomorrow", "2026-11-12", 1),  # not yet
        checkin("today", "2026-11-11", 2),
    ]
    points = mood_points(checkins, "days", TODAY)
    assert [point.start.isoformat() for point in points] == ["2026-10-13", "2026-11-10",
                                                              "2026-11-11"]
    several = points[1]
    assert several.mood == pytest.approx(5.0)
    assert several.count == 3
    assert several.start == several.end
    assert several.checkin_ids == ("early", "again", "late")  # in the order they were made
    assert several.entry_ids == ("e1", "e2")  # each entry once
    assert not points[0].has_entry and several.has_entry
    window = periods("days", TODAY)
    assert len(window) == 30
    assert window[0].start == datetime.date(2026, 10, 13) and window[-1].end == TODAY


def test_weeks_start_on_monday_and_keep_to_the_last_12() -> None:
    checkins = [
        checkin("sunday", "2026-11-08", 2),  # last week
        checkin("monday", "2026-11-09", 6),  # this week, from Monday 9 Nov
        checkin("wednesday", "2026-11-11", 9, entry="e"),
        checkin("first", "2026-08-24", 5),  # Monday eleven weeks back: the window's first day
        checkin("before", "2026-08-23", 1),  # the Sunday before it
    ]
    points = mood_points(checkins, "weeks", TODAY)
    assert [(point.start.isoformat(), point.end.isoformat()) for point in points] == [
        ("2026-08-24", "2026-08-30"), ("2026-11-02", "2026-11-08"), ("2026-11-09", "2026-11-15")]
    assert points[1].mood == 2
    assert points[2].mood == pytest.approx(7.5)
    assert points[2].count == 2
    assert points[2].entry_ids == ("e",)
    assert len(periods("weeks", TODAY)) == 12


def test_months_split_at_month_ends_and_keep_to_the_last_12() -> None:
    checkins = [
        checkin("october-end", "2026-10-31", 3),
        checkin("november-start", "2026-11-01", 7),
        checkin("november", "2026-11-10", 8, entry="e"),
        checkin("february", "2026-02-28", 4),
        checkin("first", "2025-12-01", 5),  # eleven months back: the window's first day
        checkin("before", "2025-11-30", 10),
    ]
    points = mood_points(checkins, "months", TODAY)
    assert [(point.start.isoformat(), point.end.isoformat()) for point in points] == [
        ("2025-12-01", "2025-12-31"), ("2026-02-01", "2026-02-28"),
        ("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30")]
    assert points[2].mood == 3
    assert points[3].mood == pytest.approx(7.5)
    assert points[3].entry_ids == ("e",)
    window = periods("months", datetime.date(2028, 3, 5))  # a leap year, across a new year
    assert len(window) == 12
    assert window[0].start == datetime.date(2027, 4, 1)
    assert [period.end.day for period in window[-2:]] == [29, 31]


def test_the_day_to_open_is_the_first_with_an_entry_else_the_period_start() -> None:
    checkins = [checkin("mon", "2026-11-09", 5), checkin("thu", "2026-11-12", 6, entry="e1"),
                checkin("tue", "2026-11-10", 7, entry="e2"), checkin("old", "2026-11-02", 4)]
    this_week, last_week = reversed(mood_points(checkins, "weeks", datetime.date(2026, 11, 13)))
    assert first_entry_day(this_week, checkins) == "2026-11-10"
    assert first_entry_day(last_week, checkins) == "2026-11-02"


def test_periods_read_as_people_say_them() -> None:
    day = datetime.date(2026, 11, 3)
    assert period_name(day, "days") == "Tue 3 Nov"
    assert period_name(datetime.date(2026, 11, 2), "weeks") == "Week of 2 Nov"
    assert period_name(datetime.date(2026, 11, 1), "months") == "November 2026"
    point = MoodPoint(start=day, end=day, mood=6.5, count=2, entry_ids=("e",),
                      checkin_ids=("a", "b"))
    assert point_text(point, "days").split("\n") == [
        "Tue 3 Nov", "Mood 6.5 · okay", "2 check-ins", "has a journal entry"]
    with pytest.raises(ValueError):
        mood_points([], "years", TODAY)


# -- the check-in form ------------------------------------------------------------------------

def test_the_form_emits_the_mood_emotions_and_note_set_through_its_widgets(qtbot: QtBot) -> None:
    form = MoodCheckinForm()
    qtbot.addWidget(form)
    form.show()
    mood = named(form, QSlider, "Mood")
    assert mood.value() == 5
    for _ in range(3):
        qtbot.keyClick(mood, Qt.Key.Key_Right)
    assert named(form, QLabel, "Mood in words").text() == "8 · good"

    # The emotions editor has its own tests; here: the form uses it, and a feeling typed but not
    # added is part of what is saved.
    edit = named(form, QComboBox, "Emotion name").lineEdit()
    assert edit is not None
    qtbot.keyClicks(edit, "anxious")
    qtbot.mouseClick(named(form, QAbstractButton, "Add emotion"), Qt.MouseButton.LeftButton)
    named(form, QSlider, "Intensity of anxious").setValue(70)
    qtbot.keyClicks(edit, "tired")
    qtbot.keyClicks(named(form, QLineEdit, "Check-in note"), "  long day ")

    with qtbot.waitSignal(form.submitted, timeout=1000) as signal:
        qtbot.mouseClick(named(form, QAbstractButton, "Save check-in"), Qt.MouseButton.LeftButton)
    assert signal.args == [CheckinDraft(mood=8, emotions=(Emotion("anxious", 70),
                                                          Emotion("tired", 50)),
                                        note="long day")]


def test_the_form_is_busy_shows_errors_and_resets(qtbot: QtBot) -> None:
    form = MoodCheckinForm()
    qtbot.addWidget(form)
    form.show()
    save = named(form, QAbstractButton, "Save check-in")
    form.set_busy(True)
    assert not save.isEnabled()
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(named(form, QLineEdit, "Check-in note"), Qt.Key.Key_Return)
    form.show_error("The vault is locked.")
    error = named(form, QLabel, "Check-in error")
    assert error.isVisible() and "The vault is locked." in error.text()
    form.set_busy(False)
    assert save.isEnabled()
    named(form, QSlider, "Mood").setValue(9)
    form.emotions_editor.add_emotion("sad")
    named(form, QLineEdit, "Check-in note").setText("note")
    form.reset()
    assert form.draft() == CheckinDraft(mood=5, emotions=(), note="")
    assert not error.isVisible()


# -- the chart --------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_chart_paints_its_line_in_both_themes(chart: MoodChart, qapp: QApplication,
                                                  restore_look: None, theme: str) -> None:
    apply_theme(qapp, theme)
    qapp.processEvents()  # widgets take up the new palette from a posted event
    empty = chart.grab().toImage()
    line = chart.line_colour()
    assert pixels_near(empty, line) == 0
    chart.set_checkins(sample(), TODAY)
    drawn = chart.grab().toImage()
    assert drawn != empty
    assert pixels_near(drawn, line) > 200
    if theme == "light":
        assert line == chart.palette().color(QPalette.ColorRole.Highlight)
    # Dark or light, the line stands out from the chart's background.
    base = chart.palette().color(QPalette.ColorRole.Base)
    assert abs(line.lightness() - base.lightness()) > 60


def test_a_click_on_a_point_emits_it(chart: MoodChart, qtbot: QtBot) -> None:
    chart.set_checkins(sample(), TODAY)
    points, centres = chart.points(), chart.point_positions()
    assert len(points) == len(centres) == 30
    near = centres[4].toPoint() + QPoint(5, -5)  # a little off the dot still counts
    with qtbot.waitSignal(chart.point_clicked, timeout=1000) as signal:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=near)
    assert signal.args == [points[4]]
    with qtbot.assertNotEmitted(chart.point_clicked):
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))


def test_the_keyboard_chooses_and_opens_a_point(chart: MoodChart, qtbot: QtBot) -> None:
    chart.set_checkins(sample(), TODAY)
    assert chart.focusPolicy() == Qt.FocusPolicy.StrongFocus
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    with qtbot.waitSignal(chart.point_clicked, timeout=1000) as signal:
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert signal.args == [chart.points()[1]]
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # stays on the first
    with qtbot.waitSignal(chart.point_clicked, timeout=1000) as signal:
        qtbot.keyClick(chart, Qt.Key.Key_Space)
    assert signal.args == [chart.points()[0]]
    assert "Chosen: " + period_name(chart.points()[0].start, "days") \
        in chart.accessibleDescription()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no window manager
def test_hovering_a_point_tells_its_period_and_mood(chart: MoodChart, qapp: QApplication) -> None:
    chart.set_checkins(sample(), TODAY)
    centre = chart.point_positions()[-1].toPoint()
    qapp.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, centre, chart.mapToGlobal(centre)))
    assert QToolTip.text() == point_text(chart.points()[-1], "days")
    assert QToolTip.text().startswith("Wed 11 Nov\nMood ")
    QToolTip.hideText()


def test_the_chart_summarises_and_changes_span(chart: MoodChart) -> None:
    assert chart.accessibleName() == "Mood chart"
    assert chart.accessibleDescription() == EMPTY_TEXT
    chart.set_checkins([checkin("a", "2026-11-10", 6), checkin("b", "2026-11-10", 7),
                        checkin("c", "2026-09-01", 2)], TODAY)
    assert chart.accessibleDescription() == "2 check-ins over the last 30 days, average 6.5"
    chart.set_span("months")
    assert chart.accessibleDescription() == "3 check-ins over the last 12 months, average 5.0"
    assert len(chart.points()) == 2
    chart.set_checkins([checkin("old", "2020-01-01", 4)], TODAY)
    assert chart.points() == [] and "No check-ins in the last 12 months" in chart.summary()
    with pytest.raises(ValueError):
        chart.set_span("hours")


def test_an_empty_chart_says_so_and_clear_forgets_everything(
        chart: MoodChart, qapp: QApplication, restore_look: None) -> None:
    apply_theme(qapp, "light")
    qapp.processEvents()
    empty = chart.grab().toImage()
    text = chart.palette().color(QPalette.ColorRole.PlaceholderText)
    middle = empty.copy(0, chart.height() // 3, chart.width(), chart.height() // 3)
    assert pixels_near(middle, text) > 20  # the words are painted in the middle
    chart.set_checkins(sample(), TODAY)
    assert chart.grab().toImage() != empty
    chart.clear()
    assert chart.points() == [] and chart.point_positions() == []
    assert chart.summary() == EMPTY_TEXT
    assert chart.grab().toImage() == empty


# -- the Mood tab -----------------------------------------------------------------------------

def test_the_tab_lists_recent_check_ins_and_opens_their_day(view: MoodView, qtbot: QtBot) -> None:
    view.set_checkins(sample(), TODAY)
    recent = named(view, QListWidget, "Recent check-ins")
    assert recent.count() == RECENT_SHOWN and recent.isVisible()
    assert recent.item(0).text().startswith("Wed 11 Nov · ")  # the newest first
    recent.setFocus()
    recent.setCurrentRow(2)
    with qtbot.waitSignal(view.day_chosen, timeout=1000) as signal:
        qtbot.keyClick(recent.viewport(), Qt.Key.Key_Return)
    assert signal.args == ["2026-11-10"]  # rows 0-1: two check-ins on the 11th, then the 10th


def test_a_chart_point_opens_its_entry_day_or_its_first_day(view: MoodView, qtbot: QtBot) -> None:
    view.set_checkins([checkin("mon", "2026-11-09", 5), checkin("tue", "2026-11-10", 7, entry="e"),
                       checkin("old", "2026-10-27", 4)], TODAY)
    qtbot.mouseClick(named(view, QAbstractButton, "Weeks"), Qt.MouseButton.LeftButton)
    assert view.chart.span() == "weeks"
    old_week, this_week = view.chart.point_positions()
    with qtbot.waitSignal(view.day_chosen, timeout=1000) as signal:
        qtbot.mouseClick(view.chart, Qt.MouseButton.LeftButton, pos=this_week.toPoint())
    assert signal.args == ["2026-11-10"]
    with qtbot.waitSignal(view.day_chosen, timeout=1000) as signal:
        qtbot.mouseClick(view.chart, Qt.MouseButton.LeftButton, pos=old_week.toPoint())
    assert signal.args == ["2026-10-26"]


def test_the_tab_submits_and_is_busy_until_saved_or_failed(view: MoodView, qtbot: QtBot) -> None:
    save = named(view, QAbstractButton, "Save check-in")
    named(view, QSlider, "Mood").setValue(3)
    with qtbot.waitSignal(view.checkin_submitted, timeout=1000) as signal:
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert signal.args == [CheckinDraft(mood=3, emotions=(), note="")]
    assert not save.isEnabled()
    view.show_error("Could not save the check-in.")
    assert save.isEnabled() and named(view, QLabel, "Check-in error").isVisible()
    assert named(view, QSlider, "Mood").value() == 3  # kept, to try again
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    view.checkin_saved()
    assert save.isEnabled() and named(view, QSlider, "Mood").value() == 5


def test_clearing_the_tab_forgets_check_ins_and_typing(view: MoodView) -> None:
    view.set_checkins(sample(), TODAY)
    named(view, QLineEdit, "Check-in note").setText("private")
    view.clear()
    assert view.chart.points() == []
    recent = named(view, QListWidget, "Recent check-ins")
    assert recent.count() == 0 and not recent.isVisible()
    assert named(view, QLineEdit, "Check-in note").text() == ""
