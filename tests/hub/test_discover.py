"""Discovery of models other apps downloaded: each app's real folder layout, built under a fake home
with small but real GGUF files, next to the things that must not be offered as a model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.hub.discover import FoundModel, discover
from tests.hub.gguf_files import write_gguf, write_lora, write_projector

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


# --- Files ----------------------------------------------------------------------------------------


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def link(path: Path, target: Path | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def found(
    home: Path, root: Path, env: dict[str, str] | None = None, platform: str = "linux"
) -> list[FoundModel]:
    """discover(), less anything outside the test's folder: on Linux it also looks at the
    system-wide Ollama store, which a developer's machine may have."""
    return [m for m in discover(home, env or {}, platform) if m.path.is_relative_to(root)]


def names(models: list[FoundModel]) -> list[str]:
    return [model.name for model in models]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


# --- Hugging Face cache ---------------------------------------------------------------------------


def hf_snapshot_file(cache: Path, repo: str, commit: str, filename: str, blob: str) -> Path:
    """snapshots/<commit>/<file> as huggingface-hub makes it: a relative link into ../../blobs."""
    repo_folder = cache / f"models--{repo.replace('/', '--')}"
    depth = filename.count("/")
    return link(
        repo_folder / "snapshots" / commit / filename, "../" * (depth + 2) + f"blobs/{blob}"
    )


def test_hugging_face_cache_reports_each_blob_once_by_its_snapshot_path(
    home: Path, tmp_path: Path
) -> None:
    cache = home / ".cache" / "huggingface" / "hub"
    repo = cache / "models--bartowski--Tiny-GGUF"
    blob = write_gguf(repo / "blobs" / SHA_A)
    write_gguf(repo / "blobs" / f"{SHA_B}.incomplete")
    first = hf_snapshot_file(cache, "bartowski/Tiny-GGUF", "c1", "Tiny-Q4_K_M.gguf", SHA_A)
    hf_snapshot_file(cache, "bartowski/Tiny-GGUF", "c2", "Tiny-Q4_K_M.gguf", SHA_A)
    hf_snapshot_file(cache, "bartowski/Tiny-GGUF", "c1", "Q8/Tiny-Q8_0.gguf", f"{SHA_B}.incomplete")
    hf_snapshot_file(cache, "bartowski/Tiny-GGUF", "c1", "gone.gguf", SHA_C)
    hf_snapshot_file(cache, "bartowski/Tiny-GGUF", "c1", "README.md", SHA_A)
    write_gguf(cache / "datasets--someone--corpus" / "snapshots" / "c1" / "data.gguf")

    assert found(home, tmp_path) == [
        FoundModel(
            first,
            "Hugging Face cache",
            "bartowski/Tiny-GGUF/Tiny-Q4_K_M.gguf",
            blob.stat().st_size,
            "bartowski/Tiny-GGUF",
        )
    ]


def test_hugging_face_cache_nested_file_and_copied_snapshot(home: Path, tmp_path: Path) -> None:
    # Windows without developer mode stores plain copies in snapshots/ instead of links.
    cache = home / ".cache" / "huggingface" / "hub"
    repo = cache / "models--Qwen--Qwen3-GGUF"
    write_gguf(repo / "blobs" / SHA_A)
    hf_snapshot_file(cache, "Qwen/Qwen3-GGUF", "main1", "Q4/qwen3-q4.gguf", SHA_A)
    write_gguf(repo / "snapshots" / "main1" / "qwen3-f16.gguf")

    assert names(found(home, tmp_path)) == [
        "Qwen/Qwen3-GGUF/Q4/qwen3-q4.gguf",
        "Qwen/Qwen3-GGUF/qwen3-f16.gguf",
    ]


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
@pytest.mark.parametrize(
    ("variable", "cache_under_value"),
    [
        ("HF_HUB_CACHE", ""),
        ("HUGGINGFACE_HUB_CACHE", ""),
        ("HF_HOME", "hub"),
        ("XDG_CACHE_HOME", "huggingface/hub"),
        (None, ""),
    ],
)
def test_hugging_face_cache_location(
    home: Path, tmp_path: Path, platform: str, variable: str | None, cache_under_value: str
) -> None:
    default_cache = home / ".cache" / "huggingface" / "hub"
    env = {variable: str(tmp_path / "custom")} if variable else {}
    cache = tmp_path / "custom" / cache_under_value if variable else default_cache
    write_gguf(cache / "models--org--chosen" / "snapshots" / "c" / "chosen.gguf")
    if variable:
        write_gguf(default_cache / "models--org--default" / "snapshots" / "c" / "default.gguf")

    assert names(found(home, tmp_path, env, platform)) == ["org/chosen/chosen.gguf"]


def test_hf_hub_cache_outranks_hf_home(home: Path, tmp_path: Path) -> None:
    write_gguf(tmp_path / "hub-cache" / "models--org--a" / "snapshots" / "c" / "a.gguf")
    write_gguf(tmp_path / "hf-home" / "hub" / "models--org--b" / "snapshots" / "c" / "b.gguf")
    env = {"HF_HUB_CACHE": str(tmp_path / "hub-cache"), "HF_HOME": str(tmp_path / "hf-home")}

    assert names(found(home, tmp_path, env)) == ["org/a/a.gguf"]


# --- LM Studio ------------------------------------------------------------------------------------


def test_lm_studio_publisher_repo_layout(home: Path, tmp_path: Path, starter_path: Path) -> None:
    models = home / ".lmstudio" / "models"
    real = link(models / "lmstudio-community" / "SmolLM2-GGUF" / "SmolLM2-Q4_1.gguf", starter_path)
    write_projector(models / "lmstudio-community" / "SmolLM2-GGUF" / "mmproj-model-f16.gguf")
    write_projector(models / "lmstudio-community" / "SmolLM2-GGUF" / "projector.gguf")
    write_text(models / "lmstudio-community" / "SmolLM2-GGUF" / "notes.gguf", "not a model")
    write_gguf(models / "loose.gguf")  # LM Studio itself only lists publisher/repo/file
    write_gguf(tmp_path / "elsewhere" / "mine.gguf")
    link(models / "me" / "linked-repo", tmp_path / "elsewhere")
    link(models / "me" / "0-loop", "..")  # sorts first, so it would be walked first
    write_gguf(home / ".cache" / "lm-studio" / "models" / "TheBloke" / "Old-GGUF" / "old.Q4.gguf")

    models_found = found(home, tmp_path)

    assert names(models_found) == [
        "lmstudio-community/SmolLM2-GGUF/SmolLM2-Q4_1.gguf",
        "me/linked-repo/mine.gguf",
        "TheBloke/Old-GGUF/old.Q4.gguf",
    ]
    assert models_found[0] == FoundModel(
        real,
        "LM Studio",
        "lmstudio-community/SmolLM2-GGUF/SmolLM2-Q4_1.gguf",
        starter_path.stat().st_size,
        "lmstudio-community/SmolLM2-GGUF",
    )
    assert [m.repo for m in models_found[1:]] == ["me/linked-repo", "TheBloke/Old-GGUF"]


def test_lm_studio_home_pointer_and_moved_models_folder(home: Path, tmp_path: Path) -> None:
    lm_home = tmp_path / "drive" / "lmstudio"
    write_text(home / ".lmstudio-home-pointer", f"{lm_home}\n")
    write_gguf(lm_home / "models" / "org" / "in-home" / "a.gguf")
    write_text(lm_home / "settings.json", json.dumps({"downloadsFolder": str(tmp_path / "big")}))
    write_gguf(tmp_path / "big" / "org" / "moved" / "b.gguf")

    assert names(found(home, tmp_path)) == ["org/in-home/a.gguf", "org/moved/b.gguf"]


def test_split_model_is_one_entry_with_its_parts_summed(home: Path, tmp_path: Path) -> None:
    repo = home / ".lmstudio" / "models" / "org" / "Big-GGUF"
    parts = [write_gguf(repo / f"big-Q4-0000{part}-of-00003.gguf") for part in (1, 2, 3)]
    write_gguf(repo / "half-00001-of-00002.gguf")  # its second part is still downloading

    assert found(home, tmp_path) == [
        FoundModel(
            parts[0],
            "LM Studio",
            "org/Big-GGUF/big-Q4-00001-of-00003.gguf",
            sum(part.stat().st_size for part in parts),
            "org/Big-GGUF",
        )
    ]


# --- GPT4All --------------------------------------------------------------------------------------


def test_gpt4all_models_folder_and_chosen_folder(home: Path, tmp_path: Path) -> None:
    folder = home / ".local" / "share" / "nomic.ai" / "GPT4All"
    model = write_gguf(folder / "Llama-3.2-1B-Instruct-Q4_0.gguf")
    write_gguf(folder / "incomplete-Phi-3-mini-Q4_0.gguf")
    write_lora(folder / "my-style-lora.gguf")
    write_lora(folder / "older-lora.gguf", typed=False)
    write_gguf(folder / "subfolder" / "nested.gguf")
    write_text(folder / "localdocs_v2.db", "")
    write_text(
        home / ".config" / "nomic.ai" / "GPT4All.ini",
        "[General]\nthreadCount=4\n"
        f'modelPath="{tmp_path / "chosen"}/"\n'
        "\n[model-x]\nmodelPath=/nowhere\n",
    )
    write_gguf(tmp_path / "chosen" / "mistral-7b.Q4_0.gguf")

    models_found = found(home, tmp_path)

    assert names(models_found) == ["Llama-3.2-1B-Instruct-Q4_0.gguf", "mistral-7b.Q4_0.gguf"]
    assert models_found[0] == FoundModel(model, "GPT4All", model.name, model.stat().st_size, None)


@pytest.mark.parametrize(
    ("platform", "env", "models_folder", "settings_file"),
    [
        (
            "linux",
            {"XDG_DATA_HOME": "{tmp}/xdg-data", "XDG_CONFIG_HOME": "{tmp}/xdg-config"},
            "{tmp}/xdg-data/nomic.ai/GPT4All",
            "{tmp}/xdg-config/nomic.ai/GPT4All.ini",
        ),
        (
            "darwin",
            {},
            "{home}/Library/Application Support/nomic.ai/GPT4All",
            "{home}/.config/nomic.ai/GPT4All.ini",
        ),
        (
            "win32",
            {"LOCALAPPDATA": "{tmp}/Local", "APPDATA": "{tmp}/Roaming"},
            "{tmp}/Local/nomic.ai/GPT4All",
            "{tmp}/Roaming/nomic.ai/GPT4All.ini",
        ),
        (
            "win32",
            {},
            "{home}/AppData/Local/nomic.ai/GPT4All",
            "{home}/AppData/Roaming/nomic.ai/GPT4All.ini",
        ),
    ],
)
def test_gpt4all_locations_per_platform(
    home: Path,
    tmp_path: Path,
    platform: str,
    env: dict[str, str],
    models_folder: str,
    settings_file: str,
) -> None:
    def place(text: str) -> str:
        return text.format(tmp=tmp_path, home=home)

    write_gguf(Path(place(models_folder)) / "default-folder.gguf")
    write_text(Path(place(settings_file)), f"[General]\nmodelPath={tmp_path / 'chosen'}/\n")
    write_gguf(tmp_path / "chosen" / "chosen-folder.gguf")
    write_gguf(home / ".local" / "share" / "nomic.ai" / "GPT4All" / "not-this-platform.gguf")

    env = {key: place(value) for key, value in env.items()}
    assert names(found(home, tmp_path, env, platform)) == [
        "chosen-folder.gguf",
        "default-folder.gguf",
    ]


# --- Jan ------------------------------------------------------------------------------------------


def test_jan_current_and_old_layouts(home: Path, tmp_path: Path) -> None:
    data = home / ".local" / "share" / "Jan" / "data"
    gemma = data / "llamacpp" / "models" / "unsloth" / "gemma-3-1b-it-Q4_K_M"
    write_text(
        gemma / "model.yml", "model_path: llamacpp/models/unsloth/gemma-3-1b-it-Q4_K_M/model.gguf\n"
    )
    model = write_gguf(gemma / "model.gguf")
    write_projector(gemma / "mmproj.gguf")
    link(data / "llamacpp" / "models" / "unsloth" / "0-loop", "..")  # sorts first
    write_gguf(data / "llamacpp" / "backends" / "b1" / "not-a-model-folder.gguf")
    write_text(home / "jan" / "models" / "tinyllama-1.1b" / "model.json", "{}")
    write_gguf(home / "jan" / "models" / "tinyllama-1.1b" / "tinyllama-1.1b-chat.Q4_K_M.gguf")

    models_found = found(home, tmp_path)

    assert names(models_found) == [
        "tinyllama-1.1b-chat.Q4_K_M.gguf",
        "unsloth/gemma-3-1b-it-Q4_K_M",
    ]
    assert models_found[1] == FoundModel(
        model, "Jan", "unsloth/gemma-3-1b-it-Q4_K_M", model.stat().st_size, None
    )


@pytest.mark.parametrize(
    ("platform", "env", "app_folder"),
    [
        ("linux", {}, "{home}/.local/share/Jan"),
        ("linux", {"XDG_DATA_HOME": "{tmp}/xdg"}, "{tmp}/xdg/Jan"),
        ("darwin", {}, "{home}/Library/Application Support/Jan"),
        ("win32", {"APPDATA": "{tmp}/Roaming"}, "{tmp}/Roaming/Jan"),
        ("win32", {}, "{home}/AppData/Roaming/Jan"),
        ("linux", {"JAN_DATA_ROOT": "{tmp}/root"}, "{tmp}/root/Jan"),
    ],
)
def test_jan_data_folder_per_platform_and_moved_data_folder(
    home: Path, tmp_path: Path, platform: str, env: dict[str, str], app_folder: str
) -> None:
    folder = Path(app_folder.format(tmp=tmp_path, home=home))
    write_gguf(folder / "data" / "llamacpp" / "models" / "qwen3-0.6b" / "model.gguf")
    moved = tmp_path / "moved-jan-data"
    write_text(folder / "settings.json", json.dumps({"data_folder": str(moved)}))
    write_gguf(moved / "llamacpp" / "models" / "llama3.2-1b" / "model.gguf")

    env = {key: value.format(tmp=tmp_path, home=home) for key, value in env.items()}
    assert names(found(home, tmp_path, env, platform)) == ["llama3.2-1b", "qwen3-0.6b"]


# --- Ollama ---------------------------------------------------------------------------------------


def ollama_manifest(store: Path, name: str, model_digest: str) -> Path:
    """A manifest as `ollama pull` writes it: config, model, template and params layers."""
    registry, namespace, model, tag = name.split("/")
    layers = [
        {"mediaType": "application/vnd.ollama.image.model", "digest": model_digest, "size": 1},
        {"mediaType": "application/vnd.ollama.image.template", "digest": f"sha256:{SHA_C}"},
        {"mediaType": "application/vnd.ollama.image.params", "digest": f"sha256:{SHA_C}"},
    ]
    document = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": f"sha256:{SHA_C}",
        },
        "layers": layers,
    }
    return write_text(
        store / "manifests" / registry / namespace / model / tag, json.dumps(document)
    )


def test_ollama_manifests_name_their_model_blobs(home: Path, tmp_path: Path) -> None:
    store = home / ".ollama" / "models"
    blob_a = write_gguf(store / "blobs" / f"sha256-{SHA_A}")
    blob_b = write_gguf(store / "blobs" / f"sha256-{SHA_B}")
    write_text(store / "blobs" / f"sha256-{SHA_C}", "{{ .Prompt }}")
    ollama_manifest(store, "registry.ollama.ai/library/llama3.2/1b", f"sha256:{SHA_A}")
    ollama_manifest(store, "registry.ollama.ai/library/llama3.2/latest", f"sha256:{SHA_A}")
    ollama_manifest(store, "registry.ollama.ai/someone/journal/q4", f"sha256:{SHA_B}")
    ollama_manifest(store, "hf.co/bartowski/Foo-GGUF/Q4_K_M", f"sha256:{SHA_B}")
    ollama_manifest(store, "registry.ollama.ai/library/missing/latest", f"sha256:{'d' * 64}")
    ollama_manifest(store, "registry.ollama.ai/library/template/latest", f"sha256:{SHA_C}")
    ollama_manifest(store, "registry.ollama.ai/library/escape/latest", "sha256:../../../etc/passwd")
    write_text(store / "manifests" / "registry.ollama.ai" / "library" / "broken" / "latest", "{")

    assert found(home, tmp_path) == [
        FoundModel(
            blob_b, "Ollama", "hf.co/bartowski/Foo-GGUF:Q4_K_M", blob_b.stat().st_size, None
        ),
        FoundModel(blob_a, "Ollama", "llama3.2:1b", blob_a.stat().st_size, None),
    ]


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_ollama_models_variable(home: Path, tmp_path: Path, platform: str) -> None:
    store = tmp_path / "ollama-store"
    write_gguf(store / "blobs" / f"sha256-{SHA_A}")
    ollama_manifest(store, "registry.ollama.ai/library/qwen3/0.6b", f"sha256:{SHA_A}")
    write_gguf(home / ".ollama" / "models" / "blobs" / f"sha256-{SHA_B}")
    ollama_manifest(
        home / ".ollama" / "models", "registry.ollama.ai/library/phi4/mini", f"sha256:{SHA_B}"
    )

    env = {"OLLAMA_MODELS": str(store)}
    assert names(found(home, tmp_path, env, platform)) == ["phi4:mini", "qwen3:0.6b"]


# --- Across apps ----------------------------------------------------------------------------------


def test_sorted_by_app_then_name_and_a_shared_file_listed_once(home: Path, tmp_path: Path) -> None:
    cache = home / ".cache" / "huggingface" / "hub"
    blob = write_gguf(cache / "models--org--shared" / "blobs" / SHA_A)
    hf_snapshot_file(cache, "org/shared", "c", "shared.gguf", SHA_A)
    link(home / ".lmstudio" / "models" / "org" / "shared" / "shared.gguf", blob)
    write_gguf(home / ".lmstudio" / "models" / "org" / "zeta" / "zeta.gguf")
    write_gguf(home / ".lmstudio" / "models" / "org" / "Alpha" / "alpha.gguf")
    write_gguf(home / ".local" / "share" / "nomic.ai" / "GPT4All" / "g.gguf")
    write_gguf(home / "jan" / "models" / "j" / "j.gguf")
    write_gguf(home / ".ollama" / "models" / "blobs" / f"sha256-{SHA_B}")
    ollama_manifest(
        home / ".ollama" / "models", "registry.ollama.ai/library/o/latest", f"sha256:{SHA_B}"
    )

    assert [(m.app, m.name) for m in found(home, tmp_path)] == [
        ("GPT4All", "g.gguf"),
        ("Hugging Face cache", "org/shared/shared.gguf"),
        ("Jan", "j.gguf"),
        ("LM Studio", "org/Alpha/alpha.gguf"),
        ("LM Studio", "org/zeta/zeta.gguf"),
        ("Ollama", "o:latest"),
    ]


def test_damaged_files_and_settings_are_passed_over(home: Path, tmp_path: Path) -> None:
    folder = home / ".local" / "share" / "nomic.ai" / "GPT4All"
    whole = write_gguf(folder / "whole.gguf")
    (folder / "cut-short.gguf").write_bytes(whole.read_bytes()[:40])
    (folder / "empty.gguf").write_bytes(b"")
    (folder / "gguf-v1.gguf").write_bytes(b"GGUF" + (1).to_bytes(4, "little") + bytes(64))
    write_text(home / ".lmstudio-home-pointer", "")
    write_text(home / ".lmstudio", "a file where LM Studio's folder would be")
    write_text(home / ".local" / "share" / "Jan" / "settings.json", "[not, json")
    write_text(home / ".ollama" / "models" / "manifests", "not a folder")

    assert names(found(home, tmp_path)) == ["whole.gguf"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_skipped(home: Path, tmp_path: Path) -> None:
    models = home / ".lmstudio" / "models"
    write_gguf(models / "org" / "open" / "open.gguf")
    write_gguf(models / "org" / "locked" / "locked.gguf")
    (models / "org" / "locked").chmod(0)
    try:
        assert names(found(home, tmp_path)) == ["org/open/open.gguf"]
    finally:
        (models / "org" / "locked").chmod(0o755)
