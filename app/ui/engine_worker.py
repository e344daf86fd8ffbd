"""The engine on its own thread. The GUI asks by queued signals and hears back by signals; the one
exception is `cancel()`, a plain method, because the worker's event loop is busy while it generates.
Every reply chunk carries its request id so the window can drop chunks of a request it gave up on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.errors import MiniGiantsError


class EngineWorker(QObject):
    loaded = Signal(object)  # ModelFacts
    load_failed = Signal(str)
    chunk = Signal(int, str)  # request id, text delta
    finished = Signal(int, object)  # request id, GenerationStats
    failed = Signal(int, str)  # request id, message for a person

    def __init__(self) -> None:
        super().__init__()
        self._engine: Engine | None = None

    @Slot(str, object)
    def load(self, path: str, options: LoadOptions) -> None:
        self.unload()
        try:
            self._engine = Engine.load(Path(path), options)
        except MiniGiantsError as error:
            self.load_failed.emit(error.for_person())
            return
        self.loaded.emit(self._engine.facts)

    @Slot(int, object, object)
    def generate(self, request: int, messages: list[ChatMessage], sampling: SamplingOptions) -> None:
        if self._engine is None:
            self.failed.emit(request, "No model is loaded.")
            return
        try:
            stream = self._engine.chat(messages, sampling)
            for delta in stream:
                self.chunk.emit(request, delta)
        except MiniGiantsError as error:
            self.failed.emit(request, error.for_person())
            return
        self.finished.emit(request, stream.stats)

    def cancel(self) -> None:
        """Any thread: stop the reply being generated."""
        engine = self._engine
        if engine is not None:
            engine.cancel()

    @Slot()
    def unload(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
