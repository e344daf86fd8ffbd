"""Auto-lock: after N minutes without a key press, click, wheel or touch anywhere in the app,
`idle` fires and the window locks the vault."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_USER_INPUT = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
}


class IdleLock(QObject):
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        """0 turns auto-lock off."""
        self._timer.setInterval(max(0, minutes) * 60_000)
        self.arm(minutes > 0)

    def arm(self, active: bool) -> None:
        """Counting only while the vault is unlocked."""
        if active and self._timer.interval() > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USER_INPUT and self._timer.isActive():
            self._timer.start()  # restarts the countdown
        return False
