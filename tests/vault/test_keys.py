"""The key hierarchy with real Argon2id and AES-GCM: right and wrong passphrases, recovery keys,
tampered settings, calibration floor."""

from __future__ import annotations

import dataclasses

import pytest

from app.vault.errors import KeySettingsTampered, WrongPassphrase, WrongRecoveryKey
from app.vault.keys import (
    MAX_MEMORY_KIB,
    MIN_ITERATIONS,
    MIN_MEMORY_KIB,
    PASSPHRASE,
    RECOVERY,
    WrappedKey,
    calibrate,
    new_data_key,
    new_recovery_key,
    unwrap,
    wrap,
)
from tests.vault.conftest import floor_kdf

FLOOR = floor_kdf()


def test_the_right_passphrase_unwraps_the_data_key() -> None:
    data_key = new_data_key()
    wrapped = WrappedKey.from_json(
        wrap(data_key, "correct horse", FLOOR, purpose=PASSPHRASE, key_version=1).to_json()
    )
    assert unwrap(wrapped, "correct horse") == data_key
    assert data_key not in wrapped.to_json().encode()


def test_a_wrong_passphrase_is_refused() -> None:
    wrapped = wrap(new_data_key(), "correct horse", FLOOR, purpose=PASSPHRASE, key_version=1)
    with pytest.raises(WrongPassphrase) as raised:
        unwrap(wrapped, "correct hose")
    assert "does not unlock" in raised.value.message


def test_the_same_passphrase_typed_decomposed_still_unlocks() -> None:
    data_key = new_data_key()
    wrapped = wrap(data_key, "caf\u00e9 au lait", FLOOR, purpose=PASSPHRASE, key_version=1)
    assert unwrap(wrapped, "cafe\u0301 au lait") == data_key


def test_recovery_key_unlocks_however_it_is_typed() -> None:
    data_key = new_data_key()
    code = new_recovery_key()
    assert len(code.replace("-", "")) == 32
    wrapped = wrap(data_key, code, FLOOR, purpose=RECOVERY, key_version=1)
    assert unwrap(wrapped, code.lower().replace("-", " ")) == data_key
    with pytest.raises(WrongRecoveryKey):
        unwrap(wrapped, new_recovery_key())


def test_settings_edited_in_the_file_are_refused() -> None:
    wrapped = wrap(new_data_key(), "pw", FLOOR, purpose=PASSPHRASE, key_version=1)
    weakened = dataclasses.replace(wrapped, kdf=dataclasses.replace(wrapped.kdf, memory_kib=1024))
    with pytest.raises(KeySettingsTampered):
        unwrap(weakened, "pw")
    fewer_passes = dataclasses.replace(wrapped, kdf=dataclasses.replace(wrapped.kdf, iterations=1))
    with pytest.raises(KeySettingsTampered):
        unwrap(fewer_passes, "pw")
    # Above the floor but not what was written: the bound associated data no longer matches.
    raised = dataclasses.replace(wrapped, kdf=dataclasses.replace(wrapped.kdf, iterations=4))
    with pytest.raises(WrongPassphrase):
        unwrap(raised, "pw")
    relabelled = dataclasses.replace(wrapped, purpose=RECOVERY)
    with pytest.raises(WrongRecoveryKey):
        unwrap(relabelled, "pw")


def test_calibration_never_goes_below_the_floor() -> None:
    quick = calibrate(target_seconds=0.01)
    assert quick.memory_kib == MIN_MEMORY_KIB and quick.iterations == MIN_ITERATIONS
    # Far above what one derivation takes: memory grows to its cap first, then the passes.
    slow = calibrate(target_seconds=60)
    assert slow.memory_kib == MAX_MEMORY_KIB
    assert slow.iterations > MIN_ITERATIONS
    assert quick.salt != slow.salt
