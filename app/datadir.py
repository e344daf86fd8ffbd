"""Where Mini-Giants keeps its data: the platform's user data folder, or MINIGIANTS_HOME when set;
and keeping it its owner's alone."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "Mini-Giants"
HOME_VARIABLE = "MINIGIANTS_HOME"
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The data folder, created when missing. MINIGIANTS_HOME wins so tests and portable installs
    never touch the user's real data."""
    override = os.environ.get(HOME_VARIABLE)
    path = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return path


def vault_path() -> Path:
    """The encrypted vault's file, the same for the GUI and the CLI."""
    return data_dir() / "vault.db"


def kv_states_dir() -> Path:
    """Where conversations' KV caches are kept, sealed with the vault's key (app/vault/
    state_files.py), so going back to a conversation after a restart is quick."""
    return data_dir() / "kv-states"


def keep_private() -> None:
    """At every start, before anything is written: what this process creates is its owner's
    alone (the vault, its journal files, ui.ini, the log, downloads, exports), and what an
    earlier version or a copy left readable by others is made owner-only again. Only on POSIX:
    Windows keeps a user's application data private through the profile's access lists."""
    if os.name != "posix":
        return
    os.umask(0o077)
    root = data_dir()
    _restrict(root, PRIVATE_FOLDER)
    for folder, folders, files in os.walk(root):  # links are left alone, never followed
        for name in folders:
            _restrict(Path(folder, name), PRIVATE_FOLDER)
        for name in files:
            _restrict(Path(folder, name), PRIVATE_FILE)


def _restrict(path: Path, mode: int) -> None:
    try:
        status = path.lstat()
        if stat.S_ISLNK(status.st_mode) or stat.S_IMODE(status.st_mode) & ~mode == 0:
            return
        os.chmod(path, stat.S_IMODE(status.st_mode) & mode)
    except OSError as error:  # not ours (copied in by another user), or gone meanwhile
        log.warning("Could not make %s private: %s", path, error.strerror)
