"""The mood chart: check-ins as a line of points over the last 30 days, 12 weeks or 12 months,
drawn with QPainter (PySide6-Essentials has no QtCharts). A point is hollow, or filled when its
period has a journal entry; hovering tells the period, its mood and its check-ins; clicking a
point, or choosing it with Left/Right and Enter, emits it so the page can open that day.

Everything is drawn in logical pixels from the palette's colours, so it reads in the light and the
dark theme and Qt scales it sharply for the screen's device pixel ratio."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.journal.feelings import mood_word
from app.journal.mood_history import (
    SPANS,
    MoodPoint,
    Period,
    axis_label,
    mood_points,
    mood_summary,
    period_name,
    periods,
)
from app.ui.common.theme import contrast
from app.vault.records import MoodCheckin

HIT_RADIUS = 10.0  # px from a point's centre that still counts as on it: generous for a small dot
POINT_RADIUS = 4.5
HOVER_RADIUS = 6.0
FOCUS_RING_RADIUS = 9.0
PADDING = 10.0
LABEL_GAP = 12.0  # the least room between two date labels
GRID_MOODS = (0, 5, 10)
MIN_LINE_CONTRAST = 3.0  # WCAG's minimum for the parts of a graphic a person must see


@dataclass(frozen=True)
class _Geometry:
    plot: QRectF  # where moods 0-10 and the periods are laid out
    slot: float  # the width of one period


class MoodChart(QWidget):
    point_clicked = Signal(object)  # MoodPoint

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checkins: tuple[MoodCheckin, ...] = ()
        self._today: datetime.date | None = None
        self._span = "days"
        self._periods: list[Period] = []
        self._slots: list[int] = []  # for each point, the index of its period in the window
        self._points: list[MoodPoint] = []
        self._focused: int | None = None
        self._hovered: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Mood chart")
        self._rebin()

    # -- data -----------------------------------------------------------------------------------

    def set_checkins(self, checkins: Sequence[MoodCheckin],
                     today: datetime.date | None = None) -> None:
        """Shows `checkins`; the window ends at `today` (the real today when not given)."""
        self._checkins = tuple(checkins)
        self._today = today
        self._rebin()

    def set_span(self, span: str) -> None:
        """"days" (the last 30), "weeks" (the last 12, from Monday) or "months" (the last 12)."""
        if span not in SPANS:
            raise ValueError(f"unknown span {span!r}; choose one of {', '.join(SPANS)}")
        self._span = span
        self._rebin()

    def span(self) -> str:
        return self._span

    def clear(self) -> None:
        """Forgets every check-in (the app locked): nothing of them is left to paint."""
        self._checkins = ()
        self._rebin()

    def points(self) -> list[MoodPoint]:
        return list(self._points)

    def point_positions(self) -> list[QPointF]:
        """Each point's centre in widget coordinates, in the order of points()."""
        geometry = self._geometry()
        return [self._position(geometry, index) for index in range(len(self._points))]

    def focused_point(self) -> MoodPoint | None:
        return None if self._focused is None else self._points[self._focused]

    def summary(self) -> str:
        return mood_summary(self._points, self._span, any_checkins=bool(self._checkins))

    def line_colour(self) -> QColor:
        """The palette's Highlight, unless it is too faint on the chart's background (the dark
        theme's Highlight is made for filling a selection, not for a thin line): then Accent."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        accent = palette.color(QPalette.ColorRole.Accent)
        if contrast(highlight, base) >= MIN_LINE_CONTRAST \
                or contrast(accent, base) <= contrast(highlight, base):
            return highlight
        return accent

    def sizeHint(self) -> QSize:
        return QSize(560, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 180)

    # -- painting -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        painter.setPen(QPen(_faded(text, 50), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if not self._points:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()).adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.summary())
            painter.end()
            return
        geometry = self._geometry()
        self._paint_grid(painter, geometry)
        self._paint_dates(painter, geometry)
        self._paint_points(painter, geometry)
        self._paint_header(painter)
        painter.end()

    def _paint_grid(self, painter: QPainter, geometry: _Geometry) -> None:
        plot = geometry.plot
        text = self.palette().color(QPalette.ColorRole.Text)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        metrics = self.fontMetrics()
        for mood in GRID_MOODS:
            y = _y(plot, mood)
            # The floor of the scale doubles as the x axis, so it is a little stronger.
            painter.setPen(QPen(_faded(text, 110 if mood == 0 else 45), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            label = QRectF(PADDING, y - metrics.height() / 2, plot.left() - PADDING - 8,
                           metrics.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{mood} {mood_word(mood)}")

    def _paint_dates(self, painter: QPainter, geometry: _Geometry) -> None:
        plot = geometry.plot
        text = self.palette().color(QPalette.ColorRole.Text)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        metrics = self.fontMetrics()
        labels = [axis_label(period.start, self._span) for period in self._periods]
        widest = max(metrics.horizontalAdvance(label) for label in labels)
        # Thinned so labels never overlap, counted back from today so today's is always shown.
        step = max(1, math.ceil((widest + LABEL_GAP) / geometry.slot))
        for index in range(len(self._periods) - 1, -1, -step):
            x = plot.left() + (index + 0.5) * geometry.slot
            painter.setPen(QPen(_faded(text, 110), 1))
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            width = metrics.horizontalAdvance(labels[index]) + 2
            left = min(max(x - width / 2, PADDING), self.width() - PADDING - width)
            painter.setPen(muted)
            painter.drawText(QRectF(left, plot.bottom() + 6, width, metrics.height()),
                             Qt.AlignmentFlag.AlignCenter, labels[index])

    def _paint_points(self, painter: QPainter, geometry: _Geometry) -> None:
        line = self.line_colour()
        base = self.palette().color(QPalette.ColorRole.Base)
        centres = [self._position(geometry, index) for index in range(len(self._points))]
        # The line joins consecutive check-ins straight across periods without one: a skipped
        # day is common and a broken line of lone dots reads worse; the missing point shows it.
        pen = QPen(line, 2)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if len(centres) > 1:
            painter.drawPolyline(centres)
        for index, (point, centre) in enumerate(zip(self._points, centres)):
            radius = HOVER_RADIUS if index == self._hovered else POINT_RADIUS
            painter.setPen(QPen(line, 2))
            painter.setBrush(line if point.has_entry else base)
            painter.drawEllipse(centre, radius, radius)
        if self._focused is not None and self.hasFocus():
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centres[self._focused], FOCUS_RING_RADIUS, FOCUS_RING_RADIUS)

    def _paint_header(self, painter: QPainter) -> None:
        """Top left the summary, top right the legend: "● has a journal entry  ○ check-in only"
        (when narrow, the second key and then the summary are left out)."""
        metrics = self.fontMetrics()
        line = self.line_colour()
        keys = (("has a journal entry", line),
                ("check-in only", self.palette().color(QPalette.ColorRole.Base)))
        dot = 2 * POINT_RADIUS + 6
        widths = [dot + metrics.horizontalAdvance(label) + 16 for label, _ in keys]
        room = self.width() - 2 * PADDING
        shown = keys if sum(widths) <= room else keys[:1]
        x = self.width() - PADDING - sum(widths[:len(shown)]) + 16
        summary = self.summary()
        if metrics.horizontalAdvance(summary) <= x - 2 * PADDING - 16:  # whole, or not at all
            painter.setPen(self.palette().color(QPalette.ColorRole.Text))
            painter.drawText(QRectF(PADDING + 6, PADDING, x - 2 * PADDING, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, summary)
        y = PADDING + metrics.height() / 2
        for (label, fill), width in zip(shown, widths):
            painter.setPen(QPen(line, 2))
            painter.setBrush(fill)
            painter.drawEllipse(QPointF(x + POINT_RADIUS, y), POINT_RADIUS, POINT_RADIUS)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(x + dot, PADDING, width - dot, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            x += width

    # -- interaction ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self._hit(QPointF(event.pos()))
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), point_text(self._points[index], self._span),
                                  self)
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hovered = self._hit(event.position())
        if hovered != self._hovered:
            self._hovered = hovered
            if hovered is None:
                self.unsetCursor()
            else:
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.unsetCursor()
            self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._hit(event.position())
        if event.button() != Qt.MouseButton.LeftButton or index is None:
            super().mousePressEvent(event)
            return
        self._focus(index)
        self.point_clicked.emit(self._points[index])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        last = len(self._points) - 1
        if not self._points or key not in _CHART_KEYS:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self._focused is not None:
                self.point_clicked.emit(self._points[self._focused])
        elif key == Qt.Key.Key_Right:
            self._focus(0 if self._focused is None else min(self._focused + 1, last))
        elif key == Qt.Key.Key_Left:
            self._focus(last if self._focused is None else max(self._focused - 1, 0))
        elif key == Qt.Key.Key_Home:
            self._focus(0)
        else:
            self._focus(last)
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()  # the focus ring appears
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # -- inner workings -------------------------------------------------------------------------

    def _rebin(self) -> None:
        today = self._today or datetime.date.today()
        self._periods = periods(self._span, today)
        self._points = mood_points(self._checkins, self._span, today)
        slot_of = {period.start: index for index, period in enumerate(self._periods)}
        self._slots = [slot_of[point.start] for point in self._points]
        self._focused = None
        self._hovered = None
        self._describe()
        self.update()

    def _focus(self, index: int) -> None:
        self._focused = index
        self._describe()
        self.update()

    def _describe(self) -> None:
        """The accessible description: the summary, and the chosen point once there is one."""
        chosen = self.focused_point()
        description = self.summary()
        if chosen is not None:
            description += ". Chosen: " + point_text(chosen, self._span).replace("\n", ", ")
        self.setAccessibleDescription(description)

    def _geometry(self) -> _Geometry:
        metrics = self.fontMetrics()
        label_width = max(metrics.horizontalAdvance(f"{mood} {mood_word(mood)}")
                          for mood in GRID_MOODS)
        left = PADDING + label_width + 10
        top = PADDING + metrics.height() + 16  # under the legend
        right = self.width() - PADDING - FOCUS_RING_RADIUS
        bottom = self.height() - PADDING - metrics.height() - 8  # over the date labels
        plot = QRectF(left, top, max(1.0, right - left), max(1.0, bottom - top))
        return _Geometry(plot, plot.width() / max(1, len(self._periods)))

    def _position(self, geometry: _Geometry, index: int) -> QPointF:
        x = geometry.plot.left() + (self._slots[index] + 0.5) * geometry.slot
        return QPointF(x, _y(geometry.plot, self._points[index].mood))

    def _hit(self, position: QPointF) -> int | None:
        """The point nearest to `position` within HIT_RADIUS, if any."""
        best: tuple[float, int] | None = None
        for index, centre in enumerate(self.point_positions()):
            distance = math.hypot(centre.x() - position.x(), centre.y() - position.y())
            if distance <= HIT_RADIUS and (best is None or distance < best[0]):
                best = (distance, index)
        return None if best is None else best[1]


_CHART_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End,
               Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def point_text(point: MoodPoint, span: str) -> str:
    """A point in words, one fact a line: its period, mood, check-ins and whether it has an
    entry. Averages show one decimal; their word is that of the nearest whole mood."""
    mood = f"{point.mood:.1f}" if point.count > 1 else f"{point.mood:.0f}"
    lines = [period_name(point.start, span),
             f"Mood {mood} · {mood_word(math.floor(point.mood + 0.5))}",
             f"{point.count} check-in{'s' if point.count != 1 else ''}"]
    if point.has_entry:
        lines.append("has a journal entry")
    return "\n".join(lines)


def _y(plot: QRectF, mood: float) -> float:
    return plot.bottom() - mood / 10 * plot.height()


def _faded(colour: QColor, alpha: int) -> QColor:
    result = QColor(colour)
    result.setAlpha(alpha)
    return result
