"""Above the conversation: the model in use (or how its loading goes, or which server of yours
computes the replies) and the picker that changes it: the library's chat models, the models your
servers listed, then a way to the Models section."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QWidget

from app.hub.library import LibraryModel
from app.remote.your_servers import ServerModel

MANAGE_MODELS = "Manage models…"


class ModelBar(QWidget):
    chosen = Signal(str)  # a library id, or a model on your server (ServerModel.choice)
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ids: list[str] = []
        self.status = QLabel()
        self.status.setAccessibleName("Model status")
        self.progress = QProgressBar(maximum=100, textVisible=False)
        self.progress.setAccessibleName("Model loading progress")
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.picker = QComboBox()
        self.picker.setAccessibleName("Model")
        self.picker.setToolTip("The model this conversation talks to")
        self.picker.setMinimumContentsLength(22)
        # As wide as that, not as the longest name: a long one would push the window off screen.
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status)
        row.addWidget(self.progress)
        row.addWidget(self.picker)
        self.picker.activated.connect(self._picked)

    def set_models(self, models: list[LibraryModel], servers: list[ServerModel],
                   current: str | None) -> None:
        """The library's chat models (adapters are not chat models on their own), then those on
        your servers."""
        chat_models = [m for m in models if not m.is_adapter]
        self._ids = [m.id for m in chat_models] + [s.choice for s in servers]
        self.picker.clear()
        self.picker.addItems([m.filename for m in chat_models]
                             + [s.label for s in servers] + [MANAGE_MODELS])
        if current in self._ids:
            self.picker.setCurrentIndex(self._ids.index(current))

    def loading(self, name: str) -> None:
        self.status.setText(f"Loading {name}…")
        self.progress.setValue(0)
        self.progress.show()

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))

    def done(self, status: str, explained: str = "") -> None:
        """Loaded (what is loaded) or failed ("No model loaded"); `explained` on hovering."""
        self.progress.hide()
        self.status.setText(status)
        self.status.setToolTip(explained)

    @property
    def is_loading(self) -> bool:
        return not self.progress.isHidden()

    def _picked(self, index: int) -> None:
        if index >= len(self._ids):
            self.manage_requested.emit()
        else:
            self.chosen.emit(self._ids[index])
