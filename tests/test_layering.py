"""Only app/ui imports Qt: the engine, the model manager and the CLI's headless commands run without it."""

from __future__ import annotations

import subprocess
import sys


def test_core_layers_do_not_import_qt() -> None:
    code = (
        "import sys, app.engine, app.engine.bench, app.hub.starter, app.vault.store, app.cli_vault, "
        "app.cli, app.logs, app.datadir\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
