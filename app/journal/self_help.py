"""What Mini-Giants is and is not, said plainly and kindly: once when the journal is first opened
and always in About; and what its safety net can and cannot do, in About."""

from __future__ import annotations

NOT_A_THERAPIST = (
    "Mini-Giants is a self-help tool, not a therapist and not a medical device. Its journal, "
    "thought records and companion can help you notice and reflect on your thoughts, but they "
    "cannot diagnose or treat anything, and the model can be wrong. If you are struggling, a "
    "doctor, a therapist or a helpline can give you support that an app cannot. If you are in "
    "danger, call your local emergency number."
)

# Measured on the blind split (tests/bench/safety_report.py --set blind; README, "The journal and the
# safety net"): update both together when the net changes.
SAFETY_NET_LIMITS = (
    "The safety net reads what you write here, on this computer: phrase patterns and a small "
    "learned model. On crisis messages written by someone it never learned from, it recognised "
    "about 86 in 100 and mistook 4 in 100 harmless ones for a crisis. It knows "
    "English best; in German, French and Spanish it misses more. It can miss what you mean: if "
    "you are in danger, call your local emergency number or a crisis line."
)
