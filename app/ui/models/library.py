"""The Library tab: the models on this computer with what their files say (architecture,
parameters, quantization, context, chat template, licence) and where they came from, LoRA adapters
under the models they fit; Use, Import…, Discover, Verify and Remove. Every disk operation runs on
the page's library thread; questions are asked with window-modal dialogs that do not block."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from app.errors import MiniGiantsError
from app.hub.discover import FoundModel, discover
from app.hub.errors import StarterModelIsPartOfTheApp
from app.hub.library import (
    COPY,
    DOWNLOAD,
    REFERENCE,
    STARTER,
    Library,
    LibraryModel,
    VerifyResult,
)
from app.ui.common.background import TaskThread
from app.ui.common.sizes import size_text
from app.ui.models.discovered import DiscoveredDialog
from app.ui.models.format import parameters_text
from app.ui.models.status import StatusLine

COLUMNS = ("Model", "Architecture", "Parameters", "Quantization", "Context", "Chat template",
           "Licence", "Source", "Size")


def source_text(model: LibraryModel) -> str:
    return {
        DOWNLOAD: f"Hugging Face: {model.repo}",
        COPY: "Imported (copied into the library)",
        REFERENCE: f"Used in place: {model.path}",
        STARTER: "Comes with Mini-Giants",
    }.get(model.source, model.source)


class LibraryTab(QWidget):
    use_model = Signal(str)
    changed = Signal()  # a model was added or removed

    def __init__(self, library: Library, worker: TaskThread, status: StatusLine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._worker = worker
        self._status = status
        self._models: dict[str, LibraryModel] = {}
        # The question open now, if any (tests answer it there); see _ask.
        self.file_dialog: QFileDialog | None = None
        self.import_question: QMessageBox | None = None
        self.remove_question: QMessageBox | None = None
        self.discovered_dialog: DiscoveredDialog | None = None

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setAccessibleName("Models in the library")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setRootIsDecorated(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.use_button = self._button("&Use", "Use the chosen model in the chat")
        self.import_button = self._button("&Import…", "Import a GGUF file")
        self.discover_button = self._button("&Discover", "Find models other apps downloaded")
        self.verify_button = self._button("&Verify", "Verify the chosen model's SHA-256")
        self.remove_button = self._button("&Remove", "Remove the chosen model from the library")

        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        for button in (self.import_button, self.discover_button, self.verify_button,
                       self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.use_chosen())
        self.use_button.clicked.connect(self.use_chosen)
        self.import_button.clicked.connect(self.ask_for_file)
        self.discover_button.clicked.connect(self.discover)
        self.verify_button.clicked.connect(self.verify_chosen)
        self.remove_button.clicked.connect(self.ask_to_remove)
        self._update_buttons()

    def _ask(self, attribute: str, dialog: QDialog) -> None:
        """Open a dialog window-modal, without blocking the event loop as exec() would; it is
        this tab's `attribute` while open, and deleted once answered."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda *_: setattr(self, attribute, None))
        setattr(self, attribute, dialog)
        dialog.open()

    def _button(self, text: str, accessible_name: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible_name)
        return button

    # -- the listing ----------------------------------------------------------------------------

    def show_models(self, models: list[LibraryModel]) -> None:
        chosen = self.chosen()
        self._models = {model.id: model for model in models}
        self.tree.clear()
        adapters_placed: set[str] = set()
        for model in self._library.base_models(models):
            item = self._item(model)
            self.tree.addTopLevelItem(item)
            for adapter in self._library.adapters_for(model, models):
                child = self._item(adapter, label=f"LoRA adapter {adapter.id}")
                child.setToolTip(0, f"A LoRA adapter for {model.architecture} models such as "
                                    f"{model.id}: {adapter.path}")
                item.addChild(child)
                adapters_placed.add(adapter.id)
            item.setExpanded(True)
        for model in models:
            if model.is_adapter and model.id not in adapters_placed:
                self.tree.addTopLevelItem(self._item(
                    model, label=f"LoRA adapter {model.id} (no {model.architecture} model to "
                                 "apply it to)"))
        self._choose(chosen.id if chosen else None)

    def chosen(self) -> LibraryModel | None:
        item = self.tree.currentItem()
        return self._models.get(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    def _choose(self, model_id: str | None) -> None:
        """Keep the choice across a refresh; the first model when it went away."""
        items = QTreeWidgetItemIterator(self.tree)
        while (found := items.value()) is not None:
            if found.data(0, Qt.ItemDataRole.UserRole) == model_id:
                break
            items += 1
        chosen = found or self.tree.topLevelItem(0)
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        self._update_buttons()

    def _item(self, model: LibraryModel, label: str | None = None) -> QTreeWidgetItem:
        template = "yes" if model.has_chat_template else "no (ChatML used)"
        item = QTreeWidgetItem([
            label or model.id, model.architecture or "?",
            parameters_text(model.parameters) if model.parameters else "?",
            model.quantization or "?",
            f"{model.context_length:,}" if model.context_length else "?",
            "—" if model.is_adapter else template, model.licence or "unknown",
            source_text(model), size_text(model.size)])
        item.setData(0, Qt.ItemDataRole.UserRole, model.id)
        item.setToolTip(0, str(model.path))
        return item

    def _update_buttons(self) -> None:
        model = self.chosen()
        self.use_button.setEnabled(model is not None and not model.is_adapter)
        self.verify_button.setEnabled(model is not None)
        removable = model is not None and model.source != STARTER
        self.remove_button.setEnabled(removable)
        # The reason in the library's own words, for whoever wonders why Remove is greyed out.
        self.remove_button.setToolTip(
            "" if removable or model is None else StarterModelIsPartOfTheApp().for_person())

    # -- actions --------------------------------------------------------------------------------

    def use_chosen(self) -> None:
        model = self.chosen()
        if model is not None and not model.is_adapter:
            self.use_model.emit(model.id)

    def ask_for_file(self) -> None:
        dialog = QFileDialog(self, "Import a GGUF model")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("GGUF models (*.gguf)")
        dialog.fileSelected.connect(lambda path: self.ask_how_to_import(Path(path)))
        self._ask("file_dialog", dialog)

    def ask_how_to_import(self, path: Path) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Import a model",
                          f"How should Mini-Giants use {path.name}?", parent=self)
        box.setInformativeText("A copy stays usable if the original moves or is deleted, and "
                               "takes the space twice. Using it in place saves the space.")
        copy_button = box.addButton("&Copy into the library", QMessageBox.ButtonRole.AcceptRole)
        in_place = box.addButton("Use it &where it is", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(copy_button)

        def answered(*_: object) -> None:
            if box.clickedButton() in (copy_button, in_place):
                self.import_file(path, copy=box.clickedButton() is copy_button)

        box.finished.connect(answered)
        self._ask("import_question", box)

    def import_file(self, path: Path, *, copy: bool) -> None:
        """Check the file and add it, copied in or used in place (off the GUI thread)."""
        library = self._library

        def job() -> LibraryModel:
            return library.import_file(path, copy=copy)

        self._status.inform(f"Checking {path.name} and computing its SHA-256…")
        self._worker.submit(job, self._added, self._status.report, what=f"importing {path.name}")

    def discover(self) -> None:
        library = self._library

        def new_models() -> list[FoundModel]:
            known = library.resolved_paths()
            return [model for model in discover() if model.path.resolve() not in known]

        self._status.inform("Looking for models that LM Studio, GPT4All, Jan, Ollama and the "
                            "Hugging Face cache downloaded…")
        self._worker.submit(new_models, self._offer_discovered, self._status.report,
                            what="looking for other apps' models")

    def _offer_discovered(self, found: list[FoundModel]) -> None:
        if not found:
            self._status.inform("No models from other apps were found that the library does not "
                                "already have.")
            return
        self._status.inform(f"Found {len(found)} model(s) from other apps.")
        dialog = DiscoveredDialog(found, self)
        dialog.accepted.connect(lambda: self._add_in_place(dialog.chosen()))
        self._ask("discovered_dialog", dialog)

    def _add_in_place(self, chosen: list[FoundModel]) -> None:
        for found in chosen:
            self.import_file(found.path, copy=False)

    def verify_chosen(self) -> None:
        model = self.chosen()
        if model is None:
            return
        library, model_id = self._library, model.id
        self._status.inform(f"Computing the SHA-256 of “{model_id}”…")
        self._worker.submit(lambda: library.verify(model_id), self._verified, self._status.report,
                            what=f"verifying {model_id}")

    def _verified(self, result: VerifyResult) -> None:
        name = result.model.id
        if result.model.sha256 is None:
            self._status.inform(f"“{name}” was read in full: SHA-256 {result.actual}. No checksum "
                                "was recorded to compare it with.")
        elif result.ok:
            self._status.inform(f"“{name}” is intact: its SHA-256 matches the one recorded when it "
                                "entered the library.")
        else:
            self._status.report(MiniGiantsError(
                f"“{name}” has changed since it entered the library: its SHA-256 is "
                f"{result.actual[:12]}…, it was {result.model.sha256[:12]}….",
                "Remove it and download or import it again."))

    def ask_to_remove(self) -> None:
        model = self.chosen()
        if model is None:
            return
        deleted = (f"Its file ({size_text(model.size)}) will be deleted."
                   if model.source in (DOWNLOAD, COPY)
                   else f"The file itself stays where it is: {model.path}")
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove a model",
                          f"Remove “{model.id}” from the library?", parent=self)
        box.setInformativeText(deleted)
        remove = box.addButton("&Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # a stray Enter keeps the model
        box.finished.connect(lambda *_: self.remove(model.id) if box.clickedButton() is remove
                             else None)
        self._ask("remove_question", box)

    def remove(self, model_id: str) -> None:
        library = self._library
        self._worker.submit(lambda: library.remove(model_id), self._removed, self._status.report,
                            what=f"removing {model_id}")

    def _added(self, model: LibraryModel) -> None:
        where = " (used where it is)" if model.source == REFERENCE else ""
        self._status.inform(f"Added “{model.id}” to the library{where}.")
        self.changed.emit()

    def _removed(self, model: LibraryModel) -> None:
        kept = " Its file was left where it is." if model.source == REFERENCE else ""
        self._status.inform(f"Removed “{model.id}” from the library.{kept}")
        self.changed.emit()
