"""Save as you type, without an editor: one save on its way at a time, nothing typed lost."""

from __future__ import annotations

from app.journal.autosave import Autosave


def test_an_edit_is_saved_once_and_edits_made_meanwhile_go_in_the_next_save() -> None:
    autosave = Autosave()
    assert not autosave.begin(), "nothing edited, nothing to save"
    autosave.edited()
    assert autosave.state == "waiting"
    assert autosave.begin() and autosave.state == "saving"
    autosave.edited()
    assert not autosave.begin(), "the next save waits for this one"
    assert autosave.landed(), "more was typed meanwhile: save again"
    assert autosave.state == "waiting" and autosave.begin()
    assert not autosave.landed() and autosave.state == "saved"


def test_a_failed_save_keeps_its_edits_for_the_next_try() -> None:
    autosave = Autosave()
    autosave.edited()
    autosave.begin()
    autosave.failed()
    assert autosave.state == "failed"
    assert autosave.begin(), "tried again with what it held"


def test_a_save_that_lands_after_the_editor_moved_on_is_not_the_shown_ones() -> None:
    autosave = Autosave()
    autosave.edited()
    autosave.begin()
    assert autosave.saving_shown
    autosave.show_another()
    assert not autosave.saving_shown, "what it gives back belongs to the entry left"
    autosave.edited()
    assert autosave.state == "waiting" and not autosave.begin(), "still one save at a time"
    assert autosave.landed() and autosave.begin() and autosave.saving_shown


def test_locking_forgets_what_was_on_its_way() -> None:
    autosave = Autosave()
    autosave.edited()
    autosave.begin()
    autosave.forget()
    assert autosave.state == "" and not autosave.saving_shown and not autosave.begin()
    autosave.edited()
    assert autosave.begin(), "a save after unlocking does not wait for a dropped answer"
