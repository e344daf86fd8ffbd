"""Models → Your servers: adding llama-cpp-python's own server on loopback (after the plain-HTTP
warning), what is refused and said (a public address over plain HTTP, a wrong key, offline mode, a
warning declined), Check and Remove, and the tab forgetting everything on lock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.remote.your_servers import YourServer, your_servers
from app.ui.common.background import TaskThread
from app.ui.models.status import StatusLine
from app.ui.models.your_servers import YourServersTab
from app.vault.store import Vault
from tests.remote.llama_cpp_server import KEY
from tests.ui.conftest import SLOW, button_of, run_on


@pytest.fixture
def offline() -> dict[str, bool]:
    return {"on": False}


@pytest.fixture
def tab(qtbot: QtBot, vault: Vault, vault_jobs: TaskThread,
        offline: dict[str, bool]) -> Iterator[YourServersTab]:
    status = StatusLine()
    shown = YourServersTab(vault_jobs, status, lambda: offline["on"])
    qtbot.addWidget(shown)
    qtbot.addWidget(status)
    shown.open_vault(vault)
    yield shown
    shown.shut_down()


def kept(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault) -> list[YourServer]:
    servers = run_on(vault_jobs, qtbot, lambda: your_servers(vault))
    assert isinstance(servers, list)
    return servers


def try_adding(qtbot: QtBot, tab: YourServersTab, address: str, key: str, *,
               warned: str | None = None) -> str:
    """Type, Add; `warned`: the answer to the plain-HTTP warning ("add" or "cancel"). Returns
    what the status line says in the end."""
    status = tab._status
    status.clear()
    tab.address.setText(address)
    tab.key.setText(key)
    tab.add_button.click()
    if warned is not None:
        qtbot.waitUntil(lambda: tab.plain_http_question is not None, timeout=SLOW)
        button_of(tab.plain_http_question, QMessageBox.ButtonRole.AcceptRole if warned == "add"
                  else QMessageBox.ButtonRole.RejectRole).click()
    qtbot.waitUntil(lambda: not status.text().endswith("…") and status.text() != "",
                    timeout=SLOW)
    return status.text()


def test_adding_checking_and_removing_your_server(
        qtbot: QtBot, tab: YourServersTab, your_server: str, vault: Vault,
        vault_jobs: TaskThread) -> None:
    said = try_adding(qtbot, tab, "http://8.8.8.8/v1", KEY)
    assert "will not send conversations to it over plain HTTP" in said
    assert "Not added." == try_adding(qtbot, tab, your_server, KEY, warned="cancel")
    assert "refused the API key" in try_adding(qtbot, tab, your_server, "wrong", warned="add")
    assert kept(qtbot, vault_jobs, vault) == []

    with qtbot.waitSignal(tab.changed, timeout=SLOW):
        assert "Added" in try_adding(qtbot, tab, your_server, KEY, warned="add")
    (added,) = kept(qtbot, vault_jobs, vault)
    assert added.api_key == KEY and len(added.models) == 1
    top = tab.tree.topLevelItem(0)
    assert top.text(0) == your_server and top.child(0).text(0) == added.models[0]
    assert tab.address.text() == "" and tab.key.text() == ""

    tab.tree.setCurrentItem(top.child(0))
    with qtbot.waitSignal(tab.use_model) as used:
        tab.use_button.click()
    assert used.args == [f"server:{added.id}:{added.models[0]}"]

    with qtbot.waitSignal(tab.changed, timeout=SLOW):
        tab.check_button.click()
    assert tab._status.text() == f"Checked {added.host}."

    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    tab.remove_button.click()
    with qtbot.waitSignal(tab.changed, timeout=SLOW):
        button_of(tab.remove_question, QMessageBox.ButtonRole.DestructiveRole).click()
    assert kept(qtbot, vault_jobs, vault) == [] and tab.tree.topLevelItemCount() == 0


def test_offline_mode_adds_nothing_and_locking_forgets_what_was_shown(
        qtbot: QtBot, tab: YourServersTab, your_server: str, offline: dict[str, bool], vault: Vault,
        vault_jobs: TaskThread) -> None:
    offline["on"] = True
    assert "offline mode" in try_adding(qtbot, tab, your_server, KEY, warned="add")
    assert kept(qtbot, vault_jobs, vault) == []
    offline["on"] = False
    try_adding(qtbot, tab, your_server, KEY, warned="add")
    tab.address.setText("http://192.168.1.20:8080/v1")
    tab.key.setText("typed but not added")
    tab.clear()
    assert tab.tree.topLevelItemCount() == 0
    assert tab.address.text() == "" and tab.key.text() == ""
