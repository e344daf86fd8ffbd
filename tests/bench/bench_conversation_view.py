"""Benchmark (not a test) of the conversation view, offscreen: showing a 1,000-message conversation
until the event loop is idle, scrolling from the bottom to the top page by page (with every "Show
earlier messages" load on the way), and the longest event-loop stall while a reply streams in at
300 pieces/s for 5 s (the largest gap between ticks of a 5 ms timer).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_conversation_view.py"""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QScrollArea

from app.ui.chat.conversation_view import PAGE_SIZE, ConversationView
from app.ui.chat.message_widget import MessageWidget
from app.vault.records import Message

PIECES_PER_S = 300
STREAM_S = 5.0
PROBE_MS = 5

QUESTIONS = ["How can I stop worrying about the deadline tomorrow?",
             "Can you write a small script that renames my journal files by date?",
             "What is a thought record, and how do I fill one in?",
             "Thanks, that helps. One more: how do I keep a *calm* morning routine?"]
REPLIES = [
    "It makes sense to feel **worried** before a deadline. A few things can help:\n\n"
    "1. Write down what is left, in small steps.\n2. Pick the *first* step and start it.\n"
    "3. Plan a short break.\n\nYou do not have to finish everything tonight; you only have to "
    "know what comes next. If the worry keeps you awake, note it down and return to it tomorrow.",
    "Here is a small Python script:\n\n```python\nfrom datetime import date\nfrom pathlib import "
    "Path\n\n\ndef rename_by_date(folder: Path) -> int:\n    \"\"\"Prefix each .md file with the "
    "day it was last changed.\"\"\"\n    count = 0\n    for note in sorted(folder.glob(\"*.md\")):\n"
    "        day = date.fromtimestamp(note.stat().st_mtime).isoformat()\n        if not note.name"
    ".startswith(day):\n            note.rename(note.with_name(f\"{day} {note.name}\"))\n"
    "            count += 1\n    return count\n```\n\nRun it with:\n\n```bash\npython rename.py "
    "~/journal\n```\n\nIt only renames files that do not start with a date yet.",
    "## Thought records\n\nA thought record has a few columns:\n\n- **Situation**: what happened\n"
    "- **Thought**: what went through your mind\n- **Feelings**: and how strong (0-100)\n"
    "- **Evidence** for and against the thought\n- **Balanced thought**\n\nTake one situation "
    "from this week and fill in each column. It is fine if the balanced thought feels only a "
    "little more true at first.",
    "A calm morning often starts the evening before. Lay out what you need, and keep the first "
    "ten minutes free of screens. Then:\n\n- a glass of water\n- a few slow breaths, in for four "
    "and out for six\n- one line in your journal about how you feel\n\n> Small steps, repeated, "
    "are what make a routine.",
]


# A reply long enough for the whole stream, in pieces of about one token (4 characters).
_REPLY = "\n\n".join(REPLIES[n % 4] for n in range(24))
REPLY_PIECES = [_REPLY[at:at + 4] for at in range(0, int(PIECES_PER_S * STREAM_S) * 4, 4)]


def conversation(size: int) -> list[Message]:
    made = []
    for number in range(size):
        turn = number // 2
        if number % 2 == 0:
            made.append(Message(f"m{number}", "c", "user", QUESTIONS[turn % 4], None, {}, ""))
        else:
            stats: dict[str, object] = {"completion_tokens": 120 + turn % 200,
                                        "decode_tokens_per_s": 38.5}
            made.append(Message(f"m{number}", "c", "assistant", REPLIES[turn % 4], "smol",
                                stats, "", ("an earlier answer",) if turn % 9 == 0 else ()))
    return made


def settle(app: QApplication) -> None:
    """Run the event loop until a pass over it finds (almost) nothing to do."""
    while True:
        started = time.perf_counter()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        if time.perf_counter() - started < 0.002:
            return


def run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def stalls(seconds: float, during: QTimer | None = None) -> list[float]:
    """Gaps in ms between ticks of a PROBE_MS timer while the event loop runs for `seconds`."""
    clock = QElapsedTimer()
    ticks: list[int] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(lambda: ticks.append(clock.nsecsElapsed()))
    clock.start()
    probe.start()
    if during is not None:
        during.start()
    run_for(seconds)
    probe.stop()
    if during is not None:
        during.stop()
    return [(later - earlier) / 1e6 for earlier, later in zip(ticks, ticks[1:], strict=False)]


def stream_into(app: QApplication, view: ConversationView, setting: str) -> None:
    """PIECES_PER_S pieces a second for STREAM_S, while a PROBE_MS timer measures the stalls."""
    clock = QElapsedTimer()
    sent = 0

    def feed() -> None:
        nonlocal sent
        due = min(int(clock.elapsed() / 1000 * PIECES_PER_S), len(REPLY_PIECES))
        while sent < due:
            view.add_reply_text(REPLY_PIECES[sent])
            sent += 1

    feeder = QTimer()
    feeder.setTimerType(Qt.TimerType.PreciseTimer)
    feeder.setInterval(2)
    feeder.timeout.connect(feed)
    view.start_reply()
    clock.start()
    gaps = stalls(STREAM_S, during=feeder)
    settle(app)
    print(f"streaming {sent} pieces ({sum(map(len, REPLY_PIECES[:sent]))} characters) over "
          f"{STREAM_S:.0f} s into {setting}: {view.reply_render_count} renders; {PROBE_MS} ms "
          f"timer gaps: median {statistics.median(gaps):4.1f} ms, "
          f"p99 {sorted(gaps)[int(len(gaps) * 0.99)]:5.1f} ms, longest {max(gaps):5.1f} ms")


def main() -> int:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    view = ConversationView()
    view.resize(900, 800)
    view.show()
    settle(app)
    messages = conversation(1000)

    started = time.perf_counter()
    view.show_messages(messages)
    settle(app)
    shown_s = time.perf_counter() - started
    widgets = len(view.findChildren(MessageWidget))
    print(f"show a 1,000-message conversation (its newest {widgets} as widgets) until idle: "
          f"{1000 * shown_s:7.1f} ms")

    scroll = view.findChild(QScrollArea)
    assert isinstance(scroll, QScrollArea)
    bar = scroll.verticalScrollBar()
    pages: list[float] = []
    loads: list[float] = []
    started = time.perf_counter()
    while bar.value() > bar.minimum() or view.earlier_button.isVisible():
        step = time.perf_counter()
        if bar.value() > bar.minimum():
            bar.triggerAction(bar.SliderAction.SliderPageStepSub)
            settle(app)
            pages.append(time.perf_counter() - step)
        else:
            view.earlier_button.click()
            settle(app)
            loads.append(time.perf_counter() - step)
    scrolled_s = time.perf_counter() - started
    print(f"scroll bottom to top, all 1,000 shown: {scrolled_s:6.2f} s in {len(pages)} page steps "
          f"(median {1000 * statistics.median(pages):5.1f} ms, worst {1000 * max(pages):6.1f} ms) "
          f"and {len(loads)} loads of earlier messages (median "
          f"{1000 * statistics.median(loads):6.1f} ms, worst {1000 * max(loads):6.1f} ms)")

    bar.triggerAction(bar.SliderAction.SliderToMaximum)
    settle(app)
    idle = stalls(1.0)
    print(f"idle event loop, {PROBE_MS} ms timer: longest gap {max(idle):5.1f} ms")

    stream_into(app, view, "all 1,000 messages shown")
    started = time.perf_counter()
    view.finish_reply(Message("reply", "c", "assistant", "".join(REPLY_PIECES), "smol",
                              {"completion_tokens": len(REPLY_PIECES)}, ""))
    settle(app)
    print(f"finish_reply (final render, footer, actions) until idle: "
          f"{1000 * (time.perf_counter() - started):6.1f} ms")

    fresh = ConversationView()
    fresh.resize(900, 800)
    fresh.show()
    fresh.show_messages(messages)
    settle(app)
    stream_into(app, fresh, f"a fresh view, newest {PAGE_SIZE} shown")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
