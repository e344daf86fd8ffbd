"""Auto-lock fires after the idle time, not while the person keeps using the app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.ui.shell.idle_lock import IdleLock


def test_input_postpones_the_lock_and_idleness_brings_it(qtbot: QtBot) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    lock = IdleLock(minute_ms=400, listen_every_ms=20)  # "one minute" = 0.4 s for the test
    locked: list[bool] = []
    lock.idle.connect(lambda: locked.append(True))
    lock.set_minutes(1)
    lock.arm(True)
    for _ in range(12):  # 1.2 s of typing, three times the idle time
        qtbot.wait(100)
        qtbot.keyClick(field, Qt.Key.Key_A)
    assert not locked, "typing keeps it unlocked"
    with qtbot.waitSignal(lock.idle, timeout=5_000):
        pass
    assert locked == [True]


def test_off_and_disarmed_never_lock(qtbot: QtBot) -> None:
    lock = IdleLock(minute_ms=50, listen_every_ms=10)
    lock.set_minutes(0)
    lock.arm(True)
    with qtbot.assertNotEmitted(lock.idle, wait=300):
        pass
    lock.set_minutes(1)
    lock.arm(False)
    with qtbot.assertNotEmitted(lock.idle, wait=300):
        pass
