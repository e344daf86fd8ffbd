"""What the page tests share: a real vault living on its own TaskThread, as in the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.background import TaskThread
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
