"""The Catalog tab: the curated models in a table (size, licence with its openness colour, lineage,
what each is good for, whether it fits this computer), and below it the chosen model's details,
its quantization and a Download button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.engine.hardware import HardwareReport
from app.hub.catalog import CatalogEntry, CatalogFile
from app.hub.library import LibraryModel
from app.ui.common.sizes import size_text
from app.ui.models.downloads import DownloadRequest, DownloadState
from app.ui.models.format import fit_text, parameters_text, row_picker

COLUMNS = ("Model", "Parameters", "Quantization", "Size", "Licence", "Based on", "Good for",
           "Fit here", "Status")
LICENCE_COLUMN, GOOD_FOR_COLUMN, FIT_COLUMN, STATUS_COLUMN = 4, 6, 7, 8
_DOWNLOAD_STATUS = {
    DownloadState.RUNNING: "Downloading", DownloadState.PAUSING: "Downloading",
    DownloadState.PAUSED: "Paused", DownloadState.CANCELLING: "Cancelling",
    DownloadState.FAILED: "Download failed",
}


def _intro_text(context_length: int) -> str:
    return ("Instruction models of 10 billion parameters or fewer, ready to download. Licence "
            "colours: green = permissive, yellow = non-commercial, red = restricted. “Fit here” "
            f"is for this computer at {context_length:,} tokens of context.")


def licence_badge(entry: CatalogEntry) -> QTableWidgetItem:
    """The licence beside a dot of its openness colour (the catalog's green, yellow or red), with
    the openness in words too, for whoever cannot tell the colours apart. The text keeps the
    palette's colours, so it reads in light and dark themes alike."""
    item = QTableWidgetItem(openness_dot(QColor(entry.openness.colour)),
                            f"{entry.licence} — {entry.openness.value}")
    item.setToolTip(f"{entry.openness.value} ({entry.openness.colour}): {entry.licence}")
    return item


def openness_dot(colour: QColor, diameter: int = 12) -> QIcon:
    dot = QPixmap(diameter, diameter)
    dot.fill(Qt.GlobalColor.transparent)
    painter = QPainter(dot)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(colour)
    painter.setPen(colour.darker(140))  # an edge, so yellow still shows on a light background
    painter.drawEllipse(1, 1, diameter - 2, diameter - 2)
    painter.end()
    return QIcon(dot)


class CatalogTab(QWidget):
    download_requested = Signal(object)  # DownloadRequest

    def __init__(self, context_length: int,
                 download_state: Callable[[str, str], DownloadState | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context_length = context_length
        self._download_state = download_state
        self.entries: tuple[CatalogEntry, ...] = ()
        self._hardware: HardwareReport | None = None
        self._in_library: set[tuple[str, str]] = set()  # (repo, file name)

        self.intro = QLabel(_intro_text(context_length))
        self.intro.setWordWrap(True)
        self.table = row_picker(COLUMNS, "Model catalog")
        self.table.setWordWrap(False)  # one line per model; the full text is in the tooltip
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(GOOD_FOR_COLUMN, QHeaderView.ResizeMode.Stretch)
        # Long licence names are cut (the tooltip has them whole) so "Good for" keeps some room.
        header.setSectionResizeMode(LICENCE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(LICENCE_COLUMN, 300)
        self.details = QLabel("Reading the catalog…")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setAccessibleName("Details of the chosen model")
        self.quantization = QComboBox()
        self.quantization.setAccessibleName("Quantization to download")
        quantization_label = QLabel("&Quantization:")
        quantization_label.setBuddy(self.quantization)
        self.download_button = QPushButton("&Download")
        self.download_button.setAccessibleName("Download the chosen model")
        self.download_button.setEnabled(False)

        actions = QHBoxLayout()
        actions.addWidget(quantization_label)
        actions.addWidget(self.quantization)
        actions.addStretch(1)
        actions.addWidget(self.download_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(actions)

        self.table.currentCellChanged.connect(self._on_current_cell)
        self.quantization.currentIndexChanged.connect(lambda *_: self._show_details())
        self.download_button.clicked.connect(self.download_chosen)

    # -- what the page hands in, as it arrives from the background --------------------------------

    def show_catalog(self, entries: tuple[CatalogEntry, ...]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            size = entry.size_of()
            cells = [QTableWidgetItem(entry.name),
                     QTableWidgetItem(parameters_text(entry.parameters_billion * 1e9)),
                     QTableWidgetItem(entry.default.quantization),
                     QTableWidgetItem(size_text(size, estimated=entry.default.size is None)),
                     licence_badge(entry), QTableWidgetItem(entry.base_model or "—"),
                     QTableWidgetItem(entry.good_for)]
            cells[0].setToolTip(f"{entry.repo} (catalog id {entry.id})")
            cells[-1].setToolTip(entry.good_for)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self._show_fits()
        self.refresh_status()
        if entries:
            self.table.setCurrentCell(0, 0)
        self._show_choice()

    def show_hardware(self, hardware: HardwareReport) -> None:
        self._hardware = hardware
        self._show_fits()
        self._show_details()

    def show_library(self, models: list[LibraryModel]) -> None:
        self._in_library = {(model.repo, model.filename) for model in models if model.repo}
        self.refresh_status()

    def set_context_length(self, context_length: int) -> None:
        """Redo the fit verdicts and the chosen model's estimate for another context length."""
        self._context_length = context_length
        self.intro.setText(_intro_text(context_length))
        self._show_fits()
        self._show_details()

    def refresh_status(self) -> None:
        """The Status column and the Download button, after the library or a download changed."""
        for row, entry in enumerate(self.entries):
            self.table.setItem(row, STATUS_COLUMN, QTableWidgetItem(self._status_of(entry)))
        self._show_details()

    # -- the person's choices -----------------------------------------------------------------

    def chosen(self) -> tuple[CatalogEntry, CatalogFile] | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.entries):
            return None
        entry = self.entries[row]
        index = self.quantization.currentIndex()
        return entry, entry.files[index] if 0 <= index < len(entry.files) else entry.default

    def download_chosen(self) -> None:
        chosen = self.chosen()
        if chosen is None or not self.download_button.isEnabled():
            return
        entry, file = chosen
        self.download_requested.emit(DownloadRequest(
            entry.repo, file.filename, f"{entry.name} ({file.quantization})",
            revision=entry.revision, expected_sha256=file.sha256))

    def _on_current_cell(self, row: int, _column: int, previous_row: int,
                         _previous_column: int) -> None:
        if row != previous_row:
            self._show_choice()

    def _show_choice(self) -> None:
        """A new row: offer its files, the default first."""
        chosen = self.chosen()
        self.quantization.blockSignals(True)
        self.quantization.clear()
        if chosen is not None:
            entry = chosen[0]
            for file in entry.files:
                size = size_text(entry.size_of(file), estimated=file.size is None)
                self.quantization.addItem(f"{file.quantization} · {size}")
        self.quantization.blockSignals(False)
        self._show_details()

    def _show_details(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            self.download_button.setEnabled(False)
            return
        entry, file = chosen
        lines = [f"{entry.name}: {entry.parameters_billion:g} billion parameters, trained for "
                 f"{entry.context_length:,} tokens of context. {entry.good_for}",
                 f"Based on {entry.base_model or 'its own pre-trained model'}. Licence: "
                 f"{entry.licence} ({entry.openness.value}).",
                 f"On this computer: {self._fit_summary(entry, file)}."]
        if entry.gated:
            lines.append("The repository is gated: accept its licence on Hugging Face and add an "
                         "access token in Settings first.")
        held = self._held(entry, file)
        if held:
            lines.append(f"{file.quantization} is in the library.")
        self.details.setText("\n".join(lines))
        busy = self._download_state(entry.repo, file.filename)
        self.download_button.setEnabled(not held and busy is None)

    def _fit_summary(self, entry: CatalogEntry, file: CatalogFile) -> str:
        if self._hardware is None:
            return "looking at its memory…"
        return entry.fit(self._context_length, self._hardware, file).summary()

    def _show_fits(self) -> None:
        for row, entry in enumerate(self.entries):
            if self._hardware is None:
                item = QTableWidgetItem("…")
                item.setToolTip("Looking at this computer's memory…")
            else:
                estimate = entry.fit(self._context_length, self._hardware)
                item = QTableWidgetItem(fit_text(estimate))
                item.setToolTip(estimate.summary())
            self.table.setItem(row, FIT_COLUMN, item)

    def _held(self, entry: CatalogEntry, file: CatalogFile) -> bool:
        return (entry.repo, Path(file.filename).name) in self._in_library

    def _status_of(self, entry: CatalogEntry) -> str:
        held = [file.quantization for file in entry.files if self._held(entry, file)]
        if held == [entry.default.quantization]:
            return "In library"
        if held:
            return f"In library: {', '.join(held)}"
        states = [self._download_state(entry.repo, file.filename) for file in entry.files]
        busy = next((state for state in states if state is not None), None)
        return _DOWNLOAD_STATUS[busy] if busy is not None else ""
