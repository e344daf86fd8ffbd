"""Exporting the journal (or part of it, such as one thought record) to a Markdown or PDF file, on a
person's explicit request: a warning that the file will not be encrypted, the choice of where to
save it, then the file, written readable by its owner only and never over an existing one.

What goes in the file is collected on the vault's thread; the PDF is laid out on the GUI thread
(QTextDocument and QPdfWriter belong there) into memory, so that it reaches the disk only through
write_private and is never world-readable, not even for a moment. Every dialog opens without
blocking the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QStandardPaths, Qt
from PySide6.QtGui import (
    QFontDatabase,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app import __version__
from app.errors import MiniGiantsError
from app.export import PLAINTEXT_WARNING, Export, as_markdown
from app.ui.common.background import TaskThread
from app.ui.common.widgets import while_alive
from app.vault.private_files import write_private

ExportFormat = Literal["md", "pdf"]
FILTERS: dict[ExportFormat, str] = {"md": "Markdown (*.md)", "pdf": "PDF (*.pdf)"}
_FONT_POINTS = 11


class ExportNotWritten(MiniGiantsError):
    """The operating system refused the file: a folder without write access, one that is gone."""

    def __init__(self, path: Path, error: OSError) -> None:
        if isinstance(error, PermissionError):
            message = f"Mini-Giants may not write in {path.parent}; nothing was exported."
        else:
            reason = error.strerror or "the operating system refused it"
            message = f"{path.name} could not be written ({reason}); nothing was exported."
        super().__init__(message, "Choose another folder, such as your Documents folder.")
        self.path = path


def write_export(path: Path, fmt: ExportFormat, export: Export) -> None:
    """Write `export` as Markdown or PDF at `path`, owner-only. Raises TargetExists (the file is
    left as it was), VaultDiskFull or ExportNotWritten; nothing is left behind on a failure."""
    markdown = as_markdown(export)
    data = render_pdf(markdown) if fmt == "pdf" else markdown.encode("utf-8")
    try:
        write_private(path, data)
    except OSError as error:
        raise ExportNotWritten(path, error) from None


def render_pdf(markdown: str) -> bytes:
    """The Markdown laid out on A4 pages (numbered by Qt) as the bytes of a PDF file."""
    document = QTextDocument()
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    font.setPointSize(_FONT_POINTS)
    document.setDefaultFont(font)
    document.setMarkdown(markdown)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle("Mini-Giants export")
    writer.setCreator(f"Mini-Giants {__version__}")
    # No margins of the writer's own: print_() then lays the text out with 2 cm margins and
    # numbers the pages in them; margins here would come on top of those.
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF()))
    document.print_(writer)  # ends its painter, which finishes the file in the buffer
    return bytes(buffer.data().data())


def format_of(path: Path, name_filter: str) -> tuple[Path, ExportFormat]:
    """The format a chosen file asks for: its suffix when it has one of ours, else the filter's,
    whose suffix is then added."""
    by_suffix: dict[str, ExportFormat] = {".md": "md", ".pdf": "pdf"}
    if path.suffix.lower() in by_suffix:
        return path, by_suffix[path.suffix.lower()]
    fmt: ExportFormat = "pdf" if name_filter == FILTERS["pdf"] else "md"
    return path.with_name(f"{path.name}.{fmt}"), fmt


class ExportFlow:
    """One export, from the warning to the result. The dialog open at each step is an attribute
    (None when it is not open), so that a test, like a person, can answer it."""

    def __init__(self, parent: QWidget, jobs: TaskThread, collect: Callable[[], Export],
                 suggested_name: str, on_done: Callable[[Path], None] | None) -> None:
        self._parent = parent
        self._jobs = jobs
        self._collect = collect
        self._suggested_name = suggested_name
        self._on_done = on_done
        self.warning: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.result_box: QMessageBox | None = None

    def start(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Export", "Make an unencrypted copy?",
                          parent=self._parent)
        box.setInformativeText(PLAINTEXT_WARNING)
        go_on = box.addButton("Export anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))

        def answered(*_: object) -> None:
            if box.clickedButton() is go_on:
                self._choose_file()

        box.finished.connect(answered)
        self._open("warning", box)

    def _choose_file(self) -> None:
        dialog = QFileDialog(self._parent, "Export to a file")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # write_private refuses to overwrite and says so; asking "Replace it?" first would
        # promise something that cannot happen.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
        dialog.setNameFilters(list(FILTERS.values()))
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        if documents and Path(documents).is_dir():
            dialog.setDirectory(documents)
        dialog.selectFile(f"{self._suggested_name}.md")  # the PDF filter makes it .pdf
        dialog.fileSelected.connect(
            lambda chosen: self._export(*format_of(Path(chosen), dialog.selectedNameFilter())))
        self._open("file_dialog", dialog)

    def _export(self, path: Path, fmt: ExportFormat) -> None:
        # The window may have moved on (it was locked) by the time the export is collected:
        # then no file and nothing said.
        self._jobs.submit(self._collect,
                          while_alive(self._parent, lambda export: self._write(path, fmt, export)),
                          while_alive(self._parent, self._failed), what="collecting what to export")

    def _write(self, path: Path, fmt: ExportFormat, export: Export) -> None:
        try:
            write_export(path, fmt, export)
        except MiniGiantsError as error:
            self._failed(error)
            return
        self._tell(QMessageBox.Icon.Information, "Exported", f"Saved to {path}.",
                   "It is not encrypted: keep it somewhere private.")
        if self._on_done is not None:
            self._on_done(path)

    def _failed(self, error: MiniGiantsError) -> None:
        self._tell(QMessageBox.Icon.Warning, "Not exported", error.message, error.hint)

    def _tell(self, kind: QMessageBox.Icon, title: str, text: str, more: str) -> None:
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, self._parent)
        box.setInformativeText(more)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._open("result_box", box)

    def _open(self, attribute: str, dialog: QDialog) -> None:
        """Window-modal, without blocking the event loop as exec() would; the attribute holds
        the dialog while it is open."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda *_: setattr(self, attribute, None))
        setattr(self, attribute, dialog)
        dialog.open()


def export_to_file(parent: QWidget, jobs: TaskThread, collect: Callable[[], Export],
                   suggested_name: str, on_done: Callable[[Path], None] | None = None
                   ) -> ExportFlow:
    """Start an export: warn, ask where, run `collect` on `jobs` (the vault's thread), write the
    file and say how it went. `suggested_name` is a file name without its suffix."""
    flow = ExportFlow(parent, jobs, collect, suggested_name, on_done)
    flow.start()
    return flow
