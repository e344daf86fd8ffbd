"""The API's key lives sealed in the vault: made once, the same after reopening, renewable."""

from __future__ import annotations

from pathlib import Path

from app.api.api_key import api_key, renew_api_key
from app.vault.keys import KdfParams
from app.vault.store import Vault


def test_the_key_is_made_once_kept_sealed_and_renewable(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        key = api_key(vault)
        assert key.startswith("mg-") and len(key) > 40
        assert api_key(vault) == key
    assert key.encode() not in path.read_bytes()
    with Vault.open(path) as vault:
        vault.unlock("pw")
        assert api_key(vault) == key
        renewed = renew_api_key(vault)
        assert renewed != key and api_key(vault) == renewed
