"""The whole app serving its API: a program on this computer gets replies from the model the app
has loaded, through the app's own engine thread, where the person's chat goes before a program's
request that was waiting already; locking stops the server and unlocking starts it again."""

from __future__ import annotations

import threading
from pathlib import Path

import openai
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.api.api_key import api_key
from app.ui.common.preferences import Preferences
from app.ui.shell.window import AppWindow
from tests.loopback import free_port
from tests.ui.conftest import SLOW, run_on
from tests.ui.shell.test_app_window import REPLY, first_run, windows
from tests.ui.shell.test_lock_unlock import lock_and_unlock

__all__ = ["windows"]
ENDLESS = {"0": -100, "1": -100, "2": -100}  # the starter model's end tokens: it cannot stop


def serving_window(qtbot: QtBot, windows: list[AppWindow]) -> tuple[AppWindow, openai.OpenAI]:
    """A newcomer's window on the starter model, serving the API; a client with its key."""
    window = AppWindow(Preferences(context_length=2048, api_enabled=True, api_port=free_port()))
    qtbot.addWidget(window)
    window.show()
    windows.append(window)
    first_run(qtbot, window)
    qtbot.waitUntil(lambda: window.api.base_url is not None, timeout=SLOW)
    vault = window.vault
    key = run_on(window.vault_jobs, qtbot, lambda: api_key(vault))
    assert isinstance(key, str)
    return window, openai.OpenAI(base_url=window.api.base_url, api_key=key, max_retries=0,
                                 timeout=120)


def test_programs_use_the_apps_model_and_the_persons_chat_goes_first(
        qtbot: QtBot, windows: list[AppWindow], private_home: Path) -> None:
    window, api = serving_window(qtbot, windows)
    (model,) = [listed.id for listed in api.models.list().data]
    question = [{"role": "user", "content": "Tell me a story."}]

    order: list[str] = []
    # On the engine's thread as it happens, before it turns to anything else.
    window.engine.worker.finished.connect(lambda *_: order.append("the person's reply"),
                                          Qt.ConnectionType.DirectConnection)
    generating = threading.Event()
    long_reply: list[str] = []

    def program_a() -> None:
        stream = api.chat.completions.create(model=model, messages=question, max_tokens=300,
                                             logit_bias=ENDLESS, stream=True)
        for chunk in stream:
            generating.set()
            long_reply.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

    def program_b() -> None:
        api.chat.completions.create(model=model, messages=question, max_tokens=4)
        order.append("program B's reply")

    first = threading.Thread(target=program_a)
    first.start()
    assert generating.wait(timeout=60)
    second = threading.Thread(target=program_b)
    second.start()
    qtbot.waitUntil(lambda: window.engine.unfinished() == 2)  # B waits while A's reply is made
    with qtbot.waitSignal(window.chat.reply_finished, timeout=REPLY):
        qtbot.keyClicks(window.chat.composer.editor, "Hello there")
        qtbot.keyClick(window.chat.composer.editor, Qt.Key.Key_Return)  # asked after B
    for program in (first, second):
        while program.is_alive():
            qtbot.wait(20)
    assert order == ["the person's reply", "program B's reply"]
    assert len("".join(long_reply)) > 300, "program A's reply was made whole"

    lock_and_unlock(qtbot, window)  # the server stops with the lock, and starts after it
    qtbot.waitUntil(lambda: window.api.base_url is not None, timeout=SLOW)
    assert [listed.id for listed in api.models.list().data] == [model]
    window.lock()
    assert window.api.base_url is None
    with pytest.raises(openai.APIConnectionError):
        api.models.list()
    api.close()


def test_the_persons_stop_ends_their_waiting_reply_and_not_a_programs(
        qtbot: QtBot, windows: list[AppWindow], private_home: Path) -> None:
    window, api = serving_window(qtbot, windows)
    model = api.models.list().data[0].id
    generating = threading.Event()
    finish: list[str | None] = []

    def program() -> None:
        for chunk in api.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "Tell me a story."}],
                max_tokens=300, logit_bias=ENDLESS, stream=True):
            generating.set()
            if chunk.choices and chunk.choices[0].finish_reason:
                finish.append(chunk.choices[0].finish_reason)

    made = threading.Thread(target=program)
    made.start()
    assert generating.wait(timeout=60)
    with qtbot.waitSignal(window.engine._generate, timeout=SLOW):  # the person's turn is asked
        qtbot.keyClicks(window.chat.composer.editor, "Hello there")
        qtbot.keyClick(window.chat.composer.editor, Qt.Key.Key_Return)
    window.chat.composer.stop_button.click()  # while it waits behind the program's reply
    qtbot.waitUntil(lambda: not window.chat.session.busy, timeout=REPLY)
    while made.is_alive():
        qtbot.wait(20)
    assert finish == ["length"], "the program's reply was made whole"
    assert [m.role for m in window.chat.session.messages] == ["user"], "theirs never started"
    api.close()
