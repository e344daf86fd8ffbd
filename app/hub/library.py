"""The local model library: GGUF files under the data folder (downloaded or copied there) or left
where they are (referenced), each with a record of where it came from and its SHA-256.

The library never holds a partial or unverified file: downloads and copies are written beside it
and renamed in only when complete and checked. Records live in `library.json`, rewritten whole and
atomically under a file lock, so the app and a `minigiants models ...` command can both use it."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from app.datadir import data_dir
from app.engine.gguf_file import ModelFacts, inspect_gguf
from app.hub.errors import (
    AlreadyInLibrary,
    ModelNotInLibrary,
    StarterModelIsPartOfTheApp,
)
from app.hub.starter import StarterModelMissing, starter_model_path

DOWNLOAD, COPY, REFERENCE, STARTER = "download", "copy", "reference", "starter"
STARTER_ID = "starter"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class LibraryModel:
    id: str  # short and stable, typed in commands: the file name's stem, lower case
    path: Path
    source: str  # DOWNLOAD, COPY, REFERENCE or STARTER
    filename: str
    size: int
    sha256: str | None  # as verified when it entered the library
    repo: str | None = None  # where it was downloaded from
    revision: str | None = None  # the commit it was downloaded at
    added: str = ""
    # The file's metadata, recorded at entry so that listing never has to read multi-GB files.
    architecture: str = ""
    is_adapter: bool = False  # a LoRA adapter, applied on top of a model of its architecture
    parameters: int = 0
    quantization: str = ""
    context_length: int | None = None
    has_chat_template: bool = False
    licence: str | None = None

    def facts(self) -> ModelFacts:
        """Metadata read from the file without loading it (raises if the file went bad)."""
        return inspect_gguf(self.path)


@dataclass(frozen=True)
class VerifyResult:
    model: LibraryModel
    actual: str

    @property
    def ok(self) -> bool:
        return self.model.sha256 is None or self.actual == self.model.sha256


def sha256_of(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """The file's SHA-256, read in 1 MiB pieces (hashlib releases the GIL on each)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


class Library:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or data_dir() / "models"
        self._records = self.root / "library.json"
        self._lock = FileLock(str(self.root / ".library.lock"))

    @property
    def partial_dir(self) -> Path:
        """Where downloads grow: on the library's own disk, so moving one in is a rename."""
        return self.root / ".partial"

    def download_path(self, repo: str, filename: str) -> Path:
        return self.root / repo / Path(filename).name

    # -- reading ----------------------------------------------------------------------------

    def models(self) -> list[LibraryModel]:
        """Everything usable, the starter model first when it is installed."""
        return [*self._starter(), *self._read().values()]

    def model(self, model_id: str) -> LibraryModel:
        for model in self.models():
            if model.id == model_id:
                return model
        raise ModelNotInLibrary(model_id)

    def path_of(self, model: str) -> Path:
        """The file of a model given as a library id or as a path to a GGUF file, as commands
        take it (a path is checked when it is opened, with a clear error)."""
        return Path(model) if Path(model).suffix.lower() == ".gguf" else self.model(model).path

    def base_models(self, among: list[LibraryModel] | None = None) -> list[LibraryModel]:
        """The models themselves, without LoRA adapters."""
        return [model for model in (self.models() if among is None else among)
                if not model.is_adapter]

    def adapters_for(self, model: LibraryModel,
                     among: list[LibraryModel] | None = None) -> list[LibraryModel]:
        """The LoRA adapters (in the library, or `among` a listing already read) made for this
        model's architecture; whether the sizes match too is known only when llama.cpp applies
        one, which then says so clearly."""
        return [adapter for adapter in (self.models() if among is None else among)
                if adapter.is_adapter and adapter.architecture == model.architecture]

    def resolved_paths(self) -> set[Path]:
        """Every model's file with links resolved, to tell which files found elsewhere (another
        app's downloads) the library already uses."""
        return {model.path.resolve() for model in self.models()}

    def find(self, repo: str, filename: str) -> LibraryModel | None:
        return next((m for m in self._read().values()
                     if m.repo == repo and m.filename == Path(filename).name), None)

    def _starter(self) -> list[LibraryModel]:
        try:
            path = starter_model_path()
        except StarterModelMissing:
            return []
        # What the starter's file says, known in advance: listing must not read it every time.
        return [LibraryModel(STARTER_ID, path, STARTER, path.name, path.stat().st_size, None,
                             "HuggingFaceTB/SmolLM2-135M-Instruct", architecture="llama",
                             parameters=134_515_008, quantization="Q4_1", context_length=8192,
                             has_chat_template=True, licence="apache-2.0")]

    # -- changing ---------------------------------------------------------------------------

    def add(self, path: Path, facts: ModelFacts, *, source: str, sha256: str | None,
            repo: str | None = None, revision: str | None = None) -> LibraryModel:
        """Record a complete, verified file that is already in its final place."""
        with self._changing() as records:
            model = LibraryModel(
                _unique_id(Path(path).stem, records), Path(path), source, Path(path).name,
                Path(path).stat().st_size, sha256, repo, revision,
                datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                facts.architecture, facts.is_adapter, facts.parameters, facts.quantization,
                facts.trained_context, facts.has_chat_template, facts.license)
            records[model.id] = model
        return model

    def import_file(self, path: Path, *, copy: bool,
                    progress: Callable[[int], None] | None = None) -> LibraryModel:
        """Add a GGUF from elsewhere: copied into the library, or referenced where it is. It is
        checked first (a damaged or foreign file raises and is not added)."""
        path = Path(path).resolve()
        facts = inspect_gguf(path)
        if not copy:
            return self.add(path, facts, source=REFERENCE, sha256=sha256_of(path, progress))
        target = self.root / "imported" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise AlreadyInLibrary(path.name)
        partial = self.partial_dir / (path.name + ".copy")
        partial.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as source, open(partial, "wb") as copy_file:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    copy_file.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
                copy_file.flush()
                os.fsync(copy_file.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return self.add(target, facts, source=COPY, sha256=digest.hexdigest())

    def remove(self, model_id: str) -> LibraryModel:
        """Forget the model; delete its file when the library holds it (never a referenced one)."""
        if model_id == STARTER_ID:
            raise StarterModelIsPartOfTheApp()
        with self._changing() as records:
            model = records.pop(model_id, None)
            if model is None:
                raise ModelNotInLibrary(model_id)
            if model.source in (DOWNLOAD, COPY):
                model.path.unlink(missing_ok=True)
                _remove_empty_parents(model.path.parent, self.root)
        return model

    def verify(self, model_id: str, progress: Callable[[int], None] | None = None) -> VerifyResult:
        model = self.model(model_id)
        return VerifyResult(model, sha256_of(model.path, progress))

    # -- records ----------------------------------------------------------------------------

    def _read(self) -> dict[str, LibraryModel]:
        if not self._records.exists():
            return {}
        data = json.loads(self._records.read_text(encoding="utf-8"))
        return {item["id"]: LibraryModel(**{**item, "path": Path(item["path"])})
                for item in data["models"]}

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, LibraryModel]]:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            records = self._read()
            yield records
            text = json.dumps(
                {"version": 1, "models": [{**dataclasses.asdict(m), "path": str(m.path)}
                                          for m in records.values()]},
                indent=2, ensure_ascii=False)
            partial = self._records.with_suffix(".json.partial")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, self._records)


def _unique_id(stem: str, taken: dict[str, LibraryModel]) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-") or "model"
    candidate, number = base, 1
    while candidate in taken or candidate == STARTER_ID:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
