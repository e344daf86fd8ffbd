"""A streaming reply is in the vault within a second of each piece, and whole at the end."""

from __future__ import annotations

from pathlib import Path

from app.vault.keys import KdfParams
from app.vault.records import Message, Version
from app.vault.reply_saver import ReplySaver
from app.vault.store import Vault
from app.vault.versions import versions


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_reply_is_saved_every_second_and_at_the_end(tmp_path: Path, kdf: KdfParams) -> None:
    clock = Clock()
    with Vault.create(tmp_path / "vault.db", "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("Story")
        vault.conversations.add_message(conversation.id, "user", "Tell me a story.")
        saver = ReplySaver(vault, conversation.id, model="smollm2", clock=clock)

        def stored() -> str:
            return vault.conversations.messages(conversation.id)[-1].text

        saver.add("Once")
        assert stored() == "Once", "the reply exists from its first piece"
        clock.now += 0.4
        saver.add(" upon")
        assert stored() == "Once", "not every piece is a write"
        clock.now += 0.6
        saver.add(" a time")
        assert stored() == "Once upon a time", "a second after the last save"
        saver.add(".")
        final = saver.finish({"completion_tokens": 4, "stop_reason": "eos"})
        assert [m.role for m in vault.conversations.messages(conversation.id)] == \
            ["user", "assistant"]
        assert vault.conversations.messages(conversation.id)[-1] == final
        assert final.text == "Once upon a time." and final.stats["completion_tokens"] == 4
        assert final.model == "smollm2"


def test_a_regenerated_reply_keeps_the_earlier_one_as_an_alternative(
        tmp_path: Path, kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "vault.db", "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("Pets")
        vault.conversations.add_message(conversation.id, "user", "Name a pet.")
        first = saver_finished(vault, conversation.id, "A cat.", {"completion_tokens": 80,
                                                                   "stop_reason": "length"})
        saver = ReplySaver(vault, conversation.id, model="smollm2", replacing=first, answers=0)
        saver.add("A dog")
        stored = vault.conversations.messages(conversation.id)
        assert len(stored) == 2 and stored[-1].id == first.id, "replaced in place, not appended"
        assert stored[-1].text == "A dog" and [v.text for v in versions(stored[-1])] == [
            "A cat.", "A dog"]
        saver.add(".")
        final = saver.finish({"completion_tokens": 3})
        assert vault.conversations.messages(conversation.id)[-1] == final
        assert final.text == "A dog." and final.stats == {"completion_tokens": 3}
        assert final.alternatives == (Version("A cat.", {"completion_tokens": 80,
                                                         "stop_reason": "length"}, "smollm2", 0),)
        assert final.answers == 0 and final.model == "smollm2"


def saver_finished(vault: Vault, conversation_id: str, text: str, stats: dict[str, object]
                   ) -> Message:
    """A first reply to the question, written and finished as the chat writes one."""
    saver = ReplySaver(vault, conversation_id, model="smollm2", answers=0)
    saver.add(text)
    return saver.finish(stats)
