"""What can go wrong with your server, said so that a person can act on it. Apart from the client
(app/remote/client.py), which brings the `openai` package: the window need not load it to start."""

from __future__ import annotations

from app.errors import MiniGiantsError


class RemoteError(MiniGiantsError):
    pass


class RemoteOffline(RemoteError):
    def __init__(self) -> None:
        super().__init__("Mini-Giants is in offline mode, so it did not connect to your server.",
                         "Turn offline mode off in Settings to use it.")


class ServerUnreachable(RemoteError):
    def __init__(self, base_url: str) -> None:
        super().__init__(f"Your server at {base_url} cannot be reached.",
                         "Check that it is running and that this computer can reach it.")


class KeyRefused(RemoteError):
    def __init__(self, base_url: str) -> None:
        super().__init__(f"Your server at {base_url} refused the API key.",
                         "Check the key you gave for it.")


class ModelGone(RemoteError):
    def __init__(self, model: str) -> None:
        super().__init__(f"Your server no longer has the model “{model}”.",
                         "Choose one of the models it lists now.")


class ServerFailed(RemoteError):
    def __init__(self, status: int, said: str) -> None:
        super().__init__(f"Your server answered with an error ({status}): {said[:300]}",
                         "Its own log says more.")
