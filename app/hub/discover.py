"""Find GGUF models that other local-AI apps already downloaded (the Hugging Face cache, LM Studio,
GPT4All, Jan, Ollama), so a person can open them in place instead of downloading the same gigabytes
a second time.

Every location is derived from three inputs (home folder, environment, platform), which keeps the
real layouts testable in a temporary folder. Discovery only lists folders, reads a few small
settings files and the first bytes of each candidate; it never loads a model and never raises:
whatever cannot be read is skipped, because a failed scan must not stop the app from starting."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.hub.careful_files import (
    absolute_folder,
    first_line,
    ini_value,
    is_gguf_name,
    read_json,
    real_path,
    subfolders,
    unique_folders,
    walk_files,
)
from app.hub.gguf_kind import gguf_kind

HUGGING_FACE = "Hugging Face cache"
LM_STUDIO = "LM Studio"
GPT4ALL = "GPT4All"
JAN = "Jan"
OLLAMA = "Ollama"


@dataclass(frozen=True)
class FoundModel:
    path: Path  # the GGUF file to open in place (for Ollama: the blob file)
    app: str
    name: str  # what the person recognises: repo/file, the Ollama tag, or the file name
    size: int  # bytes, all parts of a split model together
    repo: str | None  # "org/name" when the app's layout tells it


def discover(
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> list[FoundModel]:
    """Every usable GGUF model the other apps hold, sorted by app then name, each file once."""
    where = _Where(
        home if home is not None else Path.home(),
        environ if environ is not None else os.environ,
        platform or sys.platform,
    )
    seen: set[Path] = set()
    found: list[FoundModel] = []
    for candidate in _candidates(where):
        real = real_path(candidate.path)
        if real is None or real in seen:
            continue
        seen.add(real)
        model = _examine(candidate)
        if model is not None:
            found.append(model)
    return sorted(found, key=lambda model: (model.app, model.name.casefold(), str(model.path)))


@dataclass(frozen=True)
class _Candidate:
    path: Path
    app: str
    name: str
    repo: str | None = None


def _candidates(where: _Where) -> Iterator[_Candidate]:
    # This order decides the app a file shared by two apps (one links to the other) is listed under.
    yield from _hugging_face(where)
    yield from _lm_studio(where)
    yield from _gpt4all(where)
    yield from _jan(where)
    yield from _ollama(where)


# --- Where the platform keeps things --------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    home: Path
    environ: Mapping[str, str]
    platform: str

    @property
    def is_windows(self) -> bool:
        return self.platform == "win32"

    @property
    def is_macos(self) -> bool:
        return self.platform == "darwin"

    def env_path(self, name: str) -> Path | None:
        value = self.environ.get(name, "").strip()
        if not value:
            return None
        if value == "~" or value.startswith(("~/", "~\\")):
            return self.home / value[2:]
        return Path(value)

    def xdg(self, name: str, default: Path) -> Path:
        # The XDG spec tells to ignore relative values.
        value = self.env_path(name)
        return value if value is not None and value.is_absolute() else default

    def roaming_app_data(self) -> Path:
        return self.env_path("APPDATA") or self.home / "AppData" / "Roaming"

    def local_app_data(self) -> Path:
        return self.env_path("LOCALAPPDATA") or self.home / "AppData" / "Local"

    def data_dir(self) -> Path:
        """Rust's `dirs::data_dir()` (what Jan uses): the per-user application data folder."""
        if self.is_windows:
            return self.roaming_app_data()
        if self.is_macos:
            return self.home / "Library" / "Application Support"
        return self.xdg("XDG_DATA_HOME", self.home / ".local" / "share")

    def config_dir(self) -> Path:
        if self.is_windows:
            return self.roaming_app_data()
        if self.is_macos:
            return self.home / "Library" / "Application Support"
        return self.xdg("XDG_CONFIG_HOME", self.home / ".config")


# --- Hugging Face hub cache -----------------------------------------------------------------------


def _hugging_face(where: _Where) -> Iterator[_Candidate]:
    """<cache>/models--org--name/snapshots/<commit>/<file>.gguf, usually links into ../../blobs."""
    for repo_folder in subfolders(_hugging_face_cache(where)):
        if not repo_folder.name.startswith("models--"):
            continue  # datasets--* and spaces--* hold no models
        repo = repo_folder.name.removeprefix("models--").replace("--", "/")
        for snapshot in subfolders(repo_folder / "snapshots"):
            for path, relative in walk_files(snapshot, max_depth=3):
                if is_gguf_name(path.name) and not _is_unfinished_blob(path):
                    yield _Candidate(path, HUGGING_FACE, f"{repo}/{'/'.join(relative)}", repo)


def _hugging_face_cache(where: _Where) -> Path:
    # The order huggingface_hub.constants uses; its default is ~/.cache on every platform.
    explicit = where.env_path("HF_HUB_CACHE") or where.env_path("HUGGINGFACE_HUB_CACHE")
    if explicit is not None:
        return explicit
    hf_home = where.env_path("HF_HOME")
    if hf_home is None:
        hf_home = (where.env_path("XDG_CACHE_HOME") or where.home / ".cache") / "huggingface"
    return hf_home / "hub"


def _is_unfinished_blob(path: Path) -> bool:
    real = real_path(path)
    return real is None or real.name.endswith(".incomplete")


# --- LM Studio ------------------------------------------------------------------------------------


def _lm_studio(where: _Where) -> Iterator[_Candidate]:
    """<models>/<publisher>/<repo>/<file>.gguf: LM Studio lists files at exactly that depth."""
    for models in unique_folders(_lm_studio_model_folders(where)):
        for path, relative in walk_files(models, max_depth=2):
            if len(relative) == 3 and is_gguf_name(path.name):
                publisher, repo_name, _ = relative
                repo = f"{publisher}/{repo_name}"
                yield _Candidate(path, LM_STUDIO, "/".join(relative), repo)


def _lm_studio_model_folders(where: _Where) -> Iterator[Path]:
    # lmstudio-js findLMStudioHome(): the pointer file names the home; before it existed the home
    # was ~/.cache/lm-studio, now ~/.lmstudio. A moved models folder is "downloadsFolder" in the
    # home's settings.json.
    homes = [where.home / ".lmstudio", where.home / ".cache" / "lm-studio"]
    pointed = absolute_folder(first_line(where.home / ".lmstudio-home-pointer"))
    if pointed is not None:
        homes.insert(0, pointed)
    for lm_home in homes:
        settings = read_json(lm_home / "settings.json")
        moved = absolute_folder(settings.get("downloadsFolder") if isinstance(settings, dict) else None)
        if moved is not None:
            yield moved
        yield lm_home / "models"


# --- GPT4All --------------------------------------------------------------------------------------


def _gpt4all(where: _Where) -> Iterator[_Candidate]:
    """*.gguf directly in the models folder; a download in progress is named incomplete-<file>."""
    for folder in unique_folders(_gpt4all_folders(where)):
        for path, _ in walk_files(folder, max_depth=0):
            if is_gguf_name(path.name) and not path.name.startswith("incomplete-"):
                yield _Candidate(path, GPT4ALL, path.name)


def _gpt4all_folders(where: _Where) -> Iterator[Path]:
    # GPT4All keeps QSettings in INI format ($HOME/.config on Unix and macOS, %APPDATA% on Windows);
    # its default folder is Qt's AppLocalDataLocation for the organisation "nomic.ai".
    if where.is_windows:
        settings, default = where.roaming_app_data(), where.local_app_data()
    elif where.is_macos:
        settings, default = where.home / ".config", where.home / "Library" / "Application Support"
    else:
        settings = where.xdg("XDG_CONFIG_HOME", where.home / ".config")
        default = where.xdg("XDG_DATA_HOME", where.home / ".local" / "share")
    chosen = absolute_folder(ini_value(settings / "nomic.ai" / "GPT4All.ini", "General", "modelPath"))
    if chosen is not None:
        yield chosen
    yield default / "nomic.ai" / "GPT4All"


# --- Jan ------------------------------------------------------------------------------------------


def _jan(where: _Where) -> Iterator[_Candidate]:
    """<data>/llamacpp/models/<id>/model.gguf (Jan 0.6+); <data>/models/<id>/<file>.gguf before."""
    for data in unique_folders(_jan_data_folders(where)):
        for models in (data / "llamacpp" / "models", data / "models"):
            for path, relative in walk_files(models, max_depth=4):
                if is_gguf_name(path.name):
                    yield _Candidate(path, JAN, _jan_name(relative))


def _jan_name(relative: tuple[str, ...]) -> str:
    # Jan 0.6+ names every file model.gguf; the folder path is the model id the person picked.
    if relative[-1] == "model.gguf" and len(relative) > 1:
        return "/".join(relative[:-1])
    return relative[-1]


def _jan_data_folders(where: _Where) -> Iterator[Path]:
    # Jan (Tauri) keeps {"data_folder": ...} in <data_dir>/Jan/settings.json, older copies under
    # the bundle id and, on Linux, the config folder (also where Electron Jan 0.5 kept it). Its
    # default data folder is <data_dir>/Jan/data; JAN_DATA_ROOT replaces data_dir. Jan before 0.5
    # used ~/jan.
    root = where.env_path("JAN_DATA_ROOT")
    data_dir = root if root is not None and root.is_absolute() else where.data_dir()
    app_folders = [data_dir / "Jan", data_dir / "jan.ai.app", where.config_dir() / "Jan"]
    for app_folder in app_folders:
        settings = read_json(app_folder / "settings.json")
        chosen = absolute_folder(settings.get("data_folder") if isinstance(settings, dict) else None)
        if chosen is not None:
            yield chosen
    for app_folder in app_folders:
        yield app_folder / "data"
    yield where.home / "jan"


# --- Ollama ---------------------------------------------------------------------------------------

_OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
_OLLAMA_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")


def _ollama(where: _Where) -> Iterator[_Candidate]:
    """manifests/<registry>/<namespace>/<model>/<tag> JSON names the model layer's blob."""
    for store in unique_folders(_ollama_stores(where)):
        for manifest, relative in walk_files(store / "manifests", max_depth=3):
            if len(relative) != 4:
                continue
            blob = _ollama_model_blob(manifest)
            if blob is not None:
                yield _Candidate(store / "blobs" / blob, OLLAMA, _ollama_name(*relative))


def _ollama_stores(where: _Where) -> Iterator[Path]:
    # OLLAMA_MODELS in this environment may not be the server's, so the defaults are looked at too;
    # the Linux install script runs the server as the user "ollama" whose home is /usr/share/ollama.
    chosen = where.env_path("OLLAMA_MODELS")
    if chosen is not None:
        yield chosen
    yield where.home / ".ollama" / "models"
    if not (where.is_windows or where.is_macos):
        yield Path("/usr/share/ollama/.ollama/models")


def _ollama_model_blob(manifest: Path) -> str | None:
    document = read_json(manifest)
    layers = document.get("layers") if isinstance(document, dict) else None
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and layer.get("mediaType") == _OLLAMA_MODEL_LAYER:
            digest = _OLLAMA_DIGEST.fullmatch(str(layer.get("digest", "")))
            # The pattern also keeps a hostile digest from naming a path outside blobs/.
            return f"sha256-{digest.group(1)}" if digest else None
    return None


def _ollama_name(registry: str, namespace: str, model: str, tag: str) -> str:
    # Ollama's Name.DisplayShortest(): the default registry and namespace go unsaid.
    if registry.casefold() != "registry.ollama.ai":
        return f"{registry}/{namespace}/{model}:{tag}"
    if namespace.casefold() != "library":
        return f"{namespace}/{model}:{tag}"
    return f"{model}:{tag}"


# --- Is it a model we can open? -------------------------------------------------------------------

_SPLIT_PART = re.compile(r"(?P<stem>.+)-(?P<part>\d{5})-of-(?P<total>\d{5})\.gguf", re.IGNORECASE)


def _examine(candidate: _Candidate) -> FoundModel | None:
    name = candidate.path.name.lower()
    if name.startswith("mmproj"):
        return None  # a vision projector, loaded beside a model, never on its own
    parts = _model_parts(candidate.path)
    if parts is None or gguf_kind(candidate.path) != "model":
        return None
    try:
        size = sum(part.stat().st_size for part in parts)
    except OSError:
        return None
    return FoundModel(candidate.path, candidate.app, candidate.name, size, candidate.repo)


def _model_parts(path: Path) -> list[Path] | None:
    """The files that make up the model: the file itself, or all parts of a split model when this
    is its first part. None for a later part or a split model with a part missing."""
    split = _SPLIT_PART.fullmatch(path.name)
    if split is None:
        return [path]
    total = int(split["total"])
    if int(split["part"]) != 1 or total < 1:
        return None
    width = len(split["part"])
    parts = [
        path.with_name(f"{split['stem']}-{index:0{width}d}-of-{split['total']}.gguf")
        for index in range(1, total + 1)
    ]
    parts[0] = path  # keeps the first part's own spelling of the extension
    return parts if all(part.is_file() for part in parts) else None
