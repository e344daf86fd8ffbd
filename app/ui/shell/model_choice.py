"""Which model the chat uses: one in the library, loaded here on the engine thread, or one on your
server (app/remote), chosen in the chat's picker, in Models, or at start (the last one in use,
once the first conversation is on screen). The choice is remembered once it is in use. Your
server's key comes from the vault, so on lock the engine lets it go, and unlocking takes it up
again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.engine import ModelFacts
from app.hub.library import STARTER_ID, Library, LibraryModel
from app.hub.starter import starter_installed
from app.remote.your_servers import (
    ServerForgotten,
    ServerModel,
    is_server_choice,
    server_model,
    server_models,
)
from app.ui.chat.page import ChatPage
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.preferences import Preferences
from app.vault.store import Vault


class ModelChoice(QObject):
    def __init__(self, library: Library, engine: EngineHost, chat: ChatPage,
                 file_jobs: TaskThread, vault_jobs: TaskThread,
                 preferences: Callable[[], Preferences], remember: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        """`preferences` now (the choice remembered is their `model`); `remember` a choice once
        it is in use."""
        super().__init__(parent)
        self._library = library
        self._engine = engine
        self._chat = chat
        self._file_jobs = file_jobs
        self._vault_jobs = vault_jobs
        self._preferences = preferences
        self._remember = remember
        self._vault: Vault | None = None
        self._choosing: str | None = None  # being loaded; remembered once it is in use
        worker = engine.worker
        worker.loaded.connect(self._loaded)
        worker.remote_ready.connect(self._server_ready)
        worker.load_progress.connect(chat.model_load_progress)
        worker.load_failed.connect(chat.model_failed)

    def open_vault(self, vault: Vault) -> None:
        self._vault = vault
        self.refresh()

    def lock(self) -> None:
        """Your server's key is the vault's: a model there is let go until the next unlock."""
        self._vault = None
        if self._engine.remote is not None:
            self._engine.unload()
            self._choosing = None

    def choose(self, choice: str) -> None:
        """A library id, or a model on one of your servers (ServerModel.choice)."""
        self._choosing = choice
        vault = self._vault
        if is_server_choice(choice):
            if vault is not None:
                self._vault_jobs.submit(lambda: server_model(vault, choice), self._use_server,
                                        self._chat.model_failed, what="finding your server")
            return

        def found(model: LibraryModel) -> None:
            self._chat.model_loading(model.filename)
            self._engine.load(model.path, self._preferences().load_options())

        self._file_jobs.submit(lambda: self._library.model(choice), found,
                               self._chat.model_failed, what="finding the model")

    def choose_if_none(self) -> None:
        """After unlocking, once the conversation is on screen (loading competes with drawing)."""
        choice = self._preferences().model
        if not self._engine.is_loaded and self._choosing is None and (
                choice != STARTER_ID or starter_installed()):
            self.choose(choice)  # else the chat says how to get a model

    def offline_changed(self) -> None:
        """Offline mode on or off: a model on your server is refused, or may be used again."""
        if is_server_choice(self._preferences().model) and self._vault is not None:
            self.choose(self._preferences().model)

    def refresh(self) -> None:
        """The picker's models: the library's, then those your servers listed."""
        vault = self._vault

        def listed(models: list[LibraryModel]) -> None:
            if vault is None:
                self._chat.set_models(models, [], self._preferences().model)
                return
            self._vault_jobs.submit(lambda: server_models(vault),
                                    lambda servers: self._show(models, servers),
                                    self._chat.model_failed, what="reading your servers")

        self._file_jobs.submit(self._library.models, listed, self._chat.model_failed,
                               what="reading the model library")

    def _show(self, models: list[LibraryModel], servers: list[ServerModel]) -> None:
        choice = self._preferences().model
        self._chat.set_models(models, servers, choice)
        if self._engine.remote is not None and choice not in {s.choice for s in servers}:
            # Removed in Models, or no longer listed when checked: nothing more goes there.
            self._engine.unload()
            self._chat.model_failed(ServerForgotten())

    def _use_server(self, chosen: ServerModel) -> None:
        self._chat.model_loading(chosen.label)
        self._engine.use_server(chosen, self._preferences().offline)

    def _loaded(self, facts: ModelFacts, _n_ctx: int) -> None:
        self._chat.model_loaded(facts)
        self._in_use()

    def _server_ready(self, _name: str, host: str) -> None:
        self._chat.model_remote(host)
        self._in_use()

    def _in_use(self) -> None:
        choice = self._choosing
        if choice and choice != self._preferences().model:
            self._remember(choice)
        self.refresh()
