"""The crisis check on what a person writes in the journal. A journal is where someone may write
what they would say to nobody else, so on a hit the calm words and the helplines of their region
are offered: after saving, never instead of it, and before the model is asked to read the text.
They are offered once per entry, check-in or record in an unlock, not again at every pause in
typing. Plain Python: the page says how to ask (a dialog), the jobs where the check runs."""

from __future__ import annotations

from collections.abc import Callable

from app.jobs import Jobs
from app.journal.safety import SafetyResult, check

# Offers the crisis words for `result`; the person then chooses to go on, or not now.
Ask = Callable[[SafetyResult, Callable[[], None], Callable[[], None]], None]


class JournalCare:
    def __init__(self, jobs: Jobs, ask: Ask) -> None:
        self._jobs = jobs
        self._ask = ask
        self._offered: set[str] = set()  # keys of what the crisis words were offered for

    def care_for(self, key: str, text: str, then: Callable[[], None] | None = None, *,
                 on_hold: Callable[[], None] | None = None) -> None:
        """Check `text` (what `key` names, e.g. "entry:<id>") off the thread that shows things.
        `then`, when given, is the model about to read it: on a hit it waits for the person's
        choice, and `on_hold` runs if they choose not now. Without `then` (a save: it is done
        already) the words are offered, once."""
        def checked(result: SafetyResult) -> None:
            if not result.flagged or key in self._offered:
                if then is not None:
                    then()
                return
            if then is None:
                self._offered.add(key)

            def carry_on() -> None:
                self._offered.add(key)
                if then is not None:
                    then()

            self._ask(result, carry_on, on_hold or (lambda: None))

        if text.strip():
            self._jobs.submit(lambda: check(text), checked, "checking what you wrote")
        elif then is not None:
            then()

    def forget(self) -> None:
        """The vault locked: after the next unlock the words are offered again."""
        self._offered.clear()
