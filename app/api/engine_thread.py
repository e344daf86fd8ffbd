"""The engine on a thread of its own, for `minigiants serve` (the app has its engine thread
already): the API's turns run there one at a time, in the order they came."""

from __future__ import annotations

import queue
import threading

from app.api.turn import Turn
from app.engine.engine import Engine


class EngineThread:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._turns: queue.Queue[Turn | None] = queue.Queue()
        self._count_lock = threading.Lock()
        self._unfinished = 0
        self._thread = threading.Thread(target=self._work, name="engine", daemon=True)
        self._thread.start()

    def submit(self, turn: Turn) -> None:
        with self._count_lock:
            self._unfinished += 1
        self._turns.put(turn)

    def unfinished(self) -> int:
        with self._count_lock:
            return self._unfinished

    def stop(self) -> None:
        """Stop the reply being made, let the thread end; the engine stays its owner's to close."""
        self._engine.cancel()
        self._turns.put(None)
        self._thread.join()

    def _work(self) -> None:
        while (turn := self._turns.get()) is not None:
            try:
                turn.run(self._engine)
            finally:
                with self._count_lock:
                    self._unfinished -= 1
