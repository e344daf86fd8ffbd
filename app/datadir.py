"""Where Mini-Giants keeps its data: the platform's user data folder, or MINIGIANTS_HOME when set."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Mini-Giants"
HOME_VARIABLE = "MINIGIANTS_HOME"


def data_dir() -> Path:
    """The data folder, created when missing. MINIGIANTS_HOME wins so tests and portable installs
    never touch the user's real data."""
    override = os.environ.get(HOME_VARIABLE)
    path = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def vault_path() -> Path:
    """The encrypted vault's file, the same for the GUI and the CLI."""
    return data_dir() / "vault.db"
