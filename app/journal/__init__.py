"""The journal: entries, mood check-ins, CBT thought records, thinking distortions, safety net."""
