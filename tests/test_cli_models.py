"""`minigiants models ...` as separate processes: the library, discovery, fit, and a download from
the loopback hub through HF_ENDPOINT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.datadir import vault_path
from app.vault.store import Vault
from tests.hub.gguf_files import write_gguf
from tests.hub.hub_server import FILE, REPO, FakeHub


def run(*args: str, home: Path, stdin: str = "", **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIGIANTS_", "HF_"))}
    env.update(MINIGIANTS_HOME=str(home), HOME=str(home / "user"), **extra_env)
    return subprocess.run([sys.executable, "-m", "app.cli", "models", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=300)


def test_download_list_verify_fit_and_remove(private_home: Path, fake_hub: FakeHub) -> None:
    downloaded = run("download", REPO, FILE, "--json", home=private_home,
                     HF_ENDPOINT=fake_hub.endpoint)
    assert downloaded.returncode == 0, downloaded.stderr
    model = json.loads(downloaded.stdout)
    assert model["sha256"] == fake_hub.files[(REPO, FILE)].sha256

    listed = json.loads(run("list", "--json", home=private_home).stdout)
    assert [m["id"] for m in listed] == ["starter", model["id"]]
    assert run("verify", model["id"], home=private_home).stdout.startswith(f"{model['id']}: OK")

    fit = json.loads(run("fit", model["id"], "--ctx", "2048", "--json", home=private_home).stdout)
    assert fit["kv_bytes"] == 30 * 3 * 128 * 2 * 2048 and fit["verdict"] == "fits"

    offline = run("download", REPO, FILE, home=private_home, HF_ENDPOINT=fake_hub.endpoint,
                  MINIGIANTS_OFFLINE="1")
    assert offline.returncode == 0, "already in the library: nothing to fetch"
    removed = run("remove", model["id"], home=private_home)
    assert removed.returncode == 0 and not Path(model["path"]).exists()
    refused = run("download", REPO, FILE, home=private_home, HF_ENDPOINT=fake_hub.endpoint,
                  MINIGIANTS_OFFLINE="1")
    assert refused.returncode == 2 and "offline mode" in refused.stderr
    missing = run("download", REPO, "nope.gguf", home=private_home, HF_ENDPOINT=fake_hub.endpoint)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr + refused.stderr


def test_search_and_files(private_home: Path, fake_hub: FakeHub) -> None:
    found = run("search", "smollm2", home=private_home, HF_ENDPOINT=fake_hub.endpoint)
    assert found.returncode == 0 and REPO in found.stdout
    files = json.loads(run("files", REPO, "--json", home=private_home,
                           HF_ENDPOINT=fake_hub.endpoint).stdout)
    assert [(f["name"], f["quantization"]) for f in files] == [(FILE, "Q4_1")]


def test_a_gated_model_downloads_with_the_token_kept_in_the_vault(
        private_home: Path, fake_hub: FakeHub) -> None:
    token = "hf_" + "a1B2c3D4e5" * 3
    fake_hub.behaviour.gated[REPO] = token
    with Vault.create(vault_path(), "correct horse"):
        pass
    unlocked = {"HF_ENDPOINT": fake_hub.endpoint, "MINIGIANTS_PASSPHRASE": "correct horse"}

    refused = run("download", REPO, FILE, home=private_home, **unlocked)
    assert refused.returncode == 2 and "accept the licence" in refused.stderr.lower()
    no_token = run("download", REPO, FILE, "--vault-token", home=private_home, **unlocked)
    assert no_token.returncode == 2 and "models token set" in no_token.stderr

    typo = run("token", "set", home=private_home, stdin="my password\n", **unlocked)
    assert typo.returncode == 2 and "does not look like" in typo.stderr
    kept = run("token", "set", home=private_home, stdin=f"  {token}  \n", **unlocked)
    assert kept.returncode == 0, kept.stderr
    assert token not in kept.stdout + kept.stderr and token[-4:] in kept.stdout
    assert token.encode() not in vault_path().read_bytes()

    downloaded = run("download", REPO, FILE, "--vault-token", "--json", home=private_home,
                     **unlocked)
    assert downloaded.returncode == 0, downloaded.stderr
    assert json.loads(downloaded.stdout)["sha256"] == fake_hub.files[(REPO, FILE)].sha256
    wrong = run("files", REPO, "--vault-token", home=private_home, HF_ENDPOINT=fake_hub.endpoint,
                MINIGIANTS_PASSPHRASE="wrong")
    assert wrong.returncode == 2 and "passphrase" in wrong.stderr.lower()

    assert run("token", "forget", home=private_home, **unlocked).returncode == 0
    status = json.loads(run("token", "status", "--json", home=private_home, **unlocked).stdout)
    assert status == {"stored": False, "token": None}


def test_import_and_discover(private_home: Path, starter_path: Path) -> None:
    lm_studio = private_home / "user" / ".lmstudio" / "models" / "someone"
    write_gguf(lm_studio / "Tiny-GGUF" / "tiny-Q4_1.gguf")
    (lm_studio / "Starter-GGUF").mkdir()
    (lm_studio / "Starter-GGUF" / "starter.gguf").symlink_to(starter_path)
    found = json.loads(run("discover", "--json", home=private_home).stdout)
    assert sorted(m["repo"] for m in found["found"]) == ["someone/Starter-GGUF", "someone/Tiny-GGUF"]
    added = run("discover", "--add", home=private_home)
    assert added.returncode == 0 and "Added 1 model" in added.stderr, "the starter is known already"
    listed = run("list", home=private_home).stdout
    assert "tiny-q4_1" in listed and "reference" in listed

    broken = private_home / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 100)
    refused = run("import", str(broken), home=private_home)
    assert refused.returncode == 2 and "broken.gguf" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_catalog_with_licence_colours_and_fit(private_home: Path) -> None:
    shown = run("catalog", "--json", "--ctx", "4096", home=private_home)
    assert shown.returncode == 0, shown.stderr
    entries = {entry["id"]: entry for entry in json.loads(shown.stdout)}
    assert entries["qwen2.5-7b-instruct"]["colour"] == "green"
    assert entries["llama-3.1-8b-instruct"]["colour"] == "red"
    llama = entries["llama-3.1-8b-instruct"]["fit"]
    assert llama["kv_bytes"] == 32 * 8 * 256 * 2 * 4096 and llama["n_ctx"] == 4096
    assert all(entry["fit"]["verdict"] in ("fits", "tight", "won't fit") for entry in entries.values())
    table = run("catalog", home=private_home).stdout
    assert "red: Llama 3.1 Community" in table and "Mistral-7B-v0.1" in table
