"""Find GGUF models that other local-AI apps already downloaded (the Hugging Face cache, LM Studio,
GPT4All, Jan, Ollama), so a person can open them in place instead of downloading the same gigabytes
a second time.

Every location is derived from three inputs (home folder, environment, platform), which keeps the
real layouts testable in a temporary folder. Discovery only lists folders, reads a few small
settings files and the first bytes of each candidate; it never loads a model and never raises:
whatever cannot be read is skipped, because a failed scan must not stop the app from starting."""

from __future__ import annotations

import json
import os
import re
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gguf import GGUFValueType

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
        real = _real_path(candidate.path)
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
    for repo_folder in _subfolders(_hugging_face_cache(where)):
        if not repo_folder.name.startswith("models--"):
            continue  # datasets--* and spaces--* hold no models
        repo = repo_folder.name.removeprefix("models--").replace("--", "/")
        for snapshot in _subfolders(repo_folder / "snapshots"):
            for path, relative in _walk_files(snapshot, max_depth=3):
                if _is_gguf_name(path.name) and not _is_unfinished_blob(path):
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
    real = _real_path(path)
    return real is None or real.name.endswith(".incomplete")


# --- LM Studio ------------------------------------------------------------------------------------


def _lm_studio(where: _Where) -> Iterator[_Candidate]:
    """<models>/<publisher>/<repo>/<file>.gguf: LM Studio lists files at exactly that depth."""
    for models in _unique(_lm_studio_model_folders(where)):
        for path, relative in _walk_files(models, max_depth=2):
            if len(relative) == 3 and _is_gguf_name(path.name):
                publisher, repo_name, _ = relative
                repo = f"{publisher}/{repo_name}"
                yield _Candidate(path, LM_STUDIO, "/".join(relative), repo)


def _lm_studio_model_folders(where: _Where) -> Iterator[Path]:
    # lmstudio-js findLMStudioHome(): the pointer file names the home; before it existed the home
    # was ~/.cache/lm-studio, now ~/.lmstudio. A moved models folder is "downloadsFolder" in the
    # home's settings.json.
    homes = [where.home / ".lmstudio", where.home / ".cache" / "lm-studio"]
    pointed = _absolute(_first_line(where.home / ".lmstudio-home-pointer"))
    if pointed is not None:
        homes.insert(0, pointed)
    for lm_home in homes:
        settings = _read_json(lm_home / "settings.json")
        moved = _absolute(settings.get("downloadsFolder") if isinstance(settings, dict) else None)
        if moved is not None:
            yield moved
        yield lm_home / "models"


# --- GPT4All --------------------------------------------------------------------------------------


def _gpt4all(where: _Where) -> Iterator[_Candidate]:
    """*.gguf directly in the models folder; a download in progress is named incomplete-<file>."""
    for folder in _unique(_gpt4all_folders(where)):
        for path, _ in _walk_files(folder, max_depth=0):
            if _is_gguf_name(path.name) and not path.name.startswith("incomplete-"):
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
    chosen = _absolute(_ini_value(settings / "nomic.ai" / "GPT4All.ini", "General", "modelPath"))
    if chosen is not None:
        yield chosen
    yield default / "nomic.ai" / "GPT4All"


# --- Jan ------------------------------------------------------------------------------------------


def _jan(where: _Where) -> Iterator[_Candidate]:
    """<data>/llamacpp/models/<id>/model.gguf (Jan 0.6+); <data>/models/<id>/<file>.gguf before."""
    for data in _unique(_jan_data_folders(where)):
        for models in (data / "llamacpp" / "models", data / "models"):
            for path, relative in _walk_files(models, max_depth=4):
                if _is_gguf_name(path.name):
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
        settings = _read_json(app_folder / "settings.json")
        chosen = _absolute(settings.get("data_folder") if isinstance(settings, dict) else None)
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
    for store in _unique(_ollama_stores(where)):
        for manifest, relative in _walk_files(store / "manifests", max_depth=3):
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
    document = _read_json(manifest)
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
    if parts is None or _gguf_kind(candidate.path) != "model":
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


class _Unreadable(Exception):
    """The header is cut short or nonsensical."""


_SCALAR_SIZES: dict[int, int] = {
    GGUFValueType.UINT8: 1,
    GGUFValueType.INT8: 1,
    GGUFValueType.BOOL: 1,
    GGUFValueType.UINT16: 2,
    GGUFValueType.INT16: 2,
    GGUFValueType.UINT32: 4,
    GGUFValueType.INT32: 4,
    GGUFValueType.FLOAT32: 4,
    GGUFValueType.UINT64: 8,
    GGUFValueType.INT64: 8,
    GGUFValueType.FLOAT64: 8,
}
_MAX_KEY_BYTES = 1 << 16
_MAX_COUNT = 1 << 32
_TYPE_KEYS = ("general.type", "general.architecture")


def _gguf_kind(path: Path) -> str | None:
    """What the GGUF holds: "model", "adapter" (LoRA), "mmproj" (vision projector) or another
    general.type; None when llama.cpp would not open it (bad magic, GGUF v1, big-endian, cut short).

    Reads the metadata only until it knows: adapters and projectors carry no tokenizer, so the
    first tokenizer key ends the search before the vocabulary arrays, the bulk of a header."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"GGUF" or _u32(handle) not in (2, 3):
                return None
            _u64(handle)  # tensor count
            for _ in range(_bounded(_u64(handle))):
                key = _string(handle, _MAX_KEY_BYTES)
                value_type = _u32(handle)
                if key.startswith("tokenizer."):
                    return "model"
                if key.startswith("adapter."):
                    return "adapter"
                if key in _TYPE_KEYS and value_type == GGUFValueType.STRING:
                    value = _string(handle, _MAX_KEY_BYTES)
                    if key == "general.type":
                        return value
                    if value == "clip":
                        return "mmproj"
                else:
                    _skip_value(handle, value_type)
    except (OSError, _Unreadable, UnicodeDecodeError, ValueError):
        return None
    return "model"


def _skip_value(handle: BinaryIO, value_type: int) -> None:
    if value_type in _SCALAR_SIZES:
        _skip(handle, _SCALAR_SIZES[value_type])
    elif value_type == GGUFValueType.STRING:
        _skip(handle, _u64(handle))
    elif value_type == GGUFValueType.ARRAY:
        item_type = _u32(handle)
        count = _bounded(_u64(handle))
        if item_type in _SCALAR_SIZES:
            _skip(handle, count * _SCALAR_SIZES[item_type])
        else:
            for _ in range(count):
                _skip_value(handle, item_type)
    else:
        raise _Unreadable(f"unknown value type {value_type}")


def _skip(handle: BinaryIO, length: int) -> None:
    # Seeking past the end raises nothing, so a cut-short header shows at the next read.
    handle.seek(length, os.SEEK_CUR)


def _u32(handle: BinaryIO) -> int:
    return int(struct.unpack("<I", _exactly(handle, 4))[0])


def _u64(handle: BinaryIO) -> int:
    return int(struct.unpack("<Q", _exactly(handle, 8))[0])


def _string(handle: BinaryIO, limit: int) -> str:
    length = _u64(handle)
    if length > limit:
        raise _Unreadable("string too long")
    return _exactly(handle, length).decode("utf-8")


def _exactly(handle: BinaryIO, length: int) -> bytes:
    data = handle.read(length)
    if len(data) != length:
        raise _Unreadable("cut short")
    return data


def _bounded(count: int) -> int:
    if count > _MAX_COUNT:
        raise _Unreadable("count too large")
    return count


# --- Careful file system access -------------------------------------------------------------------


def _walk_files(root: Path, max_depth: int) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Files under `root`, at most `max_depth` folders down, each with its path relative to root.

    Linked folders are followed (people link model folders between apps), but each real folder is
    entered once, so a link loop ends; folders that cannot be read are passed over."""
    entered: set[tuple[int, int]] = set()
    pending: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while pending:
        folder, relative = pending.pop()
        identity = _identity(folder)
        if identity is None or identity in entered:
            continue
        entered.add(identity)
        subfolders: list[os.DirEntry[str]] = []
        for entry in _entries(folder):
            try:
                if entry.is_dir():
                    subfolders.append(entry)
                elif entry.is_file():
                    yield Path(entry.path), (*relative, entry.name)
            except OSError:
                continue
        if len(relative) < max_depth:
            # Reversed so that popping visits the subfolders in name order.
            for entry in reversed(subfolders):
                pending.append((Path(entry.path), (*relative, entry.name)))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _subfolders(folder: Path) -> Iterator[Path]:
    for entry in _entries(folder):
        try:
            if entry.is_dir():
                yield Path(entry.path)
        except OSError:
            continue


def _real_path(path: Path) -> Path | None:
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a link loop on Python < 3.13
        return None
    return real if real.is_file() else None


def _unique(folders: Iterable[Path]) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    for folder in folders:
        identity = _identity(folder)
        if identity is not None and identity not in seen:
            seen.add(identity)
            yield folder


def _absolute(setting: object) -> Path | None:
    """A folder named in another app's settings file. A relative one would silently resolve against
    our working directory, not the app's, so it is ignored (Jan's default "./data" is one)."""
    if not isinstance(setting, str) or not setting.strip():
        return None
    folder = Path(setting.strip())
    return folder if folder.is_absolute() else None


def _is_gguf_name(name: str) -> bool:
    return name.lower().endswith(".gguf")


_SMALL_FILE_BYTES = 1 << 20


def _read_small_text(path: Path) -> str | None:
    """A settings file's text; None when it is missing, unreadable or too big to be one."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_SMALL_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > _SMALL_FILE_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def _read_json(path: Path) -> object:
    text = _read_small_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _first_line(path: Path) -> str | None:
    text = _read_small_text(path)
    lines = text.strip().splitlines() if text else []
    return lines[0].strip() if lines else None


def _ini_value(path: Path, section: str, key: str) -> str | None:
    """One value of a Qt INI file (QSettings puts top-level keys in [General])."""
    text = _read_small_text(path)
    current = None
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == section and "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            if name == key:
                return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return None
