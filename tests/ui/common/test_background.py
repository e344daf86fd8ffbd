"""TaskThread: jobs run off the GUI thread, in order, and answer on the GUI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.errors import MiniGiantsError
from app.ui.common.background import TaskThread, UnexpectedError


def test_jobs_run_in_order_on_one_other_thread_and_answer_on_the_gui_thread(qtbot: QtBot) -> None:
    tasks = TaskThread("test")
    gui = threading.get_ident()
    ran: list[tuple[int, int]] = []
    answered: list[tuple[int, int]] = []
    for number in range(20):
        tasks.submit(lambda n=number: ran.append((n, threading.get_ident())) or n,
                     lambda n: answered.append((n, threading.get_ident())))
    qtbot.waitUntil(lambda: len(answered) == 20)
    assert [n for n, _ in ran] == list(range(20))
    assert len({thread for _, thread in ran}) == 1 and ran[0][1] != gui
    assert answered == [(n, gui) for n in range(20)]
    assert tasks.pending == 0
    tasks.stop()


def test_errors_come_back_as_errors_a_person_can_read(qtbot: QtBot) -> None:
    tasks = TaskThread("test")
    errors: list[MiniGiantsError] = []

    def refuse() -> None:
        raise MiniGiantsError("No.", "Try something else.")

    def crash() -> None:
        raise ValueError("secret text the person wrote")

    tasks.submit(refuse, on_error=errors.append)
    tasks.submit(crash, on_error=errors.append, what="saving the note")
    qtbot.waitUntil(lambda: len(errors) == 2)
    assert errors[0].message == "No."
    assert isinstance(errors[1], UnexpectedError)
    assert "saving the note" in errors[1].message and "secret" not in errors[1].for_person()
    tasks.stop()


def test_stop_lets_the_jobs_already_given_finish(qtbot: QtBot) -> None:
    tasks = TaskThread("test")
    done: list[int] = []
    for number in range(5):
        tasks.submit(lambda n=number: done.append(n))
    tasks.stop()
    assert done == [0, 1, 2, 3, 4]
