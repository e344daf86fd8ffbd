"""Model-manager errors: what went wrong with a download or the library, and what to do next."""

from __future__ import annotations

from pathlib import Path

from app.errors import MiniGiantsError

GIB = 1024**3


class HubError(MiniGiantsError):
    """Base class of every model-manager error."""


class OfflineMode(HubError):
    def __init__(self) -> None:
        super().__init__(
            "Mini-Giants is in offline mode, so it did not connect to Hugging Face.",
            "Turn offline mode off in Settings (or unset HF_HUB_OFFLINE) to download or search.",
        )


class HubUnreachable(HubError):
    def __init__(self, endpoint: str) -> None:
        super().__init__(
            f"Could not reach {endpoint}.",
            "Check the internet connection (or a proxy), then try again; a paused download resumes "
            "where it stopped.",
        )


class AccessDenied(HubError):
    """401/403: a gated or private repository."""

    def __init__(self, repo: str) -> None:
        super().__init__(
            f"Hugging Face refused access to {repo}: it is gated or private.",
            f"Accept the licence on https://huggingface.co/{repo} while logged in, then add a "
            "Hugging Face access token in Settings (on the command line: `minigiants models token "
            "set`, then add --vault-token; HF_TOKEN works too).",
        )
        self.repo = repo


class NotFoundOnHub(HubError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} does not exist on Hugging Face.",
            "Check the spelling (repositories are `owner/name`), or search with "
            "`minigiants models search`.",
        )


class InsufficientDiskSpace(HubError):
    def __init__(self, folder: Path, needed: int, free: int) -> None:
        super().__init__(
            f"Not enough disk space in {folder}: the download needs {needed / GIB:.2f} GiB "
            f"(with a safety margin), {free / GIB:.2f} GiB are free.",
            "Free some space (remove a model you no longer use), then try again.",
        )
        self.needed = needed
        self.free = free


class ChecksumMismatch(HubError):
    def __init__(self, filename: str, expected: str, actual: str) -> None:
        super().__init__(
            f"{filename} arrived damaged: its SHA-256 is {actual[:12]}…, not {expected[:12]}…; "
            "the download was deleted and nothing entered the library.",
            "Download it again; if it keeps happening, the network or the disk may be faulty.",
        )
        self.expected = expected
        self.actual = actual


class DownloadStopped(HubError):
    """Raised out of a download that was paused (the partial file is kept) or cancelled."""

    def __init__(self, filename: str, *, kept: bool) -> None:
        super().__init__(
            f"The download of {filename} was {'paused' if kept else 'cancelled'}.",
            "Start it again to continue where it stopped." if kept else "",
        )
        self.kept = kept


class ModelNotInLibrary(HubError):
    def __init__(self, model_id: str) -> None:
        super().__init__(
            f"There is no model {model_id!r} in the library.",
            "See the installed ones with `minigiants models list`.",
        )


class StarterModelIsPartOfTheApp(HubError):
    def __init__(self) -> None:
        super().__init__(
            "The starter model comes with Mini-Giants and cannot be removed on its own.",
            "It takes about 100 MB; uninstalling the app removes it.",
        )


class AlreadyInLibrary(HubError):
    def __init__(self, name: str) -> None:
        super().__init__(f"The library already holds a copy named {name}.",
                         "Use the model that is there, or rename the file and import it again.")


class DownloadInProgress(HubError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is already being downloaded, by another Mini-Giants window or "
                         "command.", "Let that download finish, or stop it there first.")
