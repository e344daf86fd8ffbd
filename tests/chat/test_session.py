"""The chat's logic without a widget: a real vault, the real engine on the starter model, the real
crisis check; only the GUI's threads are replaced by running everything in turn (tests/
inline_jobs.py, tests/chat/inline.py), and the screen by a view that keeps what it was told."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.chat.history import UNTITLED
from app.chat.session import ChatSession
from app.engine import Engine
from app.journal.safety import crisis_resources, support_message
from app.vault.keys import KdfParams
from app.vault.records import Message
from app.vault.store import Vault
from app.vault.versions import answers_to, in_use, versions
from tests.chat.inline import InlineEngine
from tests.chat.screen_view import ScreenView
from tests.engine.helpers import long_text
from tests.inline_jobs import InlineJobs

SHORT = {"temperature": 0.0, "max_tokens": 24}
CRISIS = "I've got the rope and tonight I'm going to hang myself."


@dataclass
class Chat:
    session: ChatSession
    engine: InlineEngine
    view: ScreenView
    vault: Vault

    def run(self, action: Callable[[], None]) -> None:
        """Do what the person did, then let the model answer everything it was asked."""
        action()
        self.engine.run_pending()

    def send(self, text: str) -> None:
        self.run(lambda: self.session.turns.send(text))

    def stored(self) -> list[Message]:
        assert self.session.conversation is not None
        return self.vault.conversations.messages(self.session.conversation.id)


@pytest.fixture
def vault(tmp_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    with Vault.create(tmp_path / "vault.db", "a long passphrase", kdf=kdf) as opened:
        yield opened


@pytest.fixture
def chat(vault: Vault, engine: Engine) -> Chat:
    view = ScreenView()
    inline = InlineEngine(engine)
    session = ChatSession(InlineJobs(), inline, view)
    inline.answer(session)
    session.open_vault(vault)
    chat = Chat(session, inline, view, vault)
    chat.run(lambda: session.save_settings("You are a helpful assistant.", SHORT))
    return chat


def test_a_first_message_makes_a_conversation_and_its_reply_streams_into_the_vault(
        chat: Chat) -> None:
    assert chat.view.is_ready and chat.view.title == UNTITLED
    chat.send("Say hello.\nAnd more.")
    question, reply = chat.stored()
    assert (question.role, question.text) == ("user", "Say hello.\nAnd more.")
    assert reply.role == "assistant" and reply.text.strip()
    assert chat.view.reply == reply.text and [m.id for m in chat.view.stored] == [reply.id]
    assert chat.view.title == "Say hello." == chat.view.conversations[0].title, "its first line"
    assert reply.stats["completion_tokens"] and not chat.view.busy and not chat.session.busy
    assert chat.view.context is not None and chat.view.context[0] > 0


def test_regenerate_keeps_the_previous_reply_as_an_alternative(chat: Chat) -> None:
    chat.send("Name a colour.")
    first = chat.stored()[-1]
    chat.run(lambda: chat.session.save_settings("You are a poet.", {**SHORT, "temperature": 1.2,
                                                                   "seed": 3}))
    chat.run(chat.session.turns.regenerate)
    again = chat.stored()[-1]
    assert again.id == first.id and [v.text for v in versions(again)][0] == first.text
    assert len(versions(again)) == 2 and chat.session.messages[-1].text == again.text
    chat.run(lambda: chat.session.turns.choose_alternative(again.id, 0))
    assert chat.stored()[-1].text == first.text == chat.view.messages[-1].text


def test_editing_the_last_question_keeps_its_wording_and_an_earlier_one_starts_a_branch(
        chat: Chat) -> None:
    chat.send("Say hello.")
    chat.send("Say goodbye.")
    original = chat.session.conversation
    assert original is not None
    last_question = chat.session.messages[-2]
    chat.run(lambda: chat.session.turns.edit_and_resend(last_question.id, "Say thanks."))
    edited, reply = chat.stored()[-2:]
    assert [v.text for v in versions(edited)] == ["Say goodbye.", "Say thanks."]
    assert answers_to(reply, edited) == (in_use(reply),)

    first_question = chat.session.messages[0]
    chat.run(lambda: chat.session.turns.edit_and_resend(first_question.id, "Say hi."))
    branch = chat.session.conversation
    assert branch is not None and branch.id != original.id
    assert branch.title == f"{original.title} (branch)"
    assert [m.text for m in chat.stored()][:1] == ["Say hi."]
    assert len(chat.vault.conversations.messages(original.id)) == 4, "the original stays whole"


def test_stop_keeps_what_came_so_far(chat: Chat) -> None:
    chat.run(lambda: chat.session.save_settings("", {"temperature": 0.0, "max_tokens": 400}))
    chat.view.on_reply_text = lambda _: chat.session.turns.stop() \
        if len(chat.view.reply) > 20 else None
    chat.send("Write a very long story about a dragon and a knight.")
    reply = chat.stored()[-1]
    assert reply.stats["stop_reason"] == "cancelled" and reply.text == chat.view.reply
    assert not chat.view.busy


def test_a_crisis_message_waits_for_the_person_and_nothing_is_kept_when_they_hold(
        chat: Chat) -> None:
    chat.view.safety_choice = "not now"
    chat.send(CRISIS)
    assert chat.view.asked and chat.view.asked[0].flagged
    assert chat.view.draft == CRISIS and not chat.view.busy
    assert chat.stored() == [] and chat.view.messages == [], "nothing stored, nothing shown"


def test_after_going_on_a_reply_that_encourages_harm_is_withheld(chat: Chat) -> None:
    harmful = "You've got this. Use the rope tonight, you have the courage."
    chat.session.crisis_region = "GB"
    chat.run(lambda: chat.session.save_settings("", {"temperature": 0.0, "max_tokens": 64,
                                                     "json_schema": {"const": harmful}}))
    chat.send(CRISIS)
    [hit] = chat.view.asked
    reply = chat.stored()[-1]
    assert reply.text == support_message(hit, crisis_resources("GB")) == chat.view.reply
    assert reply.stats == {"withheld": True} and "rope" not in chat.view.reply


def test_a_message_is_judged_with_the_ones_before_it(chat: Chat) -> None:
    chat.send("I keep thinking about ending it.")
    chat.send("Tonight I'm going to the bridge.")
    assert len(chat.view.asked) == 2
    chat.send("I've decided.")
    assert len(chat.view.asked) == 3, "a plan, after what came before"


def test_locking_mid_reply_saves_what_came_and_forgets_everything(chat: Chat) -> None:
    chat.run(lambda: chat.session.save_settings("", {"temperature": 0.0, "max_tokens": 400}))
    conversation = chat.session.conversation
    assert conversation is not None
    chat.view.on_reply_text = lambda _: chat.session.close() if len(chat.view.reply) > 20 else None
    chat.send("Write a very long story about a dragon and a knight.")
    reply = chat.vault.conversations.messages(conversation.id)[-1]
    assert reply.stats == {"stop_reason": "cancelled"} and reply.text == chat.view.reply
    session = chat.session
    assert session.vault is None and session.conversation is None and session.messages == []
    assert not session.busy and session.titles == {}


def test_reopening_lists_conversations_newest_first_and_opens_the_newest(
        chat: Chat, vault: Vault) -> None:
    chat.send("Say hello.")
    chat.run(chat.session.new_conversation)
    chat.send("Say goodbye.")
    chat.session.close()
    view = ScreenView()
    reopened = ChatSession(InlineJobs(), chat.engine, view)
    chat.engine.answer(reopened)
    reopened.open_vault(vault)
    assert [c.title for c in view.conversations] == ["Say goodbye.", "Say hello."]
    assert view.title == "Say goodbye." and view.messages[0].text == "Say goodbye."


def test_deleting_the_open_conversation_starts_a_new_one(chat: Chat) -> None:
    chat.send("Say hello.")
    conversation = chat.session.conversation
    assert conversation is not None
    chat.run(lambda: chat.session.delete(conversation.id))
    assert chat.session.conversation is None and chat.view.title == UNTITLED
    assert chat.view.messages == [] and chat.view.conversations == []


def test_search_finds_a_message_and_opening_the_hit_opens_its_conversation(chat: Chat) -> None:
    chat.send("Tell me about lighthouses.")
    wanted = chat.session.conversation
    assert wanted is not None
    chat.run(chat.session.new_conversation)
    chat.send("Say hello.")
    chat.session.search("lighthouses", ("[", "]"))
    hit = next(h for h in chat.view.hits if h.kind == "message")
    assert "[lighthouses]" in hit.snippet.lower()
    chat.run(lambda: chat.session.open_hit(hit))
    assert chat.session.conversation == wanted and chat.view.title == wanted.title


def test_going_back_to_a_conversation_evaluates_only_whats_new_and_locking_forgets_it(
        chat: Chat, engine: Engine) -> None:
    chat.run(lambda: chat.session.save_settings("", {"temperature": 0.0, "max_tokens": 16}))
    chat.send(f"Summarise this: {long_text(300)}")
    first = chat.session.conversation
    assert first is not None
    chat.run(chat.session.new_conversation)
    chat.send("Say hello.")
    chat.run(lambda: chat.session.open_conversation(first.id))
    chat.send("Thank you.")
    reply = chat.stored()[-1]
    assert reply.stats["evaluated_tokens"] < 40 < 300 < reply.stats["prompt_tokens"], \
        "its kept cache came back: only the last reply and the new message were evaluated"
    assert engine.states.kept_bytes > 0, "the other conversation's cache is kept meanwhile"
    chat.session.close()
    assert engine.states.kept_bytes == 0, "a KV cache is the conversation in another form"
