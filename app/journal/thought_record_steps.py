"""The thought record's steps: each one's title and what it asks, with an example, and what a record
needs before it can be finished. Plain Python, so that any view of the worksheet says and checks
the same."""

from __future__ import annotations

from app.vault.records import THOUGHT_RECORD_STEPS, ThoughtRecord

STEP_TITLES = {
    "situation": "Situation",
    "thoughts": "Automatic thoughts",
    "emotions": "Emotions",
    "distortions": "Thinking traps",
    "evidence": "Evidence",
    "balanced_thought": "Balanced thought",
    "rerate": "Re-rate",
}
STEP_INSTRUCTIONS = {
    "situation": (
        "What happened? Describe the moment briefly: who was there, what happened, when and "
        "where — the facts, as a camera would have seen them. For example: “Tuesday morning, "
        "team meeting: my manager frowned while I presented.”"),
    "thoughts": (
        "What went through your mind? Write each thought as it came to you, in your own words, "
        "and how much you believed it, from 0 % (not at all) to 100 % (completely). For "
        "example: “She thinks my work is useless.” — 80 %."),
    "emotions": (
        "How did you feel? Name each feeling in a word, picked from the list or typed, and how "
        "strong it was, from 0 to 100 %. For example: anxious 70 %, embarrassed 50 %."),
    "distortions": (
        "Thinking traps are common habits of mind, not faults. Tick any that seem to fit your "
        "thoughts, or none. If a model is loaded, it can suggest a few for you to consider."),
    "evidence": (
        "What supports the thoughts, and what does not? Write facts rather than feelings. For "
        "example, against: “Last month she thanked me for the report.”"),
    "balanced_thought": (
        "Looking at all of it, what is a fairer way to see the situation? It does not have to "
        "be positive, only balanced. For example: “She may have been frowning at something "
        "else; my work has been praised before.”"),
    "rerate": (
        "Now, how much do you believe each of the first thoughts, and how strong is each "
        "feeling? Any change, even a small one, counts."),
}


def step_heading(step: str) -> str:
    """"Step 2 of 7 · Automatic thoughts"."""
    return f"Step {THOUGHT_RECORD_STEPS.index(step) + 1} of {len(THOUGHT_RECORD_STEPS)} · " \
        f"{STEP_TITLES[step]}"


def not_ready_to_finish(record: ThoughtRecord) -> str | None:
    """What the record still needs before it can be finished, said kindly; None when it has it.
    Only the situation and one thought are needed: every other step may stay empty."""
    missing = []
    if not record.situation.strip():
        missing.append("the situation (step 1)")
    if not any(thought.text.strip() for thought in record.thoughts):
        missing.append("at least one thought (step 2)")
    if not missing:
        return None
    return (f"To finish, the record needs {' and '.join(missing)}. Go Back to add them whenever "
            "you are ready; everything else can stay empty, and your work is kept as a draft.")
