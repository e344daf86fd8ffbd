"""What Mini-Giants is and is not, said plainly and kindly: once when the journal is first opened
and always in About."""

from __future__ import annotations

NOT_A_THERAPIST = (
    "Mini-Giants is a self-help tool, not a therapist and not a medical device. Its journal, "
    "thought records and companion can help you notice and reflect on your thoughts, but they "
    "cannot diagnose or treat anything, and the model can be wrong. If you are struggling, a "
    "doctor, a therapist or a helpline can give you support that an app cannot. If you are in "
    "danger, call your local emergency number."
)
