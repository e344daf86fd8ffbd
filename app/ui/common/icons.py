"""The app's icons: hand-drawn 24×24 SVGs in resources/icons whose strokes are `currentColor`,
drawn in the palette's text colour at whatever size and device pixel ratio a widget asks for.

The colour is looked up each time an icon is drawn, not when it is made, so icons follow a theme
switch without anyone setting them again; rendered pixmaps are cached per name, colour and size."""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
    QPixmapCache,
)
from PySide6.QtSvg import QSvgRenderer

from app.resource_files import icon_path

ICON_NAMES = (
    "app", "chat", "models", "settings", "journal", "lock", "search", "new", "send", "stop",
    "copy", "edit", "regenerate", "download", "pause", "resume", "cancel", "delete", "check",
    "warning",
)
_APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icon(name: str) -> QIcon:
    """The named icon (one of ICON_NAMES), in the current text colour; greyed when disabled."""
    _svg_source(name)  # an unknown name fails here, where it is asked for, not at paint time
    return QIcon(_ThemedSvgEngine(name))


def app_icon() -> QIcon:
    """The window and task bar icon: the logo carries its own colours, so it reads on any
    background; rendered at the sizes desktops pick from."""
    result = QIcon()
    for size in _APP_ICON_SIZES:
        result.addPixmap(render_icon("app", icon_colour(QIcon.Mode.Normal), size, 1.0))
    return result


def icon_colour(mode: QIcon.Mode) -> QColor:
    """The palette colour an icon is drawn in, for a widget's state."""
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)


def render_icon(name: str, colour: QColor, size: int, device_pixel_ratio: float) -> QPixmap:
    """`size` logical pixels square, drawn at `device_pixel_ratio` physical pixels to each."""
    key = f"minigiants-icon:{name}:{colour.name(QColor.NameFormat.HexArgb)}:{size}@{device_pixel_ratio}"
    cached = QPixmap()
    if QPixmapCache.find(key, cached):
        return cached
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    source = _svg_source(name).replace("currentColor", colour.name())
    renderer = QSvgRenderer(QByteArray(source.encode("utf-8")))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if colour.alpha() < 255:  # a translucent disabled colour: SVG colours have no alpha
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        painter.fillRect(image.rect(), QColor(0, 0, 0, colour.alpha()))
        painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    QPixmapCache.insert(key, pixmap)
    return pixmap


@functools.cache
def _svg_source(name: str) -> str:
    if name not in ICON_NAMES:
        raise ValueError(f"no icon named {name!r}; the icons are {', '.join(ICON_NAMES)}")
    return icon_path(name).read_text(encoding="utf-8")


class _ThemedSvgEngine(QIconEngine):
    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        # Icons are square; a wide request (a toolbar slot) gets the square that fits.
        return render_icon(self._name, icon_colour(mode), min(size.width(), size.height()), scale)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        side = min(rect.width(), rect.height())
        square = QRect(0, 0, side, side)
        square.moveCenter(rect.center())
        painter.drawPixmap(square, self.scaledPixmap(square.size(), mode, state, scale))

    def clone(self) -> QIconEngine:
        return _ThemedSvgEngine(self._name)

    def key(self) -> str:
        return "minigiants-svg"

    def isNull(self) -> bool:
        return False
