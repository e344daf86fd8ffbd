"""A second launch on the same data folder does not open a second window: it wakes the first."""

from __future__ import annotations

import subprocess
import sys

from pytestqt.qtbot import QtBot

from app.ui.shell.single_instance import SingleInstance

SECOND_LAUNCH = """
import sys
from PySide6.QtCore import QCoreApplication
from app.ui.shell.single_instance import SingleInstance
app = QCoreApplication(sys.argv)
sys.exit(0 if SingleInstance().claim() else 3)
"""


def test_a_second_launch_wakes_the_first(qtbot: QtBot) -> None:
    first = SingleInstance()
    assert first.claim()
    woken: list[bool] = []
    first.activated.connect(lambda: woken.append(True))
    second = subprocess.Popen([sys.executable, "-c", SECOND_LAUNCH])
    qtbot.waitUntil(lambda: second.poll() is not None and bool(woken), timeout=20_000)
    assert second.returncode == 3, "the second launch gives way"
    first.release()

    again = subprocess.run([sys.executable, "-c", SECOND_LAUNCH], timeout=60)
    assert again.returncode == 0, "once the first has quit, a new launch runs"
