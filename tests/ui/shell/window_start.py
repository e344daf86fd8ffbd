"""The app's window, started in a fresh process on a fresh data folder as a person starts it,
offscreen. Waits up to a minute for the engine's start-up check (it runs off the GUI thread) and
prints one JSON object: what any message box said, and whether the window is still up and on
its welcome page. Run by tests, with a probe made to crash."""

from __future__ import annotations

import json
import time

from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.common.preferences import Preferences
from app.ui.shell.window import AppWindow


def main() -> None:
    application = QApplication([])
    window = AppWindow(Preferences())
    window.show()
    deadline = time.monotonic() + 60
    boxes: list[QMessageBox] = []
    while time.monotonic() < deadline and (window._hardware is None or not boxes):
        application.processEvents()
        boxes = [w for w in application.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible()]
        time.sleep(0.02)
    application.processEvents()
    report = window._hardware
    print(json.dumps({
        "boxes": [{"title": box.windowTitle(), "text": box.text(),
                   "modal": box.isModal()} for box in boxes],
        "window_visible": window.isVisible(),
        "on_welcome_page": window.stack.currentWidget() is window.welcome,
        "cpu_variant": report.backends.cpu_variant if report else None,
    }))
    window.close()


if __name__ == "__main__":
    main()
