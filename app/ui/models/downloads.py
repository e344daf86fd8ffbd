"""The Downloads tab: one row per download that is running, paused or failed, each with its own
thread (download() blocks until the file is in the library), a progress bar, and Pause/Resume and
Cancel. A paused or failed download keeps its partial file; resuming continues from it. Those kept
from an earlier run of the app are listed again, paused, when the page is built."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import MiniGiantsError
from app.hub.download import DownloadControl, Progress, download
from app.hub.errors import DownloadStopped
from app.hub.hub_client import Hub
from app.hub.library import Library, LibraryModel
from app.hub.partials import KeptPartial, discard_partial
from app.ui.common.background import TaskThread
from app.ui.models.format import amount_text, progress_text
from app.ui.models.status import StatusLine

_BAR_STEPS = 1000  # per-mille, so a multi-GB file's bar still moves visibly


@dataclass(frozen=True)
class DownloadRequest:
    repo: str
    filename: str
    label: str  # what the person sees: the catalog name, or the file name
    revision: str = "main"
    expected_sha256: str | None = None  # pinned by the catalog, checked besides the hub's hash


class DownloadState(str, enum.Enum):
    RUNNING = "downloading"
    PAUSING = "pausing"
    PAUSED = "paused"
    CANCELLING = "cancelling"
    FAILED = "failed"


class DownloadRow(QFrame):
    """One download. It ends by emitting `finished` (the file is in the library) or `cancelled`."""

    progressed = Signal(object)  # Progress, emitted on the download's thread
    finished = Signal(object)  # LibraryModel
    cancelled = Signal()
    failed = Signal(object)  # MiniGiantsError; the row stays, to retry or cancel
    state_changed = Signal()

    def __init__(self, request: DownloadRequest, library: Library,
                 hub_factory: Callable[[], Hub], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.state = DownloadState.RUNNING
        self._library = library
        self._hub_factory = hub_factory
        self._control = DownloadControl()
        self._last_progress: Progress | None = None
        self._thread = TaskThread(f"download {request.filename}", self)
        self.setFrameShape(QFrame.Shape.StyledPanel)

        title = QLabel(request.label)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        source = QLabel(f"{request.repo} · {request.filename}")
        source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, _BAR_STEPS)
        self.bar.setAccessibleName(f"Progress of {request.label}")
        self.detail = QLabel()
        self.detail.setAccessibleName(f"Progress details of {request.label}")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName(f"Problem with {request.label}")
        self.problem.hide()
        self.pause_button = QPushButton()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName(f"Cancel the download of {request.label}")

        buttons = QHBoxLayout()
        buttons.addWidget(self.detail, 1)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(source)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)

        # Queued: download() reports on its own thread; the widgets are touched on the GUI's.
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.pause_button.clicked.connect(self.pause_or_resume)
        self.cancel_button.clicked.connect(self.cancel)

    def start(self) -> None:
        """Start, or resume from the partial file a pause or a failure left."""
        self._control = control = DownloadControl()
        hub, library, request = self._hub_factory(), self._library, self.request
        self.problem.hide()
        self.detail.setText("Connecting…")
        self._set_state(DownloadState.RUNNING)
        self._thread.submit(
            lambda: download(hub, library, request.repo, request.filename,
                             revision=request.revision, expected_sha256=request.expected_sha256,
                             progress=self.progressed.emit, control=control),
            self.finished.emit, self._on_stopped_or_failed,
            what=f"downloading {request.filename}")

    def show_kept(self, kept: KeptPartial) -> None:
        """Show as paused a download an earlier run of the app left with its partial file kept;
        Resume continues from that file, Cancel deletes it."""
        self._last_progress = progress = Progress(Path(kept.filename).name, kept.done, kept.total,
                                                  0.0, None)
        if progress.fraction is not None:
            self.bar.setValue(round(min(progress.fraction, 1.0) * _BAR_STEPS))
        self.detail.setText(f"{amount_text(progress)} · paused")
        self._set_state(DownloadState.PAUSED)

    def pause_or_resume(self) -> None:
        if self.state is DownloadState.RUNNING:
            self._control.pause()
            self.detail.setText("Pausing…")
            self._set_state(DownloadState.PAUSING)
        elif self.state in (DownloadState.PAUSED, DownloadState.FAILED):
            self.start()

    def cancel(self) -> None:
        """Stop and delete the partial file; a transfer in flight does that itself as it stops."""
        if self.state in (DownloadState.RUNNING, DownloadState.PAUSING):
            self._control.cancel()
            self.detail.setText("Cancelling…")
            self._set_state(DownloadState.CANCELLING)
        elif self.state in (DownloadState.PAUSED, DownloadState.FAILED):
            self._set_state(DownloadState.CANCELLING)
            self._discard_partial()

    def shut_down(self) -> None:
        """Pause a running transfer (its partial file stays for next time) and end the thread."""
        if self.state in (DownloadState.RUNNING, DownloadState.PAUSING):
            self._control.pause()
        self._thread.stop()

    def _on_stopped_or_failed(self, error: MiniGiantsError) -> None:
        if self.state is DownloadState.CANCELLING:
            # Also when a pause won the race with Cancel (the file was kept) or the transfer failed.
            self._discard_partial()
        elif isinstance(error, DownloadStopped):
            done = self._last_progress
            self.detail.setText(f"Paused at {amount_text(done)}; Resume continues from there."
                                if done is not None and done.done else "Paused.")
            self._set_state(DownloadState.PAUSED)
        else:
            self._fail(error)

    def _fail(self, error: MiniGiantsError) -> None:
        self.problem.setText(f"⚠ {error.for_person()}")
        self.problem.show()
        self.detail.setText("Stopped.")
        self._set_state(DownloadState.FAILED)
        self.failed.emit(error)

    def _discard_partial(self) -> None:
        library, request = self._library, self.request
        self._thread.submit(lambda: discard_partial(library, request.repo, request.filename),
                            lambda _: self.cancelled.emit(), self._fail,
                            what=f"deleting the partial download of {request.filename}")

    def _show_progress(self, progress: Progress) -> None:
        if self.state is not DownloadState.RUNNING:
            return  # a report still queued from before Pause or Cancel was pressed
        self._last_progress = progress
        if progress.fraction is None:
            self.bar.setRange(0, 0)  # size unknown: a busy bar
        else:
            self.bar.setRange(0, _BAR_STEPS)
            self.bar.setValue(round(progress.fraction * _BAR_STEPS))
        complete = progress.total is not None and progress.done >= progress.total
        self.detail.setText("Checking the SHA-256 and the file…" if complete
                            else progress_text(progress))

    def _set_state(self, state: DownloadState) -> None:
        self.state = state
        resumable = state in (DownloadState.PAUSED, DownloadState.FAILED)
        self.pause_button.setText("Retry" if state is DownloadState.FAILED
                                  else "Resume" if resumable else "Pause")
        self.pause_button.setAccessibleName(
            f"{self.pause_button.text()} the download of {self.request.label}")
        self.pause_button.setEnabled(state in (DownloadState.RUNNING, DownloadState.PAUSED,
                                               DownloadState.FAILED))
        self.cancel_button.setEnabled(state is not DownloadState.CANCELLING)
        self.state_changed.emit()


class DownloadsTab(QWidget):
    model_downloaded = Signal(object)  # LibraryModel
    changed = Signal()  # a download was added, changed state, or ended

    def __init__(self, library: Library, hub_factory: Callable[[], Hub], status: StatusLine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._hub_factory = hub_factory
        self._status = status
        self.rows: list[DownloadRow] = []

        self._empty = QLabel("No downloads. Choose a model in the Catalog or Search tab.")
        self._empty.setWordWrap(True)
        self._list = QVBoxLayout()
        self._list.addWidget(self._empty)
        self._list.addStretch(1)
        content = QWidget()
        content.setLayout(self._list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Downloads")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def start(self, request: DownloadRequest) -> DownloadRow:
        """Start a download; one already listed for that file resumes instead of doubling."""
        row = self._row_of(request.repo, request.filename)
        if row is not None:
            if row.state in (DownloadState.PAUSED, DownloadState.FAILED):
                row.start()
            return row
        row = self._add(request)
        row.start()
        self._status.inform(f"Downloading {request.label}; see the Downloads tab.")
        return row

    def show_kept(self, partials: list[KeptPartial]) -> None:
        """List, paused, the downloads an earlier run left with their partial files kept (the page
        reads them off the GUI thread). One the person started again meanwhile is left as it is."""
        added = 0
        for kept in partials:
            if self._row_of(kept.repo, kept.filename) is None:
                request = DownloadRequest(kept.repo, kept.filename, Path(kept.filename).name,
                                          kept.revision, kept.expected_sha256)
                self._add(request).show_kept(kept)
                added += 1
        if added:
            self._status.inform(f"{added} paused download{'s' if added > 1 else ''} from last "
                                "time; see the Downloads tab to resume or cancel.")

    def state_of(self, repo: str, filename: str) -> DownloadState | None:
        row = self._row_of(repo, filename)
        return row.state if row is not None else None

    def shut_down(self) -> None:
        for row in self.rows:
            row.shut_down()

    def _row_of(self, repo: str, filename: str) -> DownloadRow | None:
        return next((row for row in self.rows
                     if (row.request.repo, row.request.filename) == (repo, filename)), None)

    def _add(self, request: DownloadRequest) -> DownloadRow:
        row = DownloadRow(request, self._library, self._hub_factory)
        row.finished.connect(lambda model: self._on_finished(row, model))
        row.cancelled.connect(lambda: self._on_cancelled(row))
        row.failed.connect(self._status.report)
        row.state_changed.connect(self.changed)
        self.rows.append(row)
        self._list.insertWidget(len(self.rows) - 1, row)
        self._empty.hide()
        return row

    def _on_finished(self, row: DownloadRow, model: LibraryModel) -> None:
        self._drop(row)
        self._status.inform(f"{row.request.label} is downloaded, its SHA-256 verified, and it is "
                            f"in the library as “{model.id}”.")
        self.model_downloaded.emit(model)

    def _on_cancelled(self, row: DownloadRow) -> None:
        self._drop(row)
        self._status.inform(f"The download of {row.request.label} was cancelled and its partial "
                            "file deleted.")

    def _drop(self, row: DownloadRow) -> None:
        row.shut_down()  # its job has ended: this returns at once
        self.rows.remove(row)
        self._list.removeWidget(row)
        row.deleteLater()
        self._empty.setVisible(not self.rows)
        self.changed.emit()
