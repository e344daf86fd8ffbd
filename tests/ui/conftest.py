"""What the page tests share: a real vault living on its own TaskThread and the engine on its
own thread (no model loaded), as in the app, and the app's look put back after a test that changes
the theme."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.input_guard import install_input_guard
from app.ui.common.theme import apply_theme
from app.vault.store import Vault
from tests.vault.conftest import floor_kdf

PASSPHRASE = "maple orbit lantern cobalt"
SLOW = 30_000  # ms: Argon2id and a busy two-core machine


def run_on(jobs: TaskThread, qtbot: QtBot, job: Callable[[], object]) -> object:
    """Runs `job` on the vault's thread; its result, or the error it raised."""
    answers: list[object] = []
    jobs.submit(job, answers.append, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=SLOW)
    return answers[0]


def button_of(box: QMessageBox | None, role: QMessageBox.ButtonRole) -> QAbstractButton:
    """The one button of `box` (a question a page has open) that has `role`."""
    assert box is not None, "no question is open"
    (button,) = [b for b in box.buttons() if box.buttonRole(b) is role]
    return button


@pytest.fixture(autouse=True)
def input_rules(qapp: QApplication) -> None:
    """The app's rules for keys, focus and the wheel, which its window installs (app-wide)."""
    install_input_guard()


@pytest.fixture
def vault_jobs() -> Iterator[TaskThread]:
    jobs = TaskThread("vault")
    yield jobs
    jobs.stop()


@pytest.fixture
def vault(vault_jobs: TaskThread, qtbot: QtBot, private_home: Path) -> Iterator[Vault]:
    created = run_on(vault_jobs, qtbot,
                     lambda: Vault.create(private_home / "vault.db", PASSPHRASE, kdf=floor_kdf()))
    assert isinstance(created, Vault)
    yield created
    vault_jobs.submit(created.close)  # on its own thread; stopping the thread waits for it


@pytest.fixture
def engine_host() -> Iterator[EngineHost]:
    host = EngineHost()
    yield host
    host.shut_down()


@pytest.fixture
def api_host(engine_host: EngineHost) -> Iterator[ApiHost]:
    host = ApiHost(engine_host)
    yield host
    host.stop()


@pytest.fixture
def restore_look(qapp: QApplication) -> Iterator[None]:
    """The look is application-wide: give the next test the one this one found."""
    style, palette = qapp.style().name(), QPalette(qapp.palette())
    yield
    apply_theme(qapp, "system")  # stops following an explicit choice
    qapp.setStyle(style)
    qapp.setPalette(palette)
