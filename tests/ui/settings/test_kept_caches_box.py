"""Settings' box for the conversations' kept caches, over a real vault on its thread and the real
engine thread (no model loaded): it shows the limit and what the sealed caches use, keeps a new
limit at once and in the vault, and clears them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.chat.sealed_spill import KeptCaches, disk_budget, kept_caches
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.settings.kept_caches_box import KeptCachesBox
from app.vault.store import Vault
from tests.ui.conftest import SLOW, run_on

NONE_NOW = "No sealed caches on disk now."


def sealed(home: Path) -> list[Path]:
    return list((home / "kv-states").glob("*.kv"))


@pytest.fixture
def box(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, engine_host: EngineHost
        ) -> KeptCachesBox:
    kept = run_on(vault_jobs, qtbot, lambda: kept_caches(vault))
    assert isinstance(kept, KeptCaches)
    for conversation in ("a", "b"):
        kept.files.save(conversation, "model", {"tokens": [1, 2]}, os.urandom(3 * 1024**2))
    engine_host.keep_states_in(kept)  # as the window does after unlocking
    shown = KeptCachesBox(vault_jobs, vault, engine_host)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(shown.budget_spin.isEnabled, timeout=SLOW)
    return shown


def test_the_box_shows_the_limit_and_what_the_sealed_caches_use(
        box: KeptCachesBox, qtbot: QtBot) -> None:
    assert box.budget_spin.value() == 4, "4 GiB unless changed"
    qtbot.waitUntil(lambda: box.usage_label.text() == "Sealed caches on disk now: 6 MiB.")


def test_clearing_removes_every_sealed_cache(box: KeptCachesBox, qtbot: QtBot,
                                             private_home: Path) -> None:
    assert len(sealed(private_home)) == 2
    box.clear_button.click()
    qtbot.waitUntil(lambda: box.usage_label.text() == NONE_NOW)
    assert sealed(private_home) == []


def test_a_new_limit_is_kept_at_once_and_saved_in_the_vault(
        box: KeptCachesBox, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault,
        private_home: Path) -> None:
    box.budget_spin.setValue(0)  # none kept on disk
    qtbot.waitUntil(lambda: box.usage_label.text() == NONE_NOW)
    assert sealed(private_home) == []
    qtbot.waitUntil(lambda: run_on(vault_jobs, qtbot, lambda: disk_budget(vault)) == 0,
                    timeout=SLOW)
