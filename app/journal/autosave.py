"""Save as you type, for the journal's editors (an entry, a thought record). An edit waits for a
pause in typing, then one save is on its way at a time: what is typed meanwhile goes into the next
one, and a save that failed leaves the edit waiting for the next try, so nothing typed is lost and
no two saves of the same thing race. Plain Python: the editor owns the timer for the pause and
says in its own words what `state` is."""

from __future__ import annotations

from typing import Literal

State = Literal["", "waiting", "saving", "saved", "failed"]


class Autosave:
    def __init__(self) -> None:
        self.state: State = ""
        self._edited = False  # an edit not yet on its way to the vault
        self._saving = False
        self._saving_other = False  # the save on its way is of something no longer shown

    def edited(self) -> None:
        """Something changed: save it after the next pause in typing."""
        self._edited = True
        if not self.saving_shown:
            self.state = "waiting"

    def begin(self) -> bool:
        """Whether a save goes now (there is an edit and no save on its way); if so, it is on its
        way from here on, with everything edited so far."""
        if not self._edited or self._saving:
            return False
        self._edited, self._saving, self._saving_other = False, True, False
        self.state = "saving"
        return True

    @property
    def saving_shown(self) -> bool:
        """Whether the save on its way is of what is shown now: only then does what the vault
        gives back (a new entry's id) belong to the editor."""
        return self._saving and not self._saving_other

    def landed(self) -> bool:
        """The save is stored. True when more was edited meanwhile: save again after a pause."""
        self._saving = self._saving_other = False
        self.state = "waiting" if self._edited else "saved"
        return self._edited

    def failed(self) -> None:
        """The save did not land: its edits wait for the next try."""
        self._saving = False
        self._edited = True
        self.state = "failed"

    def show_another(self) -> None:
        """The editor shows something else (its edits were offered for saving first). A save
        still on its way keeps the next one waiting, but what it gives back is not for this."""
        self._edited = False
        self._saving_other = self._saving
        self.state = ""

    def forget(self) -> None:
        """The vault locked: answers on their way are dropped, and nothing is waiting."""
        self._edited = self._saving = self._saving_other = False
        self.state = ""
