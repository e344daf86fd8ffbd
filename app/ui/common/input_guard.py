"""Two rules for every widget of the app, kept in one place (an event filter on the application)
rather than in each widget:

- Keyboard focus and keys stay on screen. Qt lets a hidden widget take focus (a page that calls
  setFocus while another page is shown; a stacked page handing focus back to its last widget):
  after unlocking, typing went into a hidden journal entry and was saved there. Focus moving into
  a hidden widget goes back where it was (or to the first visible input of the window), and a key
  that still reaches a hidden widget is delivered to that visible input instead.
- The mouse wheel scrolls the page; it changes a value (spin box, combo box, slider) only in the
  input that has keyboard focus, i.e. one the person clicked or tabbed to. Inputs marked with
  `wheel_never` (security settings such as auto-lock) ignore the wheel even then: they change by
  typing, clicking or the arrow keys only."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

NO_WHEEL = "mini_giants_wheel_never"
_KEYS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
         QEvent.Type.InputMethod)
_VALUE_INPUTS = (QAbstractSpinBox, QComboBox, QAbstractSlider)


def wheel_never(widget: QWidget) -> None:
    """This input never takes a value from the mouse wheel."""
    widget.setProperty(NO_WHEEL, True)


class InputGuard(QObject):
    """Sees every event of the application, so it decides on the event's type first."""

    def focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None or _on_screen(new):
            return
        if old is not None and old.isVisible() and old.isEnabled() and old.window() is new.window():
            old.setFocus(Qt.FocusReason.OtherFocusReason)
        elif (visible := _first_visible_input(new)) is not None:
            visible.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _KEYS:
            if isinstance(watched, QWidget) and not _on_screen(watched):
                return self._redirect_keys(watched, event)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            return self._wheel_passes_on(watched, event)
        return False

    @staticmethod
    def _redirect_keys(hidden: QWidget, event: QEvent) -> bool:
        """Swallow the key; give focus to a visible input of the same window and deliver the key
        there (a shortcut check is only answered: not claimed, so the shortcut still works)."""
        target = _first_visible_input(hidden)
        if target is None:
            hidden.clearFocus()
            return True
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            assert isinstance(event, QKeyEvent)
            QCoreApplication.sendEvent(target, event.clone())
        return True

    @staticmethod
    def _wheel_passes_on(watched: QWidget, event: QEvent) -> bool:
        """True when the wheel must not change this input's value: then the scroll area around
        it gets the wheel instead (Qt hands an unwanted wheel event on to the parent only when it
        came from the window system, so it is handed on here, the same way every time)."""
        owner = _value_input(watched)
        if owner is None or (owner.hasFocus() and not owner.property(NO_WHEEL)):
            return False
        assert isinstance(event, QWheelEvent)
        area = _scroll_area_around(owner)
        if area is not None:
            viewport = area.viewport()
            position = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
            QCoreApplication.sendEvent(viewport, QWheelEvent(
                position, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                event.buttons(), event.modifiers(), event.phase(), event.inverted()))
        return True


def _value_input(widget: QWidget) -> QWidget | None:
    """The value input the wheel event is aimed at: the widget itself or the input it belongs to
    (a spin box's line edit); not a scroll bar, whose job the wheel is."""
    candidate: QWidget | None = widget
    for _ in range(2):
        if candidate is None or isinstance(candidate, QScrollBar):
            return None
        if isinstance(candidate, _VALUE_INPUTS):
            return candidate
        candidate = candidate.parentWidget()
    return None


def _on_screen(widget: QWidget) -> bool:
    """Shown with its window, or about to be: a widget just added to a shown page is hidden until
    the event loop shows it, yet it may rightly take focus; one on a page switched away, or inside
    anything hidden on purpose, may not."""
    current: QWidget | None = widget
    while current is not None and not current.isWindow():
        if current.isHidden() and current.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
            return False
        current = current.parentWidget()
    return True


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def _first_visible_input(widget: QWidget) -> QWidget | None:
    candidate = widget.nextInFocusChain()
    while candidate is not None and candidate is not widget:
        if (candidate.isVisible() and candidate.isEnabled() and candidate.window() is widget.window()
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus):
            return candidate
        candidate = candidate.nextInFocusChain()
    return None


def install_input_guard() -> None:
    """Once per application; every window after that is covered."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.findChild(InputGuard) is None:
        guard = InputGuard(app)
        app.installEventFilter(guard)
        app.focusChanged.connect(guard.focus_moved)
