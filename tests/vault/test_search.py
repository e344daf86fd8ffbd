"""Search across conversations: in memory after unlock, current as rows change, gone on lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.vault.errors import VaultLocked
from app.vault.keys import KdfParams
from app.vault.store import Vault


@pytest.fixture
def vault(tmp_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    with Vault.create(tmp_path / "vault.db", "pw", kdf=kdf) as opened:
        yield opened


def test_finds_messages_and_titles_with_highlighted_snippets(vault: Vault) -> None:
    sleep = vault.conversations.create("Sleep troubles")
    vault.conversations.add_message(
        sleep.id, "user", "I keep waking up at 4 am and cannot fall asleep again.")
    vault.conversations.add_message(
        sleep.id, "assistant", "Waking early is common when stress builds up.")
    work = vault.conversations.create("Work")
    vault.conversations.add_message(
        work.id, "user", "My manager praised the report in the café today.")

    hits = vault.search("waking")
    assert {hit.parent for hit in hits} == {sleep.id}
    assert all("[waking]" in hit.snippet.lower() for hit in hits)
    assert [hit.ref for hit in vault.search("sleep")] == [sleep.id], "titles are searched too"
    assert vault.search("cafe")[0].parent == work.id, "accents do not matter"
    assert vault.search("prai")[0].parent == work.id, "the last word matches as a prefix"
    assert vault.search("waking report") == [], "every word must occur"


def test_the_index_follows_changes(vault: Vault) -> None:
    conversation = vault.conversations.create("Journal chat")
    vault.search("anything")  # the index exists from here on
    message = vault.conversations.add_message(
        conversation.id, "user", "Thinking about the lighthouse.")
    assert [hit.ref for hit in vault.search("lighthouse")] == [message.id]
    vault.conversations.update_message(
        dataclasses.replace(message, text="Thinking about the harbour."))
    assert vault.search("lighthouse") == []
    assert [hit.ref for hit in vault.search("harbour")] == [message.id]
    vault.conversations.rename(conversation.id, "Harbour walk")
    assert {hit.kind for hit in vault.search("harbour")} == {"message", "conversation"}
    vault.conversations.delete(conversation.id)
    assert vault.search("harbour") == []


def test_locking_drops_the_index(vault: Vault) -> None:
    conversation = vault.conversations.create("Private")
    vault.conversations.add_message(conversation.id, "user", "A secret about the garden.")
    assert vault.search("garden")
    vault.lock()
    with pytest.raises(VaultLocked):
        vault.search("garden")
    vault.unlock("pw")
    assert vault.search("garden"), "rebuilt after unlocking"


@pytest.mark.parametrize("text", ['"', "NOT", "a AND", "(", "*", "col:word", "   "])
def test_search_syntax_in_a_persons_words_is_harmless(vault: Vault, text: str) -> None:
    conversation = vault.conversations.create("Words")
    vault.conversations.add_message(
        conversation.id, "user", "NOT everything is (as) it seems: col:word * \"quote\"")
    assert isinstance(vault.search(text), list)


def test_journal_entries_are_searched_with_conversations(vault: Vault) -> None:
    entry = vault.journal.add("The lighthouse keeper waved at me.", title="Walk",
                              tags=("outdoors",))
    chat = vault.conversations.create("Lighthouse facts")
    assert {(hit.kind, hit.ref) for hit in vault.search("lighthouse")} == {
        ("journal", entry.id), ("conversation", chat.id)}
    assert [hit.ref for hit in vault.search("outdoors")] == [entry.id], "tags are searched"
    vault.journal.update(dataclasses.replace(entry, text="The keeper waved."))
    assert [hit.kind for hit in vault.search("lighthouse")] == ["conversation"]
    vault.journal.delete(entry.id)
    assert vault.search("keeper") == []
