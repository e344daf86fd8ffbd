"""The thought record's steps without the wizard: the headings and what finishing needs."""

from __future__ import annotations

import dataclasses

from app.journal.thought_record_steps import not_ready_to_finish, step_heading
from app.vault.records import AutomaticThought, ThoughtRecord

EMPTY = ThoughtRecord("r", "", (), (), (), "", "", "", (), (), "draft", "situation", "", "")


def test_each_step_is_numbered_among_all_seven() -> None:
    assert step_heading("situation") == "Step 1 of 7 · Situation"
    assert step_heading("rerate") == "Step 7 of 7 · Re-rate"


def test_finishing_needs_the_situation_and_one_thought_and_nothing_else() -> None:
    problem = not_ready_to_finish(EMPTY)
    assert problem is not None
    assert "the situation (step 1) and at least one thought (step 2)" in problem
    with_situation = dataclasses.replace(EMPTY, situation="The meeting.")
    assert "situation" not in (not_ready_to_finish(with_situation) or "")
    blank_thought = dataclasses.replace(with_situation, thoughts=(AutomaticThought("  ", 50),))
    assert not_ready_to_finish(blank_thought) is not None, "an empty thought is not a thought"
    ready = dataclasses.replace(with_situation, thoughts=(AutomaticThought("I failed.", 80),))
    assert not_ready_to_finish(ready) is None
