"""The app's OpenAI-compatible API (app/api): served while the vault is unlocked and Settings turn
it on, for programs on this computer only, with the model the app has loaded, through the app's
own engine thread (its chat goes first). Locking or quitting stops it: the key came from the
vault, and a locked app answers nobody."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.api.api_key import api_key
from app.api.listen import ApiServer, loopback_socket
from app.errors import MiniGiantsError
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.preferences import Preferences
from app.vault.store import Vault

if TYPE_CHECKING:
    from app.api.server import ServedModel
    from app.engine import ModelFacts


class ApiHost(QObject):
    changed = Signal()  # started, stopped, or could not start: `state` says which

    def __init__(self, engine: EngineHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._server: ApiServer | None = None
        self._port = 0
        # The model served and what it is served as, made once per model loaded: programs ask for
        # it with every request, and it reads the file's time.
        self._served: tuple[ModelFacts, ServedModel] | None = None
        self.state = "Off."

    @property
    def base_url(self) -> str | None:
        return None if self._server is None else self._server.base_url

    def serve(self, key: str, port: int) -> None:
        """Start, or start again with this key and port."""
        from app.api.server import (
            api_app,  # Starlette: loaded when first served, not at start
        )

        self.stop(quietly=True)
        self._port = port
        try:
            sock = loopback_socket("127.0.0.1", port)
        except MiniGiantsError as error:
            self.state = error.for_person()
        else:
            self._server = ApiServer(api_app(self._engine, self._served_model, key), sock)
            self._server.start()
            self.state = f"Listening at {self._server.base_url}"
        self.changed.emit()

    def follow(self, preferences: Preferences, vault: Vault | None, jobs: TaskThread) -> None:
        """Serve, or stop, as `preferences` say; only while `vault` is given and unlocked (the key
        is read from it on its thread, `jobs`)."""
        if not preferences.api_enabled or vault is None or vault.is_locked:
            if self._server is not None:
                self.stop()
            return
        if self._server is not None and self._port == preferences.api_port:
            return
        port = preferences.api_port
        jobs.submit(lambda: api_key(vault), lambda key: self.serve(key, port),
                    what="reading the API key")

    def renew(self, key: str) -> None:
        """A new key: the old one is refused from now on."""
        if self._server is not None:
            self.serve(key, self._port)

    def stop(self, *, quietly: bool = False) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self.state = "Off."
        if not quietly:
            self.changed.emit()

    def _served_model(self) -> ServedModel | None:
        """From the server's thread: the model loaded now, if any."""
        from app.api.server import ServedModel

        facts, served = self._engine.facts, self._served
        if facts is None:
            return None
        if served is None or served[0] is not facts:
            served = self._served = (facts, ServedModel.of(facts, self._engine.n_ctx))
        return served[1]
