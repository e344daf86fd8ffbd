"""One app per data folder: a lock file says whether another instance runs, and a local socket lets
a second launch ask the first to come to the front instead of opening the vault twice."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.datadir import data_dir

WAKE_UP = b"show"


def _server_name() -> str:
    # Per data folder, so that separate folders (portable installs, tests) do not see each other;
    # hashed because socket names have length limits and the path is nobody else's business.
    folder = str(data_dir().resolve()).encode()
    return "mini-giants-" + hashlib.sha256(folder).hexdigest()[:16]


class SingleInstance(QObject):
    activated = Signal()  # a second launch asked this one to come forward

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        data_dir().mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(data_dir() / "app.lock"))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone (after a crash)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True when this is the only instance (and it now listens for later launches); False
        when another runs, which has then been asked to show its window."""
        if not self._lock.tryLock(100):
            socket = QLocalSocket()
            socket.connectToServer(_server_name())
            if socket.waitForConnected(1000):
                socket.write(WAKE_UP)
                socket.waitForBytesWritten(1000)
                socket.disconnectFromServer()
            return False
        QLocalServer.removeServer(_server_name())  # a socket file left by a crashed instance
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._server.listen(_server_name())
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_message(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_message(socket)

    def _on_message(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(WAKE_UP):
            self.activated.emit()
