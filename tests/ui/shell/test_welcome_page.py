"""The welcome's model step, with and without the starter model: the installed app ships without
model weights, so there it offers a download instead of a model that is not there."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.ui.shell.welcome import CATALOG, DISCOVER, STARTER, WelcomePage


def choices(page: WelcomePage) -> list[str]:
    return [button.text() for button in page.findChildren(QPushButton)
            if button in page.choice_buttons.values()]


def test_the_starter_model_is_offered_first_where_it_is_installed(qtbot: QtBot) -> None:
    page = WelcomePage(starter_installed=True)
    qtbot.addWidget(page)
    assert list(page.choice_buttons) == [STARTER, CATALOG, DISCOVER]
    assert page.choice_buttons[STARTER].isDefault()
    with qtbot.waitSignal(page.model_choice) as chosen:
        page.choice_buttons[STARTER].click()
    assert chosen.args == [STARTER]


def test_without_the_starter_model_a_download_is_offered_instead(qtbot: QtBot) -> None:
    page = WelcomePage(starter_installed=False)
    qtbot.addWidget(page)
    assert list(page.choice_buttons) == [CATALOG, DISCOVER]
    catalog = page.choice_buttons[CATALOG]
    assert catalog.isDefault() and "download" in catalog.text()
    assert not any("starter" in text for text in choices(page))
