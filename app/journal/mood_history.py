"""Mood check-ins gathered into the points of a mood chart: one point per day, week or month that
has check-ins, its mood the average of theirs. Plain Python, so the binning is tested without
painting anything; the chart in app/ui only draws what this returns."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.vault.records import MoodCheckin

# How far back each span looks, counted in its own periods (today's period included).
SPAN_LENGTHS = {"days": 30, "weeks": 12, "months": 12}
SPANS = tuple(SPAN_LENGTHS)
EMPTY_TEXT = "No check-ins yet. How are you feeling today?"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Names written out here rather than by strftime: Qt sets the C locale from the environment, and
# the rest of the app speaks English.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive: the last day of the day, week or month


@dataclass(frozen=True)
class MoodPoint:
    start: datetime.date
    end: datetime.date  # inclusive
    mood: float  # the average of the period's check-ins
    count: int
    entry_ids: tuple[str, ...]  # journal entries linked to the period's check-ins, oldest first
    checkin_ids: tuple[str, ...]

    @property
    def has_entry(self) -> bool:
        return bool(self.entry_ids)


def periods(span: str, today: datetime.date) -> list[Period]:
    """Every period the span's window covers, oldest first, the last one holding `today`."""
    length = _length(span)
    if span == "days":
        return [Period(day, day) for day in
                (today - datetime.timedelta(days=back) for back in range(length - 1, -1, -1))]
    if span == "weeks":
        this_monday = today - datetime.timedelta(days=today.weekday())
        return [Period(monday, monday + datetime.timedelta(days=6)) for monday in
                (this_monday - datetime.timedelta(weeks=back)
                 for back in range(length - 1, -1, -1))]
    return [_month(today, back) for back in range(length - 1, -1, -1)]


def period_start(day: datetime.date, span: str) -> datetime.date:
    """The first day of the day, week (from Monday) or month holding `day`."""
    _length(span)
    if span == "days":
        return day
    if span == "weeks":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def mood_points(checkins: Iterable[MoodCheckin], span: str,
                today: datetime.date) -> list[MoodPoint]:
    """A point for each period of the window that has check-ins, oldest first. Check-ins before
    the window or after today are left out."""
    window = periods(span, today)
    first = window[0].start
    ends = {period.start: period.end for period in window}
    grouped: dict[datetime.date, list[MoodCheckin]] = {}
    for checkin in sorted(checkins, key=lambda each: (each.day, each.created)):
        day = datetime.date.fromisoformat(checkin.day)
        if first <= day <= today:
            grouped.setdefault(period_start(day, span), []).append(checkin)
    return [_point(start, ends[start], grouped[start]) for start in sorted(grouped)]


def first_entry_day(point: MoodPoint, checkins: Iterable[MoodCheckin]) -> str:
    """The ISO day to open for a point: the first of its days with a linked journal entry, else
    the first day of its period."""
    wanted = set(point.checkin_ids)
    entry_days = [checkin.day for checkin in checkins
                  if checkin.id in wanted and checkin.entry_id is not None]
    return min(entry_days) if entry_days else point.start.isoformat()


def period_name(start: datetime.date, span: str) -> str:
    """How a person reads a period: "Tue 3 Nov", "Week of 2 Nov", "November 2026"."""
    _length(span)
    if span == "days":
        return f"{_WEEKDAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1][:3]}"
    if span == "weeks":
        return f"Week of {start.day} {_MONTHS[start.month - 1][:3]}"
    return f"{_MONTHS[start.month - 1]} {start.year}"


def axis_label(start: datetime.date, span: str) -> str:
    """The short date under the chart's x axis: "3 Nov" for days and weeks, "Nov" for months
    ("Jan 2027" when a new year starts, so twelve months read unambiguously)."""
    _length(span)
    month = _MONTHS[start.month - 1][:3]
    if span != "months":
        return f"{start.day} {month}"
    return f"{month} {start.year}" if start.month == 1 else month


def span_words(span: str) -> str:
    """The window in words: "the last 30 days"."""
    return f"the last {_length(span)} {span}"


def mood_summary(points: Sequence[MoodPoint], span: str, *, any_checkins: bool) -> str:
    """The chart in one sentence: "12 check-ins over the last 30 days, average 6.2"."""
    average = average_mood(points)
    if average is None:
        return f"No check-ins in {span_words(span)}. How are you feeling today?" \
            if any_checkins else EMPTY_TEXT
    count = sum(point.count for point in points)
    return (f"{count} check-in{'s' if count != 1 else ''} over {span_words(span)}, "
            f"average {average:.1f}")


def average_mood(points: Sequence[MoodPoint]) -> float | None:
    """The average over every check-in behind the points (not the average of the averages)."""
    count = sum(point.count for point in points)
    return sum(point.mood * point.count for point in points) / count if count else None


def _point(start: datetime.date, end: datetime.date, checkins: list[MoodCheckin]) -> MoodPoint:
    entry_ids = tuple(dict.fromkeys(checkin.entry_id for checkin in checkins
                                    if checkin.entry_id is not None))
    return MoodPoint(start=start, end=end,
                     mood=sum(checkin.mood for checkin in checkins) / len(checkins),
                     count=len(checkins), entry_ids=entry_ids,
                     checkin_ids=tuple(checkin.id for checkin in checkins))


def _month(today: datetime.date, back: int) -> Period:
    index = today.year * 12 + today.month - 1 - back
    start = datetime.date(index // 12, index % 12 + 1, 1)
    following = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return Period(start, following - datetime.timedelta(days=1))


def _length(span: str) -> int:
    if span not in SPAN_LENGTHS:
        raise ValueError(f"unknown span {span!r}; choose one of {', '.join(SPANS)}")
    return SPAN_LENGTHS[span]
