"""The one window: first-run welcome or the unlock screen, then the workspace (Chat, Journal,
Models, Settings). It owns the threads (vault, files, engine) and moves between locked and
unlocked: on lock every page drops what it shows, so nothing personal stays in the window's
widgets."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.chat.sealed_spill import kept_caches
from app.datadir import data_dir, vault_path
from app.engine.hardware import HardwareReport, hardware_report
from app.errors import MiniGiantsError
from app.hub.access_token import stored_token
from app.hub.hub_client import Hub
from app.hub.library import Library
from app.hub.starter import starter_installed
from app.journal.detector import forget_recent
from app.ui.chat.page import ChatPage
from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.icons import app_icon, icon
from app.ui.common.input_guard import install_input_guard
from app.ui.common.preferences import (
    Preferences,
    load_preferences,
    save_preferences,
    ui_settings,
)
from app.ui.common.theme import apply_theme
from app.ui.journal.page import JournalPage
from app.ui.models.page import ModelsPage
from app.ui.settings.page import SettingsPage
from app.ui.shell.idle_lock import IdleLock
from app.ui.shell.model_choice import ModelChoice
from app.ui.shell.unlock import UnlockPage
from app.ui.shell.welcome import CATALOG, DISCOVER, STARTER, WelcomePage
from app.vault.errors import WrongPassphrase
from app.vault.search import SearchHit
from app.vault.store import Vault

log = logging.getLogger(__name__)
CHAT, JOURNAL, MODELS, SETTINGS = 0, 1, 2, 3


class AppWindow(QMainWindow):
    def __init__(self, preferences: Preferences | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Mini-Giants")
        self.setWindowIcon(app_icon())
        install_input_guard()
        self.preferences = preferences or load_preferences()
        self.vault: Vault | None = None
        self._token: str | None = None
        self._hardware: HardwareReport | None = None
        self.library = Library()
        self.vault_jobs = TaskThread("vault", self)
        self.file_jobs = TaskThread("files", self)
        self.engine = EngineHost(self)
        self.api = ApiHost(self.engine, self)

        self.welcome = WelcomePage(starter_installed=starter_installed())
        self.unlock = UnlockPage()
        self.problem = QLabel()
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chat = ChatPage(self.vault_jobs, self.engine)
        self.journal = JournalPage(self.vault_jobs, self.engine)
        self._set_crisis_region(self.preferences.crisis_region)
        self.models = ModelsPage(self.library, self._hub, self.preferences.context_length,
                                 self.vault_jobs, lambda: self.preferences.offline)
        self.model_choice = ModelChoice(
            self.library, self.engine, self.chat, self.file_jobs, self.vault_jobs,
            lambda: self.preferences,
            lambda choice: self._preferences_changed(
                dataclasses.replace(self.preferences, model=choice)), self)
        self.settings_page: SettingsPage | None = None  # exists only while unlocked
        self.workspace, self.nav, self.pages = _workspace(
            [self.chat, self.journal, self.models, QWidget()],  # Settings' place: filled unlocked
            self.lock, self._page_changed)
        self.stack = QStackedWidget()
        for page in (self.welcome, self.unlock, self.workspace, self.problem):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

        self.idle = IdleLock(self)
        self.idle.set_minutes(self.preferences.auto_lock_minutes)
        self.idle.arm(False)
        self.idle.idle.connect(self.lock)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock)
        for index in (CHAT, JOURNAL, MODELS, SETTINGS):  # Ctrl+1 to 4: as in the sidebar
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self, lambda i=index: self._go_to(i))
        QShortcut(QKeySequence.StandardKey.Quit, self, self.close)

        self.welcome.create_requested.connect(self._create_vault)
        self.welcome.model_choice.connect(self._first_model)
        self.unlock.unlock_requested.connect(self._unlock)
        self.chat.model_chosen.connect(self.model_choice.choose)
        self.chat.shown.connect(self.model_choice.choose_if_none)
        self.chat.manage_models_requested.connect(lambda: self.show_page(MODELS))
        self.chat.journal_hit_chosen.connect(self._open_journal_hit)
        self.models.use_model.connect(self._use_model)
        self.models.library_changed.connect(self.model_choice.refresh)

        self._restore_geometry()
        self._start()

    # -- layout ----------------------------------------------------------------------------

    def _open_journal_hit(self, hit: SearchHit) -> None:
        self.show_page(JOURNAL)
        self.journal.open_hit(hit)

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def _go_to(self, index: int) -> None:
        if self.is_unlocked:
            self.show_page(index)

    def _page_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        if index == MODELS and self.vault is not None:
            self._read_token()  # it may have been changed in Settings

    # -- start, create, unlock, lock -------------------------------------------------------

    def _start(self) -> None:
        self.file_jobs.submit(hardware_report, self._got_hardware, what="reading the hardware")
        if not vault_path().exists():
            self.stack.setCurrentWidget(self.welcome)
            return
        self.stack.setCurrentWidget(self.unlock)
        self.unlock.set_busy(True)
        self.vault_jobs.submit(lambda: Vault.open(vault_path()), self._opened, self._cannot_open,
                               what="opening the vault")

    def _opened(self, vault: Vault) -> None:
        self.vault = vault
        self.unlock.reset()

    def _cannot_open(self, error: MiniGiantsError) -> None:
        self.problem.setText(f"<h3>{error.message}</h3><p>{error.hint}</p>")
        self.stack.setCurrentWidget(self.problem)

    def _create_vault(self, passphrase: str, with_recovery: bool) -> None:
        def create() -> tuple[Vault, str | None]:
            vault = Vault.create(vault_path(), passphrase)
            return vault, vault.add_recovery_key() if with_recovery else None

        def created(result: tuple[Vault, str | None]) -> None:
            self.vault, key = result
            self.welcome.created(key)

        self.vault_jobs.submit(create, created, lambda e: self.welcome.failed(e.for_person()),
                               what="creating the vault")

    def _first_model(self, choice: str) -> None:
        self._enter_workspace()  # which loads the starter model once the chat is shown
        if choice != STARTER:
            self.show_page(MODELS)
            self.models.show_section(CATALOG if choice == CATALOG else DISCOVER)

    def _unlock(self, secret: str, is_recovery_key: bool) -> None:
        vault = self.vault
        if vault is None:
            return

        def unlock() -> str | None:
            if is_recovery_key:
                vault.unlock_with_recovery_key(secret)
            else:
                vault.unlock(secret)
            return stored_token(vault.settings)

        def unlocked(token: str | None) -> None:
            self._token = token
            self._enter_workspace()

        def refused(error: MiniGiantsError) -> None:
            message = error.message if isinstance(error, WrongPassphrase) else error.for_person()
            self.unlock.show_error(message)

        self.vault_jobs.submit(unlock, unlocked, refused, what="unlocking")

    def _enter_workspace(self) -> None:
        assert self.vault is not None
        settings = SettingsPage(self.preferences, data_folder=data_dir(),
                                vault_jobs=self.vault_jobs, vault=self.vault, engine=self.engine,
                                api=self.api)
        settings.preferences_changed.connect(self._preferences_changed)
        settings.lock_requested.connect(self.lock)
        if self._hardware is not None:
            settings.set_hardware(self._hardware)
        placeholder = self.pages.widget(SETTINGS)
        self.pages.insertWidget(SETTINGS, settings)
        if placeholder is not None:
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
        self.settings_page = settings
        # The chat first, then the workspace: shown on the page it had when locked, Qt would move
        # focus from the passphrase into that page (a journal entry) and leave it there, hidden.
        self.show_page(CHAT)
        self.stack.setCurrentWidget(self.workspace)
        self.chat.open_vault(self.vault)
        self.chat.composer.take_focus()
        self.journal.open_vault(self.vault)
        vault = self.vault
        self.vault_jobs.submit(lambda: kept_caches(vault), self.engine.keep_states_in,
                               what="opening the kept caches")
        self.model_choice.open_vault(vault)
        self.models.open_vault(vault)
        self.api.follow(self.preferences, vault, self.vault_jobs)
        self.idle.arm(True)

    def lock(self) -> None:
        """Clear every page, then forget the key (queued after any reply being saved)."""
        vault = self.vault
        if vault is None or vault.is_locked and self.stack.currentWidget() is not self.workspace:
            return
        self.idle.arm(False)
        self.api.stop()
        self.chat.clear()
        self.journal.clear()
        self.model_choice.lock()
        self.models.clear()
        forget_recent()  # the crisis detector's vectors of what was written
        if self.settings_page is not None:
            placeholder = QWidget()
            self.pages.insertWidget(SETTINGS, placeholder)
            self.pages.removeWidget(self.settings_page)
            self.settings_page.deleteLater()
            self.settings_page = None
        self._token = None
        self.vault_jobs.submit(vault.lock, what="locking")
        self.unlock.reset()
        self.stack.setCurrentWidget(self.unlock)

    @property
    def is_unlocked(self) -> bool:
        return self.stack.currentWidget() is self.workspace

    # -- models ----------------------------------------------------------------------------

    def _use_model(self, choice: str) -> None:
        self.model_choice.choose(choice)
        self.show_page(CHAT)

    def _hub(self) -> Hub:
        return Hub(token=self._token, offline=self.preferences.offline)

    def _read_token(self) -> None:
        vault = self.vault
        if vault is not None and not vault.is_locked:
            self.vault_jobs.submit(lambda: stored_token(vault.settings), self._set_token,
                                   what="reading the access token")

    def _set_token(self, token: str | None) -> None:
        if self.is_unlocked:
            self._token = token

    def _got_hardware(self, report: HardwareReport) -> None:
        self._hardware = report
        if report.backends.new_crashes:  # found by this start's probe: tell once, then Settings
            _tell_adapted(self, report.backends.new_crashes)
        if self.settings_page is not None:
            self.settings_page.set_hardware(report)

    # -- preferences -----------------------------------------------------------------------

    def _preferences_changed(self, preferences: Preferences) -> None:
        offline_changed = preferences.offline != self.preferences.offline
        self.preferences = preferences
        save_preferences(preferences)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, preferences.theme)
        self.idle.set_minutes(preferences.auto_lock_minutes)
        self.idle.arm(self.is_unlocked)
        self.models.set_context_length(preferences.context_length)
        self._set_crisis_region(preferences.crisis_region)
        self.api.follow(preferences, self.vault if self.is_unlocked else None, self.vault_jobs)
        if offline_changed:
            self.model_choice.offline_changed()

    def _set_crisis_region(self, region: str) -> None:
        self.chat.set_crisis_region(region)
        self.journal.set_crisis_region(region)

    def _restore_geometry(self) -> None:
        geometry = ui_settings().value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1100, 720)

    # -- closing ---------------------------------------------------------------------------

    def shut_down(self) -> None:
        """Save a reply being written, pause downloads, close the vault, free the model."""
        settings = ui_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.sync()
        self.idle.arm(False)
        self.api.stop()
        self.chat.clear()
        self.journal.clear()
        self.models.shut_down()
        vault = self.vault
        if vault is not None:
            self.vault_jobs.submit(vault.close, what="closing the vault")
            self.vault = None
        self.vault_jobs.stop()
        self.file_jobs.stop()
        self.engine.shut_down()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)


def _workspace(pages: list[QWidget], lock: Callable[[], None], page_changed: Callable[[int], None]
               ) -> tuple[QWidget, QListWidget, QStackedWidget]:
    """The sections in a list on the left, with Lock under them, and the section's page."""
    nav = QListWidget()
    nav.setAccessibleName("Sections")
    for name, icon_name in (("Chat", "chat"), ("Journal", "journal"), ("Models", "models"),
                            ("Settings", "settings")):
        nav.addItem(name)
        item = nav.item(nav.count() - 1)
        item.setIcon(icon(icon_name))
        item.setToolTip(f"{name} (Ctrl+{nav.count()})")
    nav.setFixedWidth(130)
    lock_button = QPushButton("Lock")
    lock_button.setIcon(icon("lock"))
    lock_button.setAccessibleName("Lock now")
    lock_button.setToolTip("Lock now (Ctrl+L)")
    lock_button.clicked.connect(lock)
    side = QVBoxLayout()
    side.addWidget(nav, 1)
    side.addWidget(lock_button)
    stack = QStackedWidget()
    for page in pages:
        stack.addWidget(page)
    nav.currentRowChanged.connect(page_changed)
    workspace = QWidget()
    row = QHBoxLayout(workspace)
    row.addLayout(side)
    row.addWidget(stack, 1)
    return workspace, nav, stack


def _tell_adapted(parent: QWidget, crashes: Sequence[str]) -> None:
    """What this start's probe found llama.cpp code could not run here, and what was done."""
    box = QMessageBox(QMessageBox.Icon.Information, "Mini-Giants adapted to this computer",
                      "\n\n".join(crashes), QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("Nothing is lost; Settings → Engine shows what is used.")
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
