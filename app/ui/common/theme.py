"""The app's look: Qt's Fusion style with a calm light palette or a dark one, chosen by the person
or following the system (live, when the system switches between light and dark).

Widgets take every colour from the palette, so nothing here or elsewhere hard-codes a colour that
would be unreadable in the other theme; code that must pick colours itself (code highlighting)
asks `is_dark`, and measures what it picks with `contrast`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.ui.common.preferences import THEMES

Role = QPalette.ColorRole
# Each role: (normal colour, disabled colour). Text contrast is at least 7:1 on its background,
# disabled text at least 3.3:1 (dimmed, still readable), links and highlighted text at least 5.5:1.
_LIGHT: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.Window: ("#f4f4f2", "#f4f4f2"),
    Role.WindowText: ("#1f2328", "#7d838a"),
    Role.Base: ("#ffffff", "#f0f0ee"),
    Role.AlternateBase: ("#f0f0ed", "#f0f0ed"),
    Role.Text: ("#1f2328", "#7d838a"),
    Role.PlaceholderText: ("#6b7178", "#9a9fa5"),
    Role.Button: ("#e9e9e6", "#efefec"),
    Role.ButtonText: ("#1f2328", "#7d838a"),
    Role.BrightText: ("#ffffff", "#ffffff"),
    Role.Light: ("#ffffff", "#ffffff"),
    Role.Midlight: ("#e2e2df", "#e2e2df"),
    Role.Mid: ("#c4c4c0", "#c4c4c0"),
    Role.Dark: ("#9e9e9a", "#9e9e9a"),
    Role.Shadow: ("#5a5a58", "#5a5a58"),
    Role.Highlight: ("#2f6a9e", "#c9cdd2"),
    Role.HighlightedText: ("#ffffff", "#5a6068"),
    Role.Accent: ("#2f6a9e", "#c9cdd2"),
    Role.Link: ("#1d5b94", "#7d838a"),
    Role.LinkVisited: ("#6a3d9a", "#7d838a"),
    Role.ToolTipBase: ("#fdfdf6", "#fdfdf6"),
    Role.ToolTipText: ("#1f2328", "#1f2328"),
}
_DARK: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.Window: ("#1f2023", "#1f2023"),
    Role.WindowText: ("#e6e7e9", "#80858c"),
    Role.Base: ("#2a2c31", "#25272b"),  # lighter than the window: Fusion's field frames are dark
    Role.AlternateBase: ("#303237", "#303237"),
    Role.Text: ("#e6e7e9", "#80858c"),
    Role.PlaceholderText: ("#8e939a", "#6a6f75"),
    Role.Button: ("#34373c", "#2a2c30"),
    Role.ButtonText: ("#e6e7e9", "#80858c"),
    Role.BrightText: ("#ff8080", "#ff8080"),
    Role.Light: ("#3c3f45", "#3c3f45"),
    Role.Midlight: ("#34363b", "#34363b"),
    Role.Mid: ("#28292d", "#28292d"),
    Role.Dark: ("#131416", "#131416"),
    Role.Shadow: ("#000000", "#000000"),
    Role.Highlight: ("#2f6a9e", "#3a3d42"),
    Role.HighlightedText: ("#ffffff", "#9a9fa6"),
    Role.Accent: ("#4a8fd0", "#3a3d42"),
    Role.Link: ("#7fb8f0", "#80858c"),
    Role.LinkVisited: ("#c3a3f0", "#80858c"),
    Role.ToolTipBase: ("#2c2e33", "#2c2e33"),
    Role.ToolTipText: ("#e6e7e9", "#e6e7e9"),
}


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply "light", "dark" or "system" (which keeps following the system's choice)."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}")
    if app.style().name().lower() != "fusion":  # only Fusion draws everything from the palette
        app.setStyle("Fusion")
    follower = _follower(app)
    follower.theme = theme
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+: window frames and native dialogs match too
        hints.setColorScheme({"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
                             .get(theme, Qt.ColorScheme.Unknown))
    dark = theme == "dark" or (theme == "system"
                               and hints.colorScheme() == Qt.ColorScheme.Dark)
    app.setPalette(palette(dark))


def is_dark(app: QApplication) -> bool:
    """Whether the palette in use is a dark one, whichever way it was chosen."""
    return app.palette().color(Role.Window).lightness() < 128


def palette(dark: bool) -> QPalette:
    result = QPalette()
    for role, (normal, disabled) in (_DARK if dark else _LIGHT).items():
        result.setColor(QPalette.ColorGroup.Active, role, QColor(normal))
        result.setColor(QPalette.ColorGroup.Inactive, role, QColor(normal))
        result.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return result


class _SystemFollower(QObject):
    """Re-applies the palette when the system switches scheme, while the theme is "system"."""

    NAME = "minigiants-theme-follower"

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName(self.NAME)
        self.theme = "system"
        self._app = app
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            self._app.setPalette(palette(scheme == Qt.ColorScheme.Dark))


def _follower(app: QApplication) -> _SystemFollower:
    existing = app.findChild(QObject, _SystemFollower.NAME)
    return existing if isinstance(existing, _SystemFollower) else _SystemFollower(app)


def contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))
