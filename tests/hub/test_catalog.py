"""The curated catalog: the shipped file is valid and says what the product promises, and a broken
catalog is refused with a message that names the entry and the field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import gguf
import pytest

from app.hub.catalog import (
    CATALOG_PATH,
    CatalogEntry,
    CatalogEntryNotFound,
    CatalogFileNotFound,
    CatalogInvalid,
    Openness,
    catalog_entry,
    good_for,
    load_catalog,
)
from app.hub.library import COPY, DOWNLOAD, STARTER, LibraryModel
from app.hub.starter import STARTER_GOOD_FOR

GIB = 1024**3
PAPER_LINEAGE = {  # the paper's instruction-tuned models that exist as GGUF at 10B or fewer
    "vicuna-7b-v1.5": "LLaMA-2-7B",
    "guanaco-7b": "LLaMA-7B",
    "dolly-v2-3b": "Pythia-2.8B",
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, CatalogEntry]:
    return {entry.id: entry for entry in load_catalog()}


# --- the shipped catalog --------------------------------------------------------------------------

def test_the_shipped_catalog_is_found_next_to_the_app_and_loads() -> None:
    assert CATALOG_PATH == Path(__file__).resolve().parents[2] / "models" / "catalog.toml"
    entries = load_catalog()
    assert len(entries) >= 20
    assert len({entry.id for entry in entries}) == len(entries)


def test_every_entry_is_a_mini_giant(catalog: dict[str, CatalogEntry]) -> None:
    for entry in catalog.values():
        assert 0 < entry.parameters_billion <= 10, entry.id


def test_q4_k_m_is_the_default_wherever_the_repository_has_one(
    catalog: dict[str, CatalogEntry],
) -> None:
    without_q4_k_m = set()
    for entry in catalog.values():
        if any(file.quantization == "Q4_K_M" for file in entry.files):
            assert entry.default.quantization == "Q4_K_M", entry.id
        else:
            without_q4_k_m.add(entry.id)
    # The one repository that publishes a single Q8_0 file.
    assert without_q4_k_m == {"smollm2-360m-instruct"}
    assert catalog["smollm2-360m-instruct"].default.quantization == "Q8_0"


def test_every_filename_is_a_gguf_that_names_its_quantization(
    catalog: dict[str, CatalogEntry],
) -> None:
    for entry in catalog.values():
        for file in entry.files:
            assert file.filename.endswith(".gguf"), file.filename
            assert file.quantization.casefold() in file.filename.casefold(), file.filename


def test_every_architecture_is_one_llama_cpp_knows(catalog: dict[str, CatalogEntry]) -> None:
    known = set(gguf.MODEL_ARCH_NAMES.values())
    for entry in catalog.values():
        assert entry.architecture in known, (entry.id, entry.architecture)


def test_each_openness_class_appears_with_its_colour(catalog: dict[str, CatalogEntry]) -> None:
    assert {entry.openness for entry in catalog.values()} == set(Openness)
    assert catalog["olmo-2-7b-instruct"].openness is Openness.PERMISSIVE
    assert catalog["qwen2.5-3b-instruct"].openness is Openness.NON_COMMERCIAL
    assert catalog["guanaco-7b"].openness is Openness.NON_COMMERCIAL
    assert catalog["llama-3.1-8b-instruct"].openness is Openness.RESTRICTED
    assert catalog["gemma-2-9b-it"].openness is Openness.RESTRICTED
    assert [o.colour for o in Openness] == ["green", "yellow", "red"]


def test_the_lineage_models_of_the_paper_are_present(catalog: dict[str, CatalogEntry]) -> None:
    for entry_id, parent in PAPER_LINEAGE.items():
        assert catalog[entry_id].base_model == parent
        assert catalog[entry_id].year == 2023
    assert catalog["zephyr-7b-beta"].base_model == "Mistral-7B-v0.1"


def test_the_attention_shape_gives_a_sane_kv_cache(catalog: dict[str, CatalogEntry]) -> None:
    # 32 layers x 8 KV heads x (128 + 128) x 2 bytes (f16) x 8192 tokens
    assert catalog["llama-3.1-8b-instruct"].attention.kv_bytes(8192) == 1 * GIB
    # Grouped-query attention with 4 KV heads: far smaller per token than Llama's 8.
    assert catalog["qwen2.5-7b-instruct"].attention.kv_bytes(8192) == 448 * 1024**2
    for entry in catalog.values():
        per_token = entry.attention.kv_bytes(1)
        assert 16 * 1024 <= per_token <= 1024**2, (entry.id, per_token)
        assert entry.attention.kv_bytes(entry.context_length) <= 64 * GIB, entry.id


def test_exact_sizes_and_checksums_are_kept_where_a_source_gave_them(
    catalog: dict[str, CatalogEntry],
) -> None:
    q6 = catalog["zephyr-7b-beta"].file("Q6_K")
    assert q6.size == 5_942_064_800
    assert q6.sha256 == "39b52e291eea6040de078283ee5316ff2a317e2b6f59be56724d9b29bada6cfe"
    assert catalog["zephyr-7b-beta"].default.size is None
    assert catalog["zephyr-7b-beta"].default.sha256 is None


def test_files_are_found_by_quantization_or_filename(catalog: dict[str, CatalogEntry]) -> None:
    qwen = catalog["qwen2.5-7b-instruct"]
    assert qwen.files[0] is qwen.default
    assert qwen.files[1:] == qwen.alternatives
    assert qwen.revision == "main"
    assert qwen.file("q5_k_m").filename == "Qwen2.5-7B-Instruct-Q5_K_M.gguf"
    assert qwen.file("Qwen2.5-7B-Instruct-Q8_0.gguf").quantization == "Q8_0"
    with pytest.raises(CatalogFileNotFound) as missing:
        qwen.file("Q2_K")
    assert "Q2_K" in missing.value.message and "Q4_K_M" in missing.value.hint


def test_an_entry_is_found_by_id() -> None:
    entry = catalog_entry("llama-3.1-8b-instruct")
    assert entry.repo == "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
    assert entry.default.filename == "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"


def test_an_unknown_id_points_to_the_list() -> None:
    with pytest.raises(CatalogEntryNotFound) as unknown:
        catalog_entry("gpt-5")
    assert "gpt-5" in unknown.value.message
    assert "minigiants models catalog" in unknown.value.hint
    with pytest.raises(CatalogEntryNotFound) as near:
        catalog_entry("llama-3.1-8b")
    assert "llama-3.1-8b-instruct" in near.value.hint


# --- broken catalogs ------------------------------------------------------------------------------

VALID = """
[[model]]
id = "tiny-chat"
name = "Tiny Chat"
repo = "someone/Tiny-Chat-GGUF"
default = {filename = "tiny-chat-Q4_K_M.gguf", quantization = "Q4_K_M", size = 1000, sha256 = "%s"}
alternatives = [{ filename = "tiny-chat-Q8_0.gguf", quantization = "Q8_0" }]
parameters = 1.1
context_length = 2048
architecture = "llama"
attention = { block_count = 22, head_count_kv = 4, key_length = 64, value_length = 64 }
base_model = "Tiny-Base"
licence = "Apache-2.0"
openness = "permissive"
gated = false
good_for = "Tests."
""" % ("ab" * 32)


def write(folder: Path, text: str) -> Path:
    path = folder / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_valid_test_entry_loads(tmp_path: Path) -> None:
    (entry,) = load_catalog(write(tmp_path, VALID))
    assert entry.default.size == 1000 and entry.default.sha256 == "ab" * 32
    assert entry.alternatives[0].size is None and entry.family is None and entry.year is None
    assert entry.attention.block_count == 22 and entry.openness is Openness.PERMISSIVE


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('sha256 = "' + "ab" * 32 + '"', 'sha256 = "not-a-hash"', "default.sha256"),
        ('sha256 = "' + "ab" * 32 + '"', 'sha256 = "' + "AB" * 32 + '"', "default.sha256"),
        ('licence = "Apache-2.0"\n', "", "licence"),
        ("parameters = 1.1", "parameters = 70.6", "parameters"),
        ("parameters = 1.1", 'parameters = "1.1"', "parameters"),
        ("size = 1000", "size = 0", "default.size"),
        ("size = 1000", "size = true", "default.size"),
        ('"tiny-chat-Q8_0.gguf"', '"tiny-chat-Q8_0.bin"', "alternatives[0].filename"),
        ('"tiny-chat-Q4_K_M.gguf"', '"../tiny-chat-Q4_K_M.gguf"', "default.filename"),
        ('quantization = "Q8_0"', 'quantization = "q4_k_m"', "alternatives[0].quantization"),
        ('openness = "permissive"', 'openness = "open"', "openness"),
        ("gated = false", 'gated = "no"', "gated"),
        ("head_count_kv = 4", "head_count_kv = -4", "attention.head_count_kv"),
        (", value_length = 64 }", " }", "attention.value_length"),
        ('repo = "someone/Tiny-Chat-GGUF"', 'repo = "Tiny-Chat-GGUF"', "repo"),
        ('good_for = "Tests."', 'good_for = "Tests."\nlicense = "MIT"', "license"),
    ],
)
def test_a_broken_entry_is_refused_naming_entry_and_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    assert old in VALID
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog(write(tmp_path, VALID.replace(old, new)))
    assert (refused.value.entry, refused.value.field) == ("tiny-chat", field)
    assert "'tiny-chat'" in refused.value.message and f"'{field}'" in refused.value.message
    assert str(tmp_path / "catalog.toml") in refused.value.hint


def test_more_than_ten_billion_parameters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog(write(tmp_path, VALID.replace("parameters = 1.1", "parameters = 70.6")))
    assert "70.6 billion" in refused.value.message


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog(write(tmp_path, VALID + VALID))
    assert (refused.value.entry, refused.value.field) == ("tiny-chat", "id")
    assert "unique" in refused.value.message


def test_an_entry_without_a_usable_id_is_named_by_position(tmp_path: Path) -> None:
    second = VALID.replace('id = "tiny-chat"', 'id = "Tiny Chat!"')
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog(write(tmp_path, VALID.replace("tiny-chat", "first") + second))
    assert (refused.value.entry, refused.value.field) == ("#2", "id")


def test_a_file_that_is_not_toml_or_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid) as not_toml:
        load_catalog(write(tmp_path, "[[model]\nid = 1\n"))
    assert not_toml.value.entry is None and "TOML" in not_toml.value.message
    with pytest.raises(CatalogInvalid) as empty:
        load_catalog(write(tmp_path, "# nothing yet\n"))
    assert "no models" in empty.value.message
    with pytest.raises(CatalogInvalid) as missing:
        load_catalog(tmp_path / "absent.toml")
    assert "could not be read" in missing.value.message


def test_what_a_library_model_is_good_for_comes_from_its_catalog_entry(
        catalog: dict[str, CatalogEntry]) -> None:
    entry = next(iter(catalog.values()))
    downloaded = LibraryModel("m", Path("m.gguf"), DOWNLOAD, entry.default.filename, 1, None,
                              repo=entry.repo.upper())
    assert good_for(downloaded) == entry.good_for
    imported = dataclasses.replace(downloaded, source=COPY, repo=None)
    assert good_for(imported) is None
    starter = dataclasses.replace(downloaded, source=STARTER, repo=None)
    assert good_for(starter) == STARTER_GOOD_FOR
