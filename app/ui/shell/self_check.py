"""The GUI toolkit's part of `minigiants --self-test`: Qt starts on this machine's platform plugin,
lays out and draws a real page, and renders the SVG icons (an image-format plugin a bundle must
carry). Run where no window can open, it uses Qt's offscreen platform."""

from __future__ import annotations

from PySide6.QtCore import qVersion
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from app.ui.common.icons import app_icon
from app.ui.shell.welcome import WelcomePage


def check_qt() -> str:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    page = WelcomePage()
    page.resize(900, 640)
    drawn = page.grab().toImage()
    if drawn.isNull() or len({drawn.pixel(x, y) for x in range(0, 900, 30)
                              for y in range(0, 640, 30)}) < 3:
        raise RuntimeError("Qt drew a blank page")
    icon = app_icon().pixmap(64).toImage()
    if icon.isNull() or all(QColor(icon.pixel(x, y)).alpha() == 0
                            for x in range(64) for y in range(64)):
        raise RuntimeError("the SVG icons do not render (Qt's svg image-format plugin is missing)")
    return f"Qt {qVersion()} on the {app.platformName()} platform; pages draw, SVG icons render"
