"""Read a GGUF file's facts with the `gguf` package, without loading the model, and refuse files that
would crash llama.cpp (which may abort the whole process on a malformed file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf
import numpy as np

from app.engine.errors import (
    ModelFileInvalid,
    ModelFileMissing,
    UnsupportedArchitecture,
)

KNOWN_ARCHITECTURES = frozenset(gguf.MODEL_ARCH_NAMES.values())


@dataclass(frozen=True)
class ModelFacts:
    path: Path
    file_size: int
    architecture: str
    name: str
    parameters: int
    size_label: str | None
    quantization: str
    trained_context: int | None
    chat_template: str | None
    license: str | None
    gguf_version: int
    tensor_count: int
    # The attention shape, which sizes the KV cache: layers, KV heads, key and value widths.
    block_count: int | None = None
    head_count_kv: int | None = None
    key_length: int | None = None
    value_length: int | None = None
    # A LoRA adapter rather than a model, and the base model it was trained on, when it says.
    is_adapter: bool = False
    base_model: str | None = None

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)


def inspect_gguf(path: str | Path) -> ModelFacts:
    """Validate `path` (magic, version, metadata, tensor table, architecture) and return its facts.

    Raises ModelFileMissing, ModelFileInvalid or UnsupportedArchitecture; never crashes the process."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileMissing(path)
    file_size = path.stat().st_size
    if file_size == 0:
        raise ModelFileInvalid(path, "the file is empty")
    reader = _open_reader(path)
    _check_tensor_table(path, reader, file_size)

    def field(name: str) -> object:
        found = reader.get_field(name)
        return None if found is None else _field_value(found)

    architecture = field("general.architecture")
    if not isinstance(architecture, str) or not architecture:
        raise ModelFileInvalid(path, "it does not say which model architecture it holds")
    if architecture not in KNOWN_ARCHITECTURES:
        raise UnsupportedArchitecture(path, architecture)

    template = field("tokenizer.chat_template")
    context = field(f"{architecture}.context_length")
    head_count = _int(field(f"{architecture}.attention.head_count"))
    embedding = _int(field(f"{architecture}.embedding_length"))
    # Without explicit widths llama.cpp uses embedding_length / head_count for both.
    head_width = embedding // head_count if embedding and head_count else None
    return ModelFacts(
        path=path,
        file_size=file_size,
        architecture=architecture,
        name=_text(field("general.name")) or path.stem,
        parameters=sum(int(tensor.n_elements) for tensor in reader.tensors),
        size_label=_text(field("general.size_label")),
        quantization=_quantization(reader, field("general.file_type")),
        trained_context=_int(context),
        chat_template=template if isinstance(template, str) and template.strip() else None,
        license=_text(field("general.license")),
        gguf_version=int(field("GGUF.version")),  # type: ignore[call-overload]
        tensor_count=len(reader.tensors),
        block_count=_int(field(f"{architecture}.block_count")),
        head_count_kv=_int(field(f"{architecture}.attention.head_count_kv")) or head_count,
        key_length=_int(field(f"{architecture}.attention.key_length")) or head_width,
        value_length=_int(field(f"{architecture}.attention.value_length")) or head_width,
        is_adapter=field("general.type") == "adapter",
        base_model=_text(field("general.base_model.0.name")),
    )


class _Reader(gguf.GGUFReader):
    """The gguf reader over a plain ndarray view of its memory map: numpy's memmap subclass runs a
    Python hook on every slice, which made reading a 50k-150k token vocabulary take seconds (3x)."""

    def _get(self, *args: Any, **kwargs: Any) -> Any:
        if type(self.data) is not np.ndarray:
            self.data = self.data.view(np.ndarray)  # type: ignore[assignment]
        return super()._get(*args, **kwargs)


def _open_reader(path: Path) -> gguf.GGUFReader:
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic != b"GGUF":
            raise ModelFileInvalid(path, "it does not start with the GGUF signature")
        return _Reader(path)
    except ModelFileInvalid:
        raise
    except (ValueError, IndexError, KeyError, OverflowError, MemoryError, OSError) as error:
        # The reader raises these when a count, length or offset points past the end of the file.
        raise ModelFileInvalid(path, f"its header is damaged or cut short ({_short(error)})") from None


def _check_tensor_table(path: Path, reader: gguf.GGUFReader, file_size: int) -> None:
    if not reader.tensors:
        raise ModelFileInvalid(path, "it contains no tensors")
    for tensor in reader.tensors:
        if tensor.data_offset + tensor.n_bytes > file_size:
            missing = tensor.data_offset + tensor.n_bytes - file_size
            raise ModelFileInvalid(
                path, f"it is cut short: {missing:,} bytes of tensor data are missing at the end"
            )


def _field_value(field: gguf.ReaderField) -> object:
    try:
        return field.contents()
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _quantization(reader: gguf.GGUFReader, file_type: object) -> str:
    if isinstance(file_type, int):
        try:
            return gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
        except ValueError:
            pass
    # No file type recorded: name it after the type that holds most of the weights.
    by_type: dict[str, int] = {}
    for tensor in reader.tensors:
        by_type[tensor.tensor_type.name] = by_type.get(tensor.tensor_type.name, 0) + tensor.n_bytes
    return max(by_type, key=by_type.__getitem__)


def _int(value: object) -> int | None:
    # Some converters store per-layer arrays (e.g. head_count_kv); the first layer's value stands in.
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."
