"""Auto-lock: after N minutes without a key press, click, wheel or touch anywhere in the app,
`idle` fires and the window locks the vault.

Noticing input takes an app-wide event filter, and one written in Python costs the interpreter
on every event the app handles (paints, layouts, timers): while a model loads it froze the
window for 700 ms instead of 260. So the filter listens only until it sees the first input after
each pause of LISTEN_EVERY_MS; the countdown can therefore end up to that much early."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

LISTEN_EVERY_MS = 10_000
_USER_INPUT = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
}


class IdleLock(QObject):
    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, minute_ms: int = 60_000,
                 listen_every_ms: int = LISTEN_EVERY_MS) -> None:
        super().__init__(parent)
        self._minute_ms = minute_ms
        self._countdown = QTimer(self, singleShot=True)
        self._countdown.timeout.connect(self._idle)
        self._pause = QTimer(self, singleShot=True, interval=listen_every_ms)
        self._pause.timeout.connect(self._listen)
        self._listening = False

    def set_minutes(self, minutes: int) -> None:
        """0 turns auto-lock off."""
        active = self._countdown.isActive()
        self._countdown.setInterval(max(0, minutes) * self._minute_ms)
        self.arm(active)

    def arm(self, active: bool) -> None:
        """Counting only while the vault is unlocked."""
        if active and self._countdown.interval() > 0:
            self._countdown.start()
            self._pause.start()
        else:
            self._countdown.stop()
            self._pause.stop()
            self._deafen()

    def _listen(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._listening:
            app.installEventFilter(self)
            self._listening = True

    def _deafen(self) -> None:
        app = QApplication.instance()
        if app is not None and self._listening:
            app.removeEventFilter(self)
            self._listening = False

    def _idle(self) -> None:
        self.arm(False)
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USER_INPUT and self._countdown.isActive():
            self._countdown.start()  # counts from now again
            self._deafen()
            self._pause.start()
        return False
