"""Themes and icons on real widgets offscreen: the palettes are light or dark and readable, "system"
follows the system live, and icons are drawn crisp in the palette's text colour."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.resource_files import icon_path
from app.ui.common.icons import ICON_NAMES, app_icon, icon, render_icon
from app.ui.common.theme import apply_theme, contrast, is_dark

Role = QPalette.ColorRole
Group = QPalette.ColorGroup
pytestmark = pytest.mark.usefixtures("restore_look")  # the look is application-wide


def stroke_colours(image: QImage) -> list[QColor]:
    """The colours of the mostly opaque pixels: the strokes, not their antialiased fringe."""
    return [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).alpha() >= 128]


def drawn_in(image: QImage, colour: QColor) -> bool:
    """Whether the image has strokes and all of them are `colour` (give or take rounding)."""
    strokes = stroke_colours(image)
    return bool(strokes) and all(
        max(abs(pixel.red() - colour.red()), abs(pixel.green() - colour.green()),
            abs(pixel.blue() - colour.blue())) <= 3 for pixel in strokes)


def test_dark_theme_is_dark_and_light_theme_is_light(qapp: QApplication, qtbot: QtBot) -> None:
    label = QLabel("Hello")
    qtbot.addWidget(label)
    apply_theme(qapp, "dark")
    assert qapp.style().name().lower() == "fusion"
    assert is_dark(qapp)
    # Widgets take the new palette from a posted event.
    qtbot.waitUntil(lambda: label.palette().color(Role.Window).lightness() < 60)
    assert label.palette().color(Role.WindowText).lightness() > 200
    apply_theme(qapp, "light")
    assert not is_dark(qapp)
    qtbot.waitUntil(lambda: label.palette().color(Role.Window).lightness() > 220)
    assert label.palette().color(Role.WindowText).lightness() < 60


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_links_and_disabled_text_are_readable(qapp: QApplication, theme: str) -> None:
    apply_theme(qapp, theme)
    palette = qapp.palette()
    for text, background in ((Role.WindowText, Role.Window), (Role.Text, Role.Base),
                             (Role.ButtonText, Role.Button),
                             (Role.HighlightedText, Role.Highlight)):
        assert contrast(palette.color(Group.Active, text), palette.color(Group.Active,
                                                                          background)) >= 4.5
    assert contrast(palette.color(Role.Link), palette.color(Role.Base)) >= 4.5
    assert contrast(palette.color(Role.LinkVisited), palette.color(Role.Base)) >= 4.5
    disabled = contrast(palette.color(Group.Disabled, Role.WindowText),
                        palette.color(Group.Disabled, Role.Window))
    enabled = contrast(palette.color(Group.Active, Role.WindowText),
                       palette.color(Group.Active, Role.Window))
    assert 3.0 <= disabled < enabled  # dimmed, yet still legible


def test_system_theme_follows_the_system_live(qapp: QApplication) -> None:
    apply_theme(qapp, "system")  # offscreen reports no preference: light
    assert not is_dark(qapp)
    # What the platform does when the person switches their desktop to dark, then back.
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert is_dark(qapp)
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark(qapp)


def test_a_chosen_theme_ignores_the_system(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not is_dark(qapp)


def test_an_unknown_theme_is_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown theme"):
        apply_theme(qapp, "sepia")


def test_every_icon_is_a_24px_svg_using_the_current_colour() -> None:
    for name in ICON_NAMES:
        source = icon_path(name).read_text(encoding="utf-8")
        assert 'viewBox="0 0 24 24"' in source
        assert ("currentColor" in source) == (name != "app")  # the logo brings its own colours


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_icons_render_crisply_in_the_text_colour(qapp: QApplication, theme: str) -> None:
    apply_theme(qapp, theme)
    text_colour = qapp.palette().color(Role.WindowText)
    for name in ICON_NAMES:
        if name == "app":
            continue
        for size, ratio in ((16, 1.0), (24, 1.0), (24, 2.0), (32, 1.5)):
            pixmap = icon(name).pixmap(QSize(size, size), ratio)
            assert pixmap.size() == QSize(round(size * ratio), round(size * ratio))
            assert pixmap.devicePixelRatio() == ratio
            assert drawn_in(pixmap.toImage(), text_colour), (name, size, ratio)


def test_an_icon_follows_a_theme_switch(qapp: QApplication) -> None:
    send = icon("send")  # made once, drawn under both themes
    apply_theme(qapp, "light")
    assert drawn_in(send.pixmap(24).toImage(), qapp.palette().color(Role.WindowText))
    apply_theme(qapp, "dark")
    light_text = QColor("#1f2328")
    assert not drawn_in(send.pixmap(24).toImage(), light_text)
    assert drawn_in(send.pixmap(24).toImage(), qapp.palette().color(Role.WindowText))


def test_a_disabled_icon_is_drawn_in_the_disabled_text_colour(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    disabled = icon("copy").pixmap(QSize(24, 24), QIcon.Mode.Disabled)
    assert drawn_in(disabled.toImage(), qapp.palette().color(Group.Disabled, Role.WindowText))
    assert not drawn_in(disabled.toImage(), qapp.palette().color(Group.Active, Role.WindowText))


def test_rendered_icons_are_cached_per_name_colour_and_size(qapp: QApplication) -> None:
    colour = QColor("#123456")
    first = render_icon("chat", colour, 24, 2.0)
    assert render_icon("chat", colour, 24, 2.0).cacheKey() == first.cacheKey()
    assert render_icon("chat", QColor("#654321"), 24, 2.0).cacheKey() != first.cacheKey()
    assert render_icon("search", colour, 24, 2.0).cacheKey() != first.cacheKey()


def test_the_app_icon_has_desktop_sizes_and_its_own_colours(qapp: QApplication) -> None:
    window_icon = app_icon()
    sizes = window_icon.availableSizes()
    assert QSize(16, 16) in sizes and QSize(256, 256) in sizes
    colours = {colour.name() for colour in stroke_colours(window_icon.pixmap(64).toImage())}
    assert "#ffffff" in colours and len(colours) >= 2  # a white figure on the coloured badge


def test_an_unknown_icon_is_refused_when_asked_for() -> None:
    with pytest.raises(ValueError, match="no icon named 'folder'"):
        icon("folder")
