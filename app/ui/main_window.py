"""A minimal chat window over the engine: until the GUI issue builds the full app, it shows the
loaded model and lets a person talk to it, with Stop and the reply's speed."""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.engine import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    ModelFacts,
    SamplingOptions,
    StopReason,
)
from app.resource_files import prompt
from app.ui.engine_worker import EngineWorker


class MainWindow(QMainWindow):
    load_requested = Signal(str, object)
    generate_requested = Signal(int, object, object)
    unload_requested = Signal()
    reply_finished = Signal(object)  # GenerationStats, on the GUI thread

    def __init__(self, model_path: str, sampling: SamplingOptions = SamplingOptions()) -> None:
        super().__init__()
        self.setWindowTitle("Mini-Giants")
        self.resize(760, 560)
        self._sampling = sampling
        self._messages: list[ChatMessage] = [ChatMessage("system", prompt("assistant"))]
        self._request = 0
        self._reply_parts: list[str] = []
        self._busy = False

        self.model_label = QLabel("Loading the model…")
        self.transcript = QPlainTextEdit(readOnly=True)
        self.transcript.setPlaceholderText("Your conversation stays on this computer.")
        self.composer = QLineEdit(placeholderText="Write a message and press Enter")
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.status_label = QLabel("")

        row = QHBoxLayout()
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout()
        layout.addWidget(self.model_label)
        layout.addWidget(self.transcript, 1)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)

        self.composer.returnPressed.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        QShortcut(QKeySequence("Esc"), self, self.stop)

        self._thread = QThread(self)
        self._worker = EngineWorker()
        self._worker.moveToThread(self._thread)
        self.load_requested.connect(self._worker.load)
        self.generate_requested.connect(self._worker.generate)
        self.unload_requested.connect(self._worker.unload)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.load_failed.connect(self._on_load_failed)
        self._worker.chunk.connect(self._on_chunk)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()

        self._set_ready(False, "Loading the model…")
        self.load_requested.emit(model_path, LoadOptions())

    def _set_ready(self, ready: bool, reason: str = "") -> None:
        self.composer.setEnabled(ready)
        self.send_button.setEnabled(ready)
        self.stop_button.setEnabled(self._busy)
        self.composer.setPlaceholderText(
            "Write a message and press Enter" if ready else reason
        )

    def _on_loaded(self, facts: ModelFacts) -> None:
        params = f"{facts.parameters / 1e6:.0f}M" if facts.parameters < 1e9 else f"{facts.parameters / 1e9:.1f}B"
        self.model_label.setText(
            f"Model: {facts.name} · {params} parameters · {facts.quantization} · "
            f"runs on this computer, offline"
        )
        if not facts.has_chat_template:
            self.status_label.setText("This model has no chat template; Mini-Giants uses ChatML.")
        self._set_ready(True)
        self.composer.setFocus()

    def _on_load_failed(self, message: str) -> None:
        self.model_label.setText("No model loaded")
        self.status_label.setText(message)
        self._set_ready(False, "Load a model to chat")

    def send(self) -> None:
        text = self.composer.text().strip()
        if not text or self._busy:
            return
        self.composer.clear()
        self._messages.append(ChatMessage("user", text))
        self.transcript.appendPlainText(f"You: {text}\n")
        self.transcript.appendPlainText("Assistant: ")
        self._request += 1
        self._reply_parts = []
        self._busy = True
        self._set_ready(False, "Writing a reply… (Esc stops)")
        self.status_label.setText("")
        self.generate_requested.emit(self._request, list(self._messages), self._sampling)

    def stop(self) -> None:
        if self._busy:
            self._worker.cancel()

    def _on_chunk(self, request: int, text: str) -> None:
        if request != self._request:
            return
        self._reply_parts.append(text)
        self.transcript.insertPlainText(text)
        self.transcript.ensureCursorVisible()

    def _on_finished(self, request: int, stats: GenerationStats) -> None:
        if request != self._request:
            return
        self._messages.append(ChatMessage("assistant", "".join(self._reply_parts)))
        self.transcript.appendPlainText("")
        self._busy = False
        self._set_ready(True)
        notes = []
        if stats.stop_reason is StopReason.CANCELLED:
            notes.append("stopped")
        if stats.dropped_messages:
            notes.append(f"{len(stats.dropped_messages)} older messages left out to fit the context")
        speed = f"{stats.decode_tokens_per_s:.1f} tokens/s" if stats.decode_tokens_per_s else ""
        self.status_label.setText(
            " · ".join([f"{stats.completion_tokens} tokens", *([speed] if speed else []), *notes])
        )
        self.reply_finished.emit(stats)

    def _on_failed(self, request: int, message: str) -> None:
        if request != self._request:
            return
        self._messages.pop()  # the user message that got no reply
        self._busy = False
        self._set_ready(True)
        self.status_label.setText(message)

    def shut_down(self) -> None:
        """Stop any reply, free the model on its own thread, then end that thread."""
        if not self._thread.isRunning():
            return
        self._worker.cancel()
        self.unload_requested.emit()
        self._thread.quit()
        self._thread.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)
