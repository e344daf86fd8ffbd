"""Sealed rows: round trip, padding buckets, and every way a stored row can be wrong."""

from __future__ import annotations

import pytest

from app.vault.errors import RowTampered
from app.vault.keys import new_data_key
from app.vault.sealing import RowAddress, bucket_size, open_sealed, seal

KEY = new_data_key()
HOME = RowAddress("messages", "m-1", "c-1", 1)


def test_round_trip() -> None:
    payload = {"role": "user", "text": "I felt anxious before the meeting \u2014 again.", "mood": 3}
    sealed = seal(KEY, payload, HOME)
    assert open_sealed(KEY, sealed, HOME) == payload
    assert b"anxious" not in sealed


def test_same_payload_seals_differently_each_time() -> None:
    assert seal(KEY, {"text": "same"}, HOME) != seal(KEY, {"text": "same"}, HOME)


def test_lengths_leak_only_their_bucket() -> None:
    short = seal(KEY, {"text": "hi"}, HOME)
    longer = seal(KEY, {"text": "hello there, how are you"}, HOME)
    assert len(short) == len(longer)
    assert [bucket_size(n) for n in (1, 64, 65, 4096, 4097, 9000)] == [64, 64, 128, 4096, 8192, 12288]


@pytest.mark.parametrize(
    "elsewhere",
    [
        RowAddress("messages", "m-2", "c-1", 1),  # another row
        RowAddress("messages", "m-1", "c-2", 1),  # moved to another conversation
        RowAddress("journal_entries", "m-1", "c-1", 1),  # another table
        RowAddress("messages", "m-1", "c-1", 2),  # another key version
    ],
)
def test_a_ciphertext_used_anywhere_else_fails(elsewhere: RowAddress) -> None:
    sealed = seal(KEY, {"text": "private"}, HOME)
    with pytest.raises(RowTampered) as raised:
        open_sealed(KEY, sealed, elsewhere)
    assert raised.value.row_id == elsewhere.row_id


def test_a_flipped_byte_fails() -> None:
    sealed = bytearray(seal(KEY, {"text": "private"}, HOME))
    sealed[20] ^= 0x01
    with pytest.raises(RowTampered):
        open_sealed(KEY, bytes(sealed), HOME)


def test_another_key_fails() -> None:
    with pytest.raises(RowTampered):
        open_sealed(new_data_key(), seal(KEY, {"text": "x"}, HOME), HOME)
