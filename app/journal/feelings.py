"""Words offered when someone names how they feel (mood check-ins, thought records). Offered, not
imposed: any other word a person types is as good."""

from __future__ import annotations

# Pleasant first, then the ones thought records are usually about; each is a plain everyday word.
COMMON_EMOTIONS = (
    "happy", "calm", "grateful", "hopeful", "proud", "content",
    "anxious", "sad", "angry", "frustrated", "ashamed", "guilty",
    "lonely", "hurt", "overwhelmed", "tired", "afraid", "embarrassed",
)

# What the ends and middle of the 0-10 mood scale mean, so a number means the same each day.
MOOD_WORDS = {0: "very low", 2: "low", 5: "okay", 8: "good", 10: "very good"}


def mood_word(mood: int) -> str:
    """The nearest word for a 0-10 mood at or below it: 6 reads "okay", 9 reads "good"."""
    return MOOD_WORDS[max(point for point in MOOD_WORDS if point <= mood)]
