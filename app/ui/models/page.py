"""The model manager page: Catalog, Search Hugging Face, Downloads and Library, over the services
of app/hub (the same ones `minigiants models ...` uses). The catalog, this computer's hardware, the
library listing and the downloads an earlier run left paused are read in the background as the page
is built; each download runs on a thread of its own; the GUI thread never waits on the disk or the
network."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.engine.hardware import HardwareReport, hardware_report
from app.hub.catalog import load_catalog
from app.hub.hub_client import Hub
from app.hub.library import Library, LibraryModel
from app.hub.partials import kept_partials
from app.ui.common.background import TaskThread
from app.ui.models.catalog import CatalogTab
from app.ui.models.downloads import DownloadRequest, DownloadsTab
from app.ui.models.library import LibraryTab
from app.ui.models.search import SearchTab
from app.ui.models.status import StatusLine
from app.ui.models.your_servers import YourServersTab
from app.vault.store import Vault


class ModelsPage(QWidget):
    use_model = Signal(str)  # a library model id, or a model on your server, chosen to use
    library_changed = Signal()  # a model was added or removed, or a server of yours

    def __init__(self, library: Library, hub_factory: Callable[[], Hub], context_length: int,
                 vault_jobs: TaskThread, offline: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        # Two threads, so that a long SHA-256 check of the library never holds up a search.
        self._lookups = TaskThread("models: catalog, hardware, hub", self)
        self._library_work = TaskThread("models: library", self)

        self.status = StatusLine()
        self.downloads_tab = DownloadsTab(library, hub_factory, self.status)
        self.catalog_tab = CatalogTab(context_length, self.downloads_tab.state_of)
        self.search_tab = SearchTab(hub_factory, self._lookups, self.status, context_length)
        self.library_tab = LibraryTab(library, self._library_work, self.status)
        self.servers_tab = YourServersTab(vault_jobs, self.status, offline)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Model manager")
        self.tabs.addTab(self.catalog_tab, "&Catalog")
        self.tabs.addTab(self.search_tab, "&Search Hugging Face")
        self.tabs.addTab(self.downloads_tab, "D&ownloads")
        self.tabs.addTab(self.library_tab, "&Library")
        self.tabs.addTab(self.servers_tab, "&Your servers")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

        self.catalog_tab.download_requested.connect(self.download)
        self.search_tab.download_requested.connect(self.download)
        self.downloads_tab.changed.connect(self._downloads_changed)
        self.downloads_tab.model_downloaded.connect(lambda _model: self._library_changed())
        self.library_tab.changed.connect(self._library_changed)
        self.library_tab.use_model.connect(self.use_model)
        self.servers_tab.use_model.connect(self.use_model)
        self.servers_tab.changed.connect(self.library_changed)

        self._lookups.submit(load_catalog, self.catalog_tab.show_catalog, self.status.report,
                             what="reading the model catalog")
        self._lookups.submit(hardware_report, self._show_hardware, self.status.report,
                             what="looking at this computer's memory")
        self._refresh_library()
        self._library_work.submit(lambda: kept_partials(library), self.downloads_tab.show_kept,
                                  self.status.report, what="looking for paused downloads")

    def set_context_length(self, context_length: int) -> None:
        """The context length the fit verdicts and estimates are for (Settings changed it)."""
        self.catalog_tab.set_context_length(context_length)
        self.search_tab.set_context_length(context_length)

    def show_section(self, section: str) -> None:
        """Bring a tab forward: "catalog", "search", "downloads" or "library"; "discover" shows
        the library and looks for other apps' models at once (the welcome page offers both)."""
        tabs = {"catalog": self.catalog_tab, "search": self.search_tab,
                "downloads": self.downloads_tab, "library": self.library_tab,
                "discover": self.library_tab}
        self.tabs.setCurrentWidget(tabs[section])
        if section == "discover":
            self.library_tab.discover()

    def download(self, request: DownloadRequest) -> None:
        """Start (or resume) downloading a file into the library; it shows in the Downloads tab."""
        self.downloads_tab.start(request)

    def open_vault(self, vault: Vault) -> None:
        """Unlocked: your servers, kept in the vault, can be shown."""
        self.servers_tab.open_vault(vault)

    def clear(self) -> None:
        """Locking: what the page shows of the vault goes."""
        self.servers_tab.clear()

    def shut_down(self) -> None:
        """Pause running downloads (their partial files stay, to resume later) and end every
        thread of the page."""
        self.downloads_tab.shut_down()
        self.servers_tab.shut_down()
        self._lookups.stop()
        self._library_work.stop()

    def _show_hardware(self, hardware: HardwareReport) -> None:
        self.catalog_tab.show_hardware(hardware)
        self.search_tab.show_hardware(hardware)

    def _refresh_library(self) -> None:
        self._library_work.submit(self._library.models, self._show_library, self.status.report,
                                  what="reading the library")

    def _show_library(self, models: list[LibraryModel]) -> None:
        self.library_tab.show_models(models)
        self.catalog_tab.show_library(models)
        self.search_tab.show_library(models)

    def _library_changed(self) -> None:
        self._refresh_library()
        self.library_changed.emit()

    def _downloads_changed(self) -> None:
        count = len(self.downloads_tab.rows)
        self.tabs.setTabText(self.tabs.indexOf(self.downloads_tab),
                             f"D&ownloads ({count})" if count else "D&ownloads")
        self.catalog_tab.refresh_status()
