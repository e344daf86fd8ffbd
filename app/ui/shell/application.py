"""Start the GUI: one instance per data folder (a second launch brings the first forward), the
theme from the preferences, then the window, which begins with the welcome or unlock screen."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import __version__
from app.ui.common.icons import app_icon
from app.ui.common.preferences import load_preferences
from app.ui.common.theme import apply_theme
from app.ui.shell.single_instance import SingleInstance
from app.ui.shell.window import AppWindow


def run_app(argv: list[str]) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName("Mini-Giants")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("mini-giants")
    instance = SingleInstance()
    if not instance.claim():
        return 0  # the running one was asked to show itself
    preferences = load_preferences()
    apply_theme(app, preferences.theme)
    app.setWindowIcon(app_icon())
    window = AppWindow(preferences)
    instance.activated.connect(lambda: _bring_forward(window))
    app.aboutToQuit.connect(window.shut_down)  # also when quitting does not go through closing
    window.show()
    try:
        return app.exec()
    finally:
        instance.release()


def _bring_forward(window: AppWindow) -> None:
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


if __name__ == "__main__":
    sys.exit(run_app(sys.argv))
