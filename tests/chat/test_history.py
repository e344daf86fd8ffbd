"""How conversations stored in the vault become prompts, titles, versions and branches."""

from __future__ import annotations

from pathlib import Path

from app.chat.history import (
    UNTITLED,
    branch,
    empty_conversation_note,
    prompt_for,
    sampling_of,
    title_for,
)
from app.engine import ChatMessage, SamplingOptions
from app.vault.keys import KdfParams
from app.vault.records import Message, PlainRow, Version
from app.vault.store import Vault
from app.vault.versions import (
    answers_to,
    choose_version,
    follow_wording,
    in_use,
    versions,
    with_new_version,
)


def test_titles_come_from_the_first_line_cut_at_a_word() -> None:
    assert title_for("  What is   a GGUF file?\nAnd more") == "What is a GGUF file?"
    long = "Please explain in detail how the attention mechanism of a transformer works, step by step"
    title = title_for(long)
    assert title.endswith("…") and len(title) <= 61 and long.startswith(title[:-1])
    assert title_for("   ") == UNTITLED


def texts(message: Message) -> tuple[str, ...]:
    return tuple(version.text for version in versions(message))


def test_versions_keep_their_order_and_their_own_stats(tmp_path: Path, kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "v.db", "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create(
            "t", system_prompt="Be brief.", sampling={"temperature": 0.2, "from_the_future": 1})
        vault.conversations.add_message(conversation.id, "user", "Hi")
        reply = vault.conversations.add_message(
            conversation.id, "assistant", "Hello!", model="a.gguf",
            stats={"completion_tokens": 80, "stop_reason": "cancelled"})
        second = with_new_version(reply, "Hi there!", stats={"completion_tokens": 512,
                                                             "stop_reason": "length"},
                                  model="b.gguf")
        third = with_new_version(second, "Hey.", stats={"completion_tokens": 2})
        assert texts(third) == ("Hello!", "Hi there!", "Hey.") and in_use(third) == 2
        chosen = choose_version(third, 0)
        assert chosen.text == "Hello!" and texts(chosen) == texts(third), "the order stays"
        assert chosen.stats == {"completion_tokens": 80, "stop_reason": "cancelled"}
        assert chosen.model == "a.gguf" and in_use(chosen) == 0
        assert choose_version(chosen, 1).stats["completion_tokens"] == 512
        vault.conversations.update_message(chosen)
        (_, stored) = vault.conversations.messages(conversation.id)
        assert stored == chosen, "versions, their stats and the one in use read back as stored"

        messages = vault.conversations.messages(conversation.id)
        assert prompt_for(conversation.system_prompt, messages) == [
            ChatMessage("system", "Be brief."), ChatMessage("user", "Hi"),
            ChatMessage("assistant", "Hello!")]
        assert prompt_for("  ", messages)[0] == ChatMessage("user", "Hi")
        assert sampling_of(conversation) == SamplingOptions(temperature=0.2)

        copy = branch(vault, conversation, messages, 1)
        assert copy.id != conversation.id and copy.title == "t (branch)"
        assert copy.system_prompt == "Be brief."
        assert [m.text for m in vault.conversations.messages(copy.id)] == ["Hi"]
        assert len(vault.conversations.messages(conversation.id)) == 2, \
            "the original stays as it was"
        full = branch(vault, conversation, messages, 2)
        assert texts(vault.conversations.messages(full.id)[-1]) == ("Hello!", "Hi there!", "Hey.")
        assert vault.conversations.messages(full.id)[-1].text == "Hello!"


def test_a_reply_follows_the_wording_of_its_question(tmp_path: Path, kdf: KdfParams) -> None:
    """Replies belong to the wording of the question they answered: choosing a wording shows the
    reply written for it, and its pager walks only those replies."""
    with Vault.create(tmp_path / "v.db", "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("t")
        question = vault.conversations.add_message(conversation.id, "user", "Name a fruit.")
        reply = vault.conversations.add_message(conversation.id, "assistant", "Apple.", answers=0)
        reply = with_new_version(reply, "Pear.", answers=0)
        question = with_new_version(question, "Name a vegetable.")
        reply = with_new_version(reply, "Leek.", answers=in_use(question))
        assert answers_to(reply, question) == (2,)
        asked_first = choose_version(question, 0)
        assert answers_to(reply, asked_first) == (0, 1)
        back = follow_wording(reply, asked_first)
        assert back.text == "Pear.", "the newest reply to that wording"
        assert follow_wording(back, question).text == "Leek."
        assert follow_wording(back, asked_first) is back, "already answers it"


def test_versions_stored_as_plain_text_by_earlier_versions_still_read(
        tmp_path: Path, kdf: KdfParams) -> None:
    """Before versions kept their own stats, an alternative was only its text, the one in use
    always the newest."""
    with Vault.create(tmp_path / "v.db", "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("t")
        reply = vault.conversations.add_message(conversation.id, "assistant", "Newest")
        vault.restore([PlainRow("messages", "old", conversation.id, 5, {
            "role": "assistant", "text": "Newest", "model": None, "stats": {},
            "created": reply.created, "alternatives": ["Oldest", "Middle"]})])
        old = next(m for m in vault.conversations.messages(conversation.id) if m.id == "old")
        assert texts(old) == ("Oldest", "Middle", "Newest") and in_use(old) == 2
        assert versions(old)[0] == Version("Oldest")


def test_a_new_conversation_says_which_model_answers_what_it_is_good_for_and_what_to_do() -> None:
    ready = empty_conversation_note("tiny.gguf", "Quick answers.", loading=False)
    assert ready.startswith("tiny.gguf is ready.") and "Good for: Quick answers." in ready
    assert "press Enter" in ready and "encrypted" in ready
    assert "start typing" in empty_conversation_note("tiny.gguf", None, loading=True)
    assert "Good for" not in empty_conversation_note("tiny.gguf", None, loading=False)
    assert "choose one above" in empty_conversation_note(None, None, loading=False)
