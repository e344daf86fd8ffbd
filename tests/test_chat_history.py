"""How conversations stored in the vault become prompts, titles, versions and branches."""

from __future__ import annotations

from pathlib import Path

from app.chat_history import (
    UNTITLED,
    branch,
    choose_version,
    prompt_for,
    sampling_of,
    title_for,
    versions,
    with_new_version,
)
from app.engine import ChatMessage, SamplingOptions
from app.vault.keys import KdfParams
from app.vault.store import Vault


def test_titles_come_from_the_first_line_cut_at_a_word() -> None:
    assert title_for("  What is   a GGUF file?\nAnd more") == "What is a GGUF file?"
    long = "Please explain in detail how the attention mechanism of a transformer works, step by step"
    title = title_for(long)
    assert title.endswith("…") and len(title) <= 61 and long.startswith(title[:-1])
    assert title_for("   ") == UNTITLED


def test_versions_regenerate_and_choose(tmp_path: Path, kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "v.db", "pw", kdf=kdf) as vault:
        conversation = vault.create_conversation("t", system_prompt="Be brief.",
                                                 sampling={"temperature": 0.2, "from_the_future": 1})
        vault.add_message(conversation.id, "user", "Hi")
        reply = vault.add_message(conversation.id, "assistant", "Hello!")
        second = with_new_version(reply, "Hi there!")
        third = with_new_version(second, "Hey.")
        assert versions(third) == ("Hello!", "Hi there!", "Hey.")
        chosen = choose_version(third, 0)
        assert chosen.text == "Hello!" and versions(chosen) == ("Hi there!", "Hey.", "Hello!")
        vault.update_message(chosen)

        messages = vault.messages(conversation.id)
        assert prompt_for(conversation.system_prompt, messages) == [
            ChatMessage("system", "Be brief."), ChatMessage("user", "Hi"),
            ChatMessage("assistant", "Hello!")]
        assert prompt_for("  ", messages)[0] == ChatMessage("user", "Hi")
        assert sampling_of(conversation) == SamplingOptions(temperature=0.2)

        copy = branch(vault, conversation, messages, 1)
        assert copy.id != conversation.id and copy.title == "t (branch)"
        assert copy.system_prompt == "Be brief."
        assert [m.text for m in vault.messages(copy.id)] == ["Hi"]
        assert len(vault.messages(conversation.id)) == 2, "the original stays as it was"
        full = branch(vault, conversation, messages, 2)
        assert vault.messages(full.id)[-1].alternatives == ("Hi there!", "Hey.")
