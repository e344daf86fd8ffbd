"""Settings' box for the OpenAI-compatible API, over a real vault on its thread and the app's
engine thread with no model loaded: off unless turned on, its key shown and renewable, and the
server the app runs answering the official client with that key only."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator

import openai
import pytest
from pytestqt.qtbot import QtBot

from app.api.api_key import api_key
from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.preferences import Preferences
from app.ui.settings.api_box import ApiBox
from app.vault.store import Vault
from tests.loopback import free_port
from tests.ui.conftest import SLOW, run_on


@pytest.fixture
def box(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, api_host: ApiHost) -> ApiBox:
    shown = ApiBox(vault_jobs, vault, api_host, Preferences())
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.key_edit.text().startswith("mg-"), timeout=SLOW)
    return shown


def client(api: ApiHost, key: str) -> openai.OpenAI:
    assert api.base_url is not None
    return openai.OpenAI(base_url=api.base_url, api_key=key, max_retries=0, timeout=30)


@pytest.fixture
def serving(qtbot: QtBot, box: ApiBox, vault_jobs: TaskThread, vault: Vault,
            api_host: ApiHost) -> Iterator[int]:
    port = free_port()
    with qtbot.waitSignal(box.changed) as changed:
        box.enabled_check.click()
    assert changed.args == [True, Preferences().api_port], "on, at the default port"
    with qtbot.waitSignal(api_host.changed, timeout=SLOW):
        api_host.follow(dataclasses.replace(Preferences(), api_enabled=True, api_port=port),
                        vault, vault_jobs)  # as the window does with the new preferences
    yield port


def test_off_unless_turned_on_and_the_key_is_the_vaults(
        box: ApiBox, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault,
        api_host: ApiHost) -> None:
    assert not box.enabled_check.isChecked() and box.state_label.text() == "Off."
    assert box.key_edit.text() == run_on(vault_jobs, qtbot, lambda: api_key(vault))
    api_host.follow(Preferences(), vault, vault_jobs)
    assert api_host.base_url is None


def test_the_app_serves_with_its_key_and_says_where(
        serving: int, box: ApiBox, api_host: ApiHost) -> None:
    assert box.state_label.text() == f"Listening at http://127.0.0.1:{serving}/v1"
    with client(api_host, box.key_edit.text()) as api:
        assert api.models.list().data == [], "no model loaded yet"
        with pytest.raises(openai.InternalServerError, match="No model is loaded"):
            api.chat.completions.create(model="any", messages=[{"role": "user", "content": "Hi"}])


def test_a_renewed_key_refuses_the_old_one(serving: int, box: ApiBox, qtbot: QtBot,
                                           api_host: ApiHost) -> None:
    old = box.key_edit.text()
    with qtbot.waitSignal(api_host.changed, timeout=SLOW):
        box.renew_button.click()
    new = box.key_edit.text()
    assert new != old and "refused" in box.message_label.text()
    with client(api_host, old) as api, pytest.raises(openai.AuthenticationError):
        api.models.list()
    with client(api_host, new) as api:
        assert api.models.list().data == []


def test_a_taken_port_is_said_and_nothing_breaks(
        box: ApiBox, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault,
        api_host: ApiHost) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with qtbot.waitSignal(api_host.changed, timeout=SLOW):
            api_host.follow(dataclasses.replace(Preferences(), api_enabled=True, api_port=port),
                            vault, vault_jobs)
    assert api_host.base_url is None
    assert f"port {port}" in box.state_label.text() and "another one" in box.state_label.text()
