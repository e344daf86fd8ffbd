"""The Search tab: GGUF repositories on Hugging Face matching a query; choosing one lists its GGUF
files (split files as one) with quantization, size and whether each fits this computer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.engine.hardware import HardwareReport
from app.errors import MiniGiantsError
from app.hub.fit import estimate_fit
from app.hub.hub_client import Hub, HubModelFile, HubRepo
from app.hub.library import LibraryModel
from app.ui.common.background import TaskThread
from app.ui.common.sizes import size_text
from app.ui.models.downloads import DownloadRequest
from app.ui.models.format import fit_text, row_picker
from app.ui.models.status import StatusLine

FILE_COLUMNS = ("File", "Quantization", "Size", "Fit here", "Status")
_FIT_COLUMN, _STATUS_COLUMN = 3, 4
# Arrowing through the results should not ask the hub about every repository passed on the way.
_LIST_FILES_AFTER_MS = 250


class SearchTab(QWidget):
    download_requested = Signal(object)  # DownloadRequest

    def __init__(self, hub_factory: Callable[[], Hub], lookups: TaskThread, status: StatusLine,
                 context_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hub_factory = hub_factory
        self._lookups = lookups
        self._status = status
        self._context_length = context_length
        self._hardware: HardwareReport | None = None
        self._in_library: set[tuple[str, str]] = set()
        self._files: list[HubModelFile] = []
        # Answers come back in order; only the latest question's answer is shown.
        self._search_number = self._files_number = 0

        self.query = QLineEdit()
        self.query.setPlaceholderText(
            "Search GGUF models on Hugging Face, e.g. qwen2.5 7b instruct")
        self.query.setAccessibleName("Search Hugging Face for")
        self.query.setClearButtonEnabled(True)
        self.search_button = QPushButton("Searc&h")
        self.search_button.setAccessibleName("Search Hugging Face")
        self.results = QListWidget()
        self.results.setAccessibleName("Repositories found")
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files = row_picker(FILE_COLUMNS, "GGUF files of the chosen repository")
        self.files.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.files.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files_caption = QLabel("Choose a repository to see its files.")
        self.files_caption.setWordWrap(True)
        self.download_button = QPushButton("Do&wnload file")
        self.download_button.setAccessibleName("Download the chosen file")
        self.download_button.setEnabled(False)
        self._list_files_soon = QTimer(self, singleShot=True, interval=_LIST_FILES_AFTER_MS)

        query_row = QHBoxLayout()
        query_row.addWidget(self.query, 1)
        query_row.addWidget(self.search_button)
        files_side = QWidget()
        files_layout = QVBoxLayout(files_side)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addWidget(self.files_caption)
        files_layout.addWidget(self.files, 1)
        download_row = QHBoxLayout()
        download_row.addStretch(1)
        download_row.addWidget(self.download_button)
        files_layout.addLayout(download_row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.results)
        split.addWidget(files_side)
        split.setSizes([380, 720])
        layout = QVBoxLayout(self)
        layout.addLayout(query_row)
        layout.addWidget(split, 1)

        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.results.currentItemChanged.connect(lambda *_: self._list_files_soon.start())
        self._list_files_soon.timeout.connect(self.list_files)
        self.files.currentCellChanged.connect(lambda *_: self._update_download_button())
        self.download_button.clicked.connect(self.download_chosen)

    def show_hardware(self, hardware: HardwareReport) -> None:
        self._hardware = hardware
        self._show_files()

    def set_context_length(self, context_length: int) -> None:
        """Redo the listed files' fit verdicts for another context length."""
        self._context_length = context_length
        self._show_files()

    def show_library(self, models: list[LibraryModel]) -> None:
        self._in_library = {(model.repo, model.filename) for model in models if model.repo}
        self._show_files()

    def search(self) -> None:
        query = self.query.text().strip()
        if not query:
            return
        self._search_number += 1
        number, hub = self._search_number, self._hub_factory()
        self._status.inform(f"Searching Hugging Face for “{query}”…")
        self._lookups.submit(lambda: hub.search(query),
                             lambda repos: self._show_results(number, query, repos),
                             self._status.report, what="searching Hugging Face")

    def list_files(self) -> None:
        """Ask the hub for the GGUF files of the repository chosen in the results."""
        item = self.results.currentItem()
        if item is None:
            return
        repo = item.data(Qt.ItemDataRole.UserRole)
        self._files_number += 1
        number, hub = self._files_number, self._hub_factory()
        self._files = []
        self._show_files()
        self.files_caption.setText(f"Reading the files of {repo}…")
        self._lookups.submit(lambda: hub.gguf_files(repo),
                             lambda files: self._show_repo_files(number, repo, files),
                             lambda error: self._files_failed(number, repo, error),
                             what=f"listing the files of {repo}")

    def download_chosen(self) -> None:
        row = self.files.currentRow()
        if not 0 <= row < len(self._files) or not self.download_button.isEnabled():
            return
        chosen = self._files[row]
        self.download_requested.emit(DownloadRequest(chosen.repo, chosen.name, chosen.name))

    def _show_results(self, number: int, query: str, repos: list[HubRepo]) -> None:
        if number != self._search_number:
            return
        self.results.clear()
        for repo in repos:
            item = QListWidgetItem(
                f"{repo.repo}\n{repo.downloads:,} downloads · {repo.likes:,} likes")
            item.setData(Qt.ItemDataRole.UserRole, repo.repo)
            self.results.addItem(item)
        found = "1 repository" if len(repos) == 1 else f"{len(repos)} repositories"
        self._status.inform(f"{found} with GGUF files match “{query}”." if repos
                            else f"No GGUF repositories match “{query}”.")
        if repos:
            self.results.setCurrentRow(0)

    def _show_repo_files(self, number: int, repo: str, files: list[HubModelFile]) -> None:
        if number != self._files_number:
            return
        self._files = files
        self.files_caption.setText(f"GGUF files of {repo}:" if files
                                   else f"{repo} holds no GGUF model files.")
        self._show_files()
        if files:
            self.files.setCurrentCell(0, 0)

    def _files_failed(self, number: int, repo: str, error: MiniGiantsError) -> None:
        if number != self._files_number:
            return
        self._files = []
        self._show_files()
        self.files_caption.setText(f"The files of {repo} could not be listed.")
        self._status.report(error)

    def _show_files(self) -> None:
        self.files.setRowCount(len(self._files))
        for row, model_file in enumerate(self._files):
            parts = f" ({len(model_file.parts)} parts)" if len(model_file.parts) > 1 else ""
            self.files.setItem(row, 0, QTableWidgetItem(model_file.name + parts))
            self.files.setItem(row, 1, QTableWidgetItem(model_file.quantization or "?"))
            self.files.setItem(row, 2, QTableWidgetItem(size_text(model_file.size)))
            self.files.setItem(row, _FIT_COLUMN, self._fit_item(model_file))
            held = (model_file.repo, model_file.name.rsplit("/", 1)[-1]) in self._in_library
            self.files.setItem(row, _STATUS_COLUMN, QTableWidgetItem("In library" if held else ""))
        self._update_download_button()

    def _fit_item(self, model_file: HubModelFile) -> QTableWidgetItem:
        if self._hardware is None:
            return QTableWidgetItem("…")
        # As `minigiants models files` does: the attention shape is known only after download,
        # so this counts the weights and working buffers, not the KV cache.
        estimate = estimate_fit(model_file.size or 0, None, self._context_length, self._hardware)
        item = QTableWidgetItem(fit_text(estimate))
        item.setToolTip(f"{estimate.summary()} (the context's memory is known after download)")
        return item

    def _update_download_button(self) -> None:
        row = self.files.currentRow()
        status = self.files.item(row, _STATUS_COLUMN) if 0 <= row < len(self._files) else None
        self.download_button.setEnabled(status is not None and not status.text())
