"""Only app/ui imports Qt: the engine, the model manager and the CLI's headless commands run without
it, and so does each page's logic, which the widgets only render and feed. And the window starts
without what only a door to the outside needs (the API's server, your server's client)."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after_importing(prefixes: tuple[str, ...], *modules: str) -> list[str]:
    """The modules named with `prefixes` loaded by importing `modules` in a fresh interpreter."""
    code = (f"import json, sys, {', '.join(modules)}\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    found: list[str] = json.loads(result.stdout)
    return found


def qt_modules_after_importing(*modules: str) -> list[str]:
    return loaded_after_importing(("PySide6", "shiboken6"), *modules)


def test_core_layers_do_not_import_qt() -> None:
    assert qt_modules_after_importing(
        "app.engine", "app.engine.bench", "app.hub.starter", "app.vault.store", "app.cli_vault",
        "app.cli", "app.logs", "app.datadir", "app.api.server", "app.api.listen",
        "app.api.engine_thread", "app.api.api_key", "app.cli_serve", "app.cli_chat",
        "app.remote.client", "app.remote.address", "app.remote.remote_model",
        "app.remote.your_servers") == []


def test_page_logic_runs_without_qt() -> None:
    """What happens on send, regenerate, edit, branch, stop and lock (the chat session), and the
    journal's save-as-you-type, crisis care, entries and thought-record steps."""
    assert qt_modules_after_importing(
        "app.chat.session", "app.chat.turns", "app.jobs", "app.journal.autosave",
        "app.journal.care", "app.journal.entry_draft", "app.journal.thought_record_steps") == []


def test_the_window_starts_without_the_api_server_or_your_servers_client() -> None:
    """uvicorn and starlette come when the API is switched on, openai with the first request to
    your server: loading them at every start would cost half a second."""
    assert loaded_after_importing(("openai", "uvicorn", "starlette"), "app.ui.shell.window") == []
