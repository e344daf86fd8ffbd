"""The curated model catalog: the quantized instruction models Mini-Giants offers to download.

The list is data (models/catalog.toml), so adding a model is an edit to one reviewed file, not to
code. This module reads it and refuses anything malformed with a message that names the entry and
the field, because a silently skipped or half-read entry would surface much later as a failed
download or a wrong memory estimate. What it hands out are frozen values that the GUI, the CLI and
the download manager share. Sizes and checksums are optional: they are recorded only where a source
gave the exact value, and the download manager verifies the hub's own checksum either way."""

from __future__ import annotations

import difflib
import enum
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app.errors import MiniGiantsError
from app.hub.fit import AttentionShape, FitEstimate, estimate_fit, estimated_file_size

if TYPE_CHECKING:
    from app.engine.hardware import HardwareReport
    from app.hub.library import LibraryModel

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = [
    "CATALOG_PATH",
    "MAX_PARAMETERS_BILLION",
    "AttentionShape",
    "CatalogEntry",
    "CatalogEntryNotFound",
    "CatalogFile",
    "CatalogFileNotFound",
    "CatalogInvalid",
    "Openness",
    "catalog_entry",
    "load_catalog",
]

CATALOG_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "catalog.toml"
# The paper's definition of a mini-giant; the app is built and tested around models this size.
MAX_PARAMETERS_BILLION = 10.0

_ID = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
_QUANTIZATION = re.compile(r"[A-Za-z0-9_]+")
_ARCHITECTURE = re.compile(r"[a-z0-9_]+")
_SHA256 = re.compile(r"[0-9a-f]{64}")

_ENTRY_REQUIRED = frozenset({
    "id", "name", "repo", "default", "parameters", "context_length", "architecture", "attention",
    "licence", "openness", "gated", "good_for",
})
_ENTRY_OPTIONAL = frozenset({"revision", "alternatives", "base_model", "family", "year"})
_FILE_REQUIRED = frozenset({"filename", "quantization"})
_FILE_OPTIONAL = frozenset({"size", "sha256"})
_ATTENTION_REQUIRED = frozenset({"block_count", "head_count_kv", "key_length", "value_length"})


class Openness(str, enum.Enum):
    """How freely the weights may be used: the three colours of the Mini-Giants paper's evolution
    tree of open models."""

    PERMISSIVE = "permissive"
    NON_COMMERCIAL = "non-commercial"
    RESTRICTED = "restricted"

    @property
    def colour(self) -> str:
        return {"permissive": "green", "non-commercial": "yellow", "restricted": "red"}[self.value]


@dataclass(frozen=True)
class CatalogFile:
    filename: str
    quantization: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    repo: str
    revision: str
    default: CatalogFile
    alternatives: tuple[CatalogFile, ...]
    parameters_billion: float
    context_length: int
    architecture: str
    attention: AttentionShape
    base_model: str | None
    licence: str
    openness: Openness
    gated: bool
    good_for: str
    family: str | None = None
    year: int | None = None

    @property
    def files(self) -> tuple[CatalogFile, ...]:
        """Every file on offer, the default first."""
        return (self.default, *self.alternatives)

    def file(self, quantization_or_filename: str) -> CatalogFile:
        """The file with this quantization (any letter case, "q5_k_m") or this exact filename."""
        wanted = quantization_or_filename.casefold()
        for candidate in self.files:
            if (candidate.filename == quantization_or_filename
                    or candidate.quantization.casefold() == wanted):
                return candidate
        raise CatalogFileNotFound(self, quantization_or_filename)

    def size_of(self, file: CatalogFile | None = None) -> int | None:
        """The file's size in bytes (the default file's without one): exact where the catalog
        records it, otherwise estimated from the parameter count and the quantization; None for a
        quantization type whose bits per weight are unknown."""
        chosen = file or self.default
        return chosen.size or estimated_file_size(self.parameters_billion, chosen.quantization)

    def fit(self, n_ctx: int, hardware: HardwareReport,
            file: CatalogFile | None = None) -> FitEstimate:
        """Whether the file fits this machine at `n_ctx` tokens, known before downloading it: the
        catalog carries the attention shape, so the KV cache is counted too."""
        return estimate_fit(self.size_of(file) or 0, self.attention, n_ctx, hardware)


class CatalogInvalid(MiniGiantsError):
    """The catalog file cannot be read, or one of its entries breaks the format. `entry` and `field`
    say where (None when the problem is the file as a whole)."""

    def __init__(self, path: Path, problem: str, entry: str | None = None,
                 field: str | None = None) -> None:
        if entry is None:
            message = f"The model catalog cannot be used: {problem}."
        else:
            message = (f"The model catalog has a mistake in entry '{entry}', field '{field}': "
                       f"{problem}.")
        super().__init__(
            message,
            f"Correct {path} (models/README.md explains the format), or reinstall Mini-Giants to "
            "get the original catalog back.",
        )
        self.path = path
        self.entry = entry
        self.field = field


class CatalogEntryNotFound(MiniGiantsError):
    def __init__(self, entry_id: str, known_ids: list[str]) -> None:
        close = difflib.get_close_matches(entry_id, known_ids, n=1)
        suggestion = f" Did you mean '{close[0]}'?" if close else ""
        super().__init__(
            f"There is no model '{entry_id}' in the catalog.",
            f"Run `minigiants models catalog` to list the models it offers.{suggestion}",
        )
        self.entry_id = entry_id


class CatalogFileNotFound(MiniGiantsError):
    def __init__(self, entry: CatalogEntry, wanted: str) -> None:
        offered = ", ".join(f.quantization for f in entry.files)
        super().__init__(
            f"The catalog offers no '{wanted}' file of {entry.name}.",
            f"Choose one of: {offered}.",
        )
        self.entry_id = entry.id
        self.wanted = wanted


def load_catalog(path: Path = CATALOG_PATH) -> tuple[CatalogEntry, ...]:
    """Every entry of the catalog, in file order, or CatalogInvalid naming the first mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogInvalid(path, f"{path} could not be read ({error.strerror})") from error
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogInvalid(path, f"it is not valid TOML ({error})") from error
    extra = sorted(set(document) - {"model"})
    if extra:
        raise CatalogInvalid(path, f"'{extra[0]}' is not part of the format (only [[model]] "
                             "tables are)")
    tables = document.get("model")
    if not isinstance(tables, list) or not tables:
        raise CatalogInvalid(path, "it lists no models (each one is a [[model]] table)")
    entries: list[CatalogEntry] = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        entry = _EntryReader(path, index, table).entry()
        if entry.id in seen:
            raise CatalogInvalid(path, "this id is already used by an earlier entry; ids must be "
                                 "unique", entry=entry.id, field="id")
        seen.add(entry.id)
        entries.append(entry)
    return tuple(entries)


def catalog_entry(entry_id: str, path: Path = CATALOG_PATH) -> CatalogEntry:
    catalog = load_catalog(path)
    for entry in catalog:
        if entry.id == entry_id:
            return entry
    raise CatalogEntryNotFound(entry_id, [entry.id for entry in catalog])


def good_for(model: LibraryModel, path: Path = CATALOG_PATH) -> str | None:
    """What a model in the library is good for, in one line: the starter's own, or the catalog's
    for a model downloaded from a repository it lists; None for any other."""
    from app.hub.library import STARTER
    from app.hub.starter import STARTER_GOOD_FOR

    if model.source == STARTER:
        return STARTER_GOOD_FOR
    try:
        entries = load_catalog(path)
    except CatalogInvalid:
        return None  # said where the catalog is shown; a line of welcome is not worth more
    wanted = (model.repo or "").casefold()
    return next((entry.good_for for entry in entries if entry.repo.casefold() == wanted), None)


class _EntryReader:
    """Reads one [[model]] table field by field, so that every complaint names its entry (the id,
    or the position while the id itself is unreadable) and the field, nested ones as `default.size`
    or `alternatives[2].sha256`."""

    def __init__(self, path: Path, index: int, table: object) -> None:
        self.path = path
        self.label = f"#{index + 1}"
        if not isinstance(table, dict):
            self.fail("model", "must be a table")
        self.table: dict[str, Any] = table

    def fail(self, field: str, problem: str) -> NoReturn:
        raise CatalogInvalid(self.path, problem, entry=self.label, field=field)

    def entry(self) -> CatalogEntry:
        claimed_id = self.table.get("id")
        if isinstance(claimed_id, str) and _ID.fullmatch(claimed_id):
            self.label = claimed_id
        self.only_known(self.table, "", _ENTRY_REQUIRED, _ENTRY_OPTIONAL)
        entry_id = self.text(self.table, "id")
        if not _ID.fullmatch(entry_id):
            self.fail("id", f"'{entry_id}' must be lower-case letters and digits joined by . _ -")
        repo = self.text(self.table, "repo")
        if not _REPO.fullmatch(repo):
            self.fail("repo", f"'{repo}' must be a Hugging Face repository, owner/name")
        architecture = self.text(self.table, "architecture")
        if not _ARCHITECTURE.fullmatch(architecture):
            self.fail("architecture", f"'{architecture}' must be a llama.cpp architecture name "
                      "such as llama, qwen2 or gemma2")
        openness = self.text(self.table, "openness")
        if openness not in {o.value for o in Openness}:
            self.fail("openness", f"'{openness}' must be one of "
                      + ", ".join(o.value for o in Openness))
        default = self.catalog_file(self.table["default"], "default")
        alternatives = self.alternatives()
        self.no_duplicates((default, *alternatives))
        gated = self.table["gated"]
        if not isinstance(gated, bool):
            self.fail("gated", "must be true or false")
        return CatalogEntry(
            id=entry_id,
            name=self.text(self.table, "name"),
            repo=repo,
            revision=self.text(self.table, "revision", default="main"),
            default=default,
            alternatives=alternatives,
            parameters_billion=self.parameters(),
            context_length=self.integer(self.table, "context_length"),
            architecture=architecture,
            attention=self.attention(),
            base_model=self.optional_text(self.table, "base_model"),
            licence=self.text(self.table, "licence"),
            openness=Openness(openness),
            gated=gated,
            good_for=self.text(self.table, "good_for"),
            family=self.optional_text(self.table, "family"),
            year=self.year(),
        )

    def only_known(self, table: dict[str, Any], prefix: str, required: frozenset[str],
                   optional: frozenset[str]) -> None:
        missing = sorted(required - set(table))
        if missing:
            self.fail(prefix + missing[0], "is missing")
        unknown = sorted(set(table) - required - optional)
        if unknown:
            self.fail(prefix + unknown[0], "is not a catalog field (a misspelling?)")

    def text(self, table: dict[str, Any], field: str, prefix: str = "",
             default: str | None = None) -> str:
        value = table.get(field, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(prefix + field, "must be a non-empty text")
        return value

    def optional_text(self, table: dict[str, Any], field: str) -> str | None:
        return self.text(table, field) if field in table else None

    def integer(self, table: dict[str, Any], field: str, prefix: str = "") -> int:
        value = table[field]
        # TOML booleans arrive as Python bools, which are ints too.
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(prefix + field, f"must be a whole number above zero, not {value!r}")
        return value

    def parameters(self) -> float:
        value = self.table["parameters"]
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or value <= 0):
            self.fail("parameters", f"must be a number of billions above zero, not {value!r}")
        if value > MAX_PARAMETERS_BILLION:
            self.fail("parameters", f"{value} billion is more than a mini-giant's "
                      f"{MAX_PARAMETERS_BILLION:g} billion")
        return float(value)

    def year(self) -> int | None:
        if "year" not in self.table:
            return None
        year = self.integer(self.table, "year")
        if not 2000 <= year <= 2100:
            self.fail("year", f"{year} is not a plausible year of release")
        return year

    def attention(self) -> AttentionShape:
        table = self.table["attention"]
        if not isinstance(table, dict):
            self.fail("attention", "must be a table of block_count, head_count_kv, key_length "
                      "and value_length")
        self.only_known(table, "attention.", _ATTENTION_REQUIRED, frozenset())
        return AttentionShape(
            block_count=self.integer(table, "block_count", "attention."),
            head_count_kv=self.integer(table, "head_count_kv", "attention."),
            key_length=self.integer(table, "key_length", "attention."),
            value_length=self.integer(table, "value_length", "attention."),
        )

    def alternatives(self) -> tuple[CatalogFile, ...]:
        tables = self.table.get("alternatives", [])
        if not isinstance(tables, list):
            self.fail("alternatives", "must be a list of files")
        return tuple(self.catalog_file(table, f"alternatives[{index}]")
                     for index, table in enumerate(tables))

    def catalog_file(self, table: object, where: str) -> CatalogFile:
        if not isinstance(table, dict):
            self.fail(where, "must be a table with filename and quantization")
        prefix = where + "."
        self.only_known(table, prefix, _FILE_REQUIRED, _FILE_OPTIONAL)
        filename = self.text(table, "filename", prefix)
        # The name becomes a path inside the library: it must not climb out of it.
        if (not filename.endswith(".gguf") or filename.startswith("/") or "\\" in filename
                or ".." in filename.split("/")):
            self.fail(prefix + "filename", f"'{filename}' must be a relative path ending in .gguf")
        quantization = self.text(table, "quantization", prefix)
        if not _QUANTIZATION.fullmatch(quantization):
            self.fail(prefix + "quantization",
                      f"'{quantization}' must be a llama.cpp type such as Q4_K_M")
        size = self.integer(table, "size", prefix) if "size" in table else None
        sha256 = self.text(table, "sha256", prefix) if "sha256" in table else None
        if sha256 is not None and not _SHA256.fullmatch(sha256):
            self.fail(prefix + "sha256", "must be 64 lower-case hexadecimal characters")
        return CatalogFile(filename, quantization, size, sha256)

    def no_duplicates(self, files: tuple[CatalogFile, ...]) -> None:
        filenames: set[str] = set()
        quantizations: set[str] = set()
        for index, file in enumerate(files):
            where = "default" if index == 0 else f"alternatives[{index - 1}]"
            if file.filename in filenames:
                self.fail(where + ".filename", f"'{file.filename}' is listed twice")
            if file.quantization.casefold() in quantizations:
                # Files are looked up by quantization, so two of a kind would be ambiguous.
                self.fail(where + ".quantization", f"'{file.quantization}' is listed twice")
            filenames.add(file.filename)
            quantizations.add(file.quantization.casefold())
