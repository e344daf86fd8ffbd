"""The local library on real files: import by copy or in place, remove, verify, LoRA adapters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.engine.errors import ModelFileInvalid
from app.hub.errors import ModelNotInLibrary, StarterModelIsPartOfTheApp
from app.hub.library import COPY, REFERENCE, STARTER, STARTER_ID, Library
from tests.engine.helpers import write_lora_adapter


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "models")


def test_the_starter_model_is_always_there_and_stays(library: Library) -> None:
    [starter] = library.models()
    assert starter.id == STARTER_ID and starter.source == STARTER
    facts = starter.facts()
    assert (starter.architecture, starter.parameters, starter.quantization, starter.context_length,
            starter.has_chat_template, starter.licence) == (
        facts.architecture, facts.parameters, facts.quantization, facts.trained_context,
        facts.has_chat_template, facts.license), "the recorded metadata is the file's own"
    with pytest.raises(StarterModelIsPartOfTheApp):
        library.remove(STARTER_ID)


def test_import_by_copy_and_in_place(library: Library, starter_path: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "My-Model.Q4_1.gguf"
    elsewhere.parent.mkdir()
    os.link(starter_path, elsewhere)  # a second name for the same bytes, not a 98 MB copy
    copied = library.import_file(elsewhere, copy=True)
    referenced = library.import_file(elsewhere, copy=False)
    assert copied.source == COPY and copied.path.parent == library.root / "imported"
    assert referenced.source == REFERENCE and referenced.path == elsewhere
    assert copied.id == "my-model.q4_1" and referenced.id == "my-model.q4_1-2"
    assert copied.sha256 == referenced.sha256 and len(copied.sha256 or "") == 64
    assert (copied.quantization, copied.context_length, copied.licence) == ("Q4_1", 8192, "apache-2.0")
    assert [m.id for m in Library(library.root).models()] == [STARTER_ID, copied.id, referenced.id]

    library.remove(referenced.id)
    assert elsewhere.exists(), "a referenced file is never deleted"
    library.remove(copied.id)
    assert not copied.path.exists()
    with pytest.raises(ModelNotInLibrary):
        library.model(copied.id)


def test_verify_finds_a_changed_byte(library: Library, starter_path: Path) -> None:
    model = library.import_file(starter_path, copy=True)
    assert library.verify(model.id).ok
    with open(model.path, "r+b") as file:
        file.seek(50_000_000)
        byte = file.read(1)
        file.seek(50_000_000)
        file.write(bytes([byte[0] ^ 1]))
    result = library.verify(model.id)
    assert not result.ok and result.actual != model.sha256


def test_a_damaged_file_is_not_imported(library: Library, starter_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(starter_path.read_bytes()[:20_000_000])
    with pytest.raises(ModelFileInvalid):
        library.import_file(cut, copy=True)
    assert [m.source for m in library.models()] == [STARTER]
    assert not list(library.root.rglob("*.gguf*")), "no copy, not even a partial one"


def test_lora_adapters_are_listed_with_the_models_they_fit(library: Library, tmp_path: Path) -> None:
    adapter = library.import_file(write_lora_adapter(tmp_path / "calm-tone.gguf", strength=1.0),
                                  copy=False)
    facts = adapter.facts()
    assert facts.is_adapter
    assert [m.id for m in library.adapters_for(library.model(STARTER_ID))] == [adapter.id]
    assert adapter not in library.base_models()
