"""The "Your servers" tab: bigger models on a machine of yours (llama-server, Ollama, vLLM, LM Studio,
another Mini-Giants) for the chat. Add one by its OpenAI-compatible base URL and, if it needs one,
its API key: the address is checked (plain HTTP only to a private network, after a warning), the
server is asked for its models, and both are kept in the vault. Check asks it again; Remove
forgets it. Only Add and Check reach the network, and only when offline mode is off."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.remote.address import PLAIN_HTTP_WARNING, ServerAddress, server_address
from app.remote.your_servers import (
    ServerModel,
    YourServer,
    add_server,
    remove_server,
    set_models,
    your_servers,
)
from app.ui.common.background import SessionJobs, TaskThread
from app.ui.common.dialogs import ask_to_delete, close_open
from app.ui.models.status import StatusLine
from app.vault.store import Vault

ABOUT = ("A model too big for this computer can run on a machine of yours, in llama-server, "
         "Ollama, vLLM, LM Studio or another Mini-Giants. Give its OpenAI-compatible address: "
         "your conversations stay on this computer, encrypted; each message goes to that "
         "machine with the conversation so far.")


def listed_models(address: ServerAddress, key: str | None, offline: bool) -> tuple[str, ...]:
    """What the server lists now (a network request: only when the person asks)."""
    from app.remote.client import RemoteServer  # it brings `openai`: not at the app's start

    with RemoteServer(address, key, offline=offline) as server:
        return tuple(server.models())


class YourServersTab(QWidget):
    use_model = Signal(str)  # ServerModel.choice
    changed = Signal()  # a server added, checked again or removed: the chat's picker follows

    def __init__(self, vault_jobs: TaskThread, status: StatusLine,
                 offline: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self._offline = offline
        self._jobs = SessionJobs(vault_jobs, status.report)  # nothing from before a lock
        self._network = TaskThread("models: your servers", self)  # a slow server holds up nothing
        self._vault: Vault | None = None
        self.plain_http_question: QMessageBox | None = None  # open while asked (tests answer it)
        self.remove_question: QMessageBox | None = None

        about = QLabel(ABOUT)
        about.setWordWrap(True)
        self.address = QLineEdit()
        self.address.setAccessibleName("Server address")
        self.address.setPlaceholderText("http://192.168.1.20:8080/v1 or https://my-server/v1")
        self.key = QLineEdit()
        self.key.setAccessibleName("Server API key")
        self.key.setPlaceholderText("only if the server asks for one")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("&Add server")
        self.add_button.setAccessibleName("Add this server")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Server and its models"])
        self.tree.setAccessibleName("Your servers")
        self.use_button = QPushButton("&Use")
        self.use_button.setAccessibleName("Use the chosen model in the chat")
        self.check_button = QPushButton("&Check")
        self.check_button.setAccessibleName("Ask the chosen server for its models again")
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove the chosen server")

        form = QFormLayout()
        form.addRow("Address", self.address)
        form.addRow("API key", self.key)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        form.addRow("", add_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add)
        self.address.returnPressed.connect(self.add)
        self.use_button.clicked.connect(self.use_chosen)
        self.tree.itemDoubleClicked.connect(lambda *_: self.use_chosen())
        self.check_button.clicked.connect(self.check_chosen)
        self.remove_button.clicked.connect(self.ask_to_remove)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    # -- the vault's life cycle ------------------------------------------------------------

    def open_vault(self, vault: Vault) -> None:
        self._vault = vault
        self._show()

    def clear(self) -> None:
        """Locking: the servers, their keys and what was typed go from the widgets."""
        self._jobs.end()
        self._vault = None
        close_open(self.plain_http_question, self.remove_question)
        self.tree.clear()
        self.address.clear()
        self.key.clear()
        self._update_buttons()

    def shut_down(self) -> None:
        self._network.stop()

    # -- adding, checking, removing --------------------------------------------------------

    def add(self) -> None:
        text, key = self.address.text().strip(), self.key.text().strip() or None
        if self._vault is None or not text:
            return
        self._status.inform(f"Looking up {text}…")
        self._network.submit(lambda: server_address(text),
                             lambda address: self._warn_then_list(address, key),
                             self._status.report, what="checking the server's address")

    def _warn_then_list(self, address: ServerAddress, key: str | None) -> None:
        if not address.plain_http:
            self._list_then_keep(address, key)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Plain HTTP", PLAIN_HTTP_WARNING,
                          parent=self)
        box.setInformativeText(f"Add {address.base_url} anyway?")
        add = box.addButton("Add anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.plain_http_question = None
            if box.clickedButton() is add:
                self._list_then_keep(address, key)
            else:
                self._status.inform("Not added.")

        box.finished.connect(answered)
        self.plain_http_question = box
        box.open()

    def _list_then_keep(self, address: ServerAddress, key: str | None) -> None:
        vault = self._vault
        if vault is None:
            return
        self._status.inform(f"Asking {address.host} for its models…")

        def keep(models: tuple[str, ...]) -> None:
            self._jobs.submit(lambda: add_server(vault, address.base_url, key, models),
                              self._added, "keeping your server")

        self._network.submit(lambda: listed_models(address, key, self._offline()), keep,
                             self._status.report, what="asking your server for its models")

    def check_chosen(self) -> None:
        server = self._chosen_server()
        vault = self._vault
        if server is None or vault is None:
            return
        self._status.inform(f"Asking {server.host} for its models…")

        def ask() -> tuple[str, ...]:
            return listed_models(server.address(), server.api_key, self._offline())

        def keep(models: tuple[str, ...]) -> None:
            self._jobs.submit(lambda: set_models(vault, server.id, models),
                              lambda _: self._kept(server, "Checked"), "keeping your server")

        self._network.submit(ask, keep, self._status.report, what="asking your server")

    def _added(self, server: YourServer) -> None:
        self.address.clear()
        self.key.clear()
        self._kept(server, "Added")

    def _kept(self, server: YourServer, done: str) -> None:
        self._status.inform(f"{done} {server.host}.")
        self._show()
        self.changed.emit()

    def ask_to_remove(self) -> None:
        server = self._chosen_server()
        vault = self._vault
        if server is None or vault is None:
            return

        def remove() -> None:
            self._jobs.submit(lambda: remove_server(vault, server.id),
                              lambda _: self._kept(server, "Removed"), "removing your server")

        self.remove_question = ask_to_delete(
            self, "Remove this server?",
            f"Remove {server.base_url} and its key from Mini-Giants? Conversations that used it "
            "stay as they are.", remove)

    def use_chosen(self) -> None:
        item = self.tree.currentItem()
        chosen = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(chosen, ServerModel):
            self.use_model.emit(chosen.choice)

    # -- the listing -----------------------------------------------------------------------

    def _show(self) -> None:
        vault = self._vault
        if vault is not None:
            self._jobs.submit(lambda: your_servers(vault), self._fill, "reading your servers")

    def _fill(self, servers: list[YourServer]) -> None:
        self.tree.clear()
        for server in servers:
            top = QTreeWidgetItem([server.base_url + ("" if server.api_key else " (no key)")])
            top.setData(0, Qt.ItemDataRole.UserRole, server)
            for model in server.models or ():
                child = QTreeWidgetItem([model])
                child.setData(0, Qt.ItemDataRole.UserRole, ServerModel(server, model))
                top.addChild(child)
            if not server.models:
                top.addChild(QTreeWidgetItem(["It listed no models: Check it again"]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self._update_buttons()

    def _chosen_server(self) -> YourServer | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        server = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return server if isinstance(server, YourServer) else None

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        chosen = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.use_button.setEnabled(isinstance(chosen, ServerModel))
        server = self._chosen_server() is not None
        self.check_button.setEnabled(server)
        self.remove_button.setEnabled(server)

