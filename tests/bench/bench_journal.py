"""Benchmark (not a test) of the journal page, offscreen, over a real vault with three years of use:
1,000 entries and 1,000 mood check-ins. It measures opening the page after unlocking (until every
list and the chart are filled and the event loop is idle), drawing the mood chart in each span,
showing one day from the calendar, and the longest event-loop stall while a person types into an
entry that saves itself at each pause.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_journal.py"""

from __future__ import annotations

import datetime
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.journal.page import JournalPage
from app.vault.store import Vault
from tests.vault.conftest import floor_kdf

ENTRIES = 1_000
CHECKINS = 1_000
TYPED = "Walked by the river after work and felt lighter than I have in weeks. " * 3
PROBE_MS = 5


def fill(path: Path) -> None:
    chance = random.Random(1)
    today = datetime.date.today()
    with Vault.create(path, "bench passphrase", kdf=floor_kdf()) as vault:
        for number in range(ENTRIES):
            day = (today - datetime.timedelta(days=number)).isoformat()
            vault.journal.add(TYPED * chance.randint(1, 4), title=f"Day {number}",
                              tags=("bench",), day=day)
        for number in range(CHECKINS):
            day = (today - datetime.timedelta(days=number)).isoformat()
            vault.checkins.add(chance.randint(0, 10), emotions=[("calm", 50)], day=day)


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def idle_after(start: float, done: Callable[[], bool]) -> float:
    """Seconds from `start` until `done()` holds, checked between events."""
    while not done():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    QApplication.processEvents()
    return time.perf_counter() - start


def longest_stall(action_s: float, act: Callable[[], None]) -> float:
    """The largest gap (ms) between ticks of a 5 ms timer while `act()` is called every 60 ms."""
    clock = QElapsedTimer()
    gaps: list[int] = []
    probe = QTimer(interval=PROBE_MS)
    probe.timeout.connect(lambda: (gaps.append(clock.restart())))
    actor = QTimer(interval=60)
    actor.timeout.connect(act)
    clock.start()
    probe.start()
    actor.start()
    wait(int(action_s * 1000))
    probe.stop()
    actor.stop()
    return float(max(gaps[1:]))


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vault.db"
        fill(path)
        jobs = TaskThread("vault")
        engine = EngineHost()
        opened: list[Vault] = []

        def unlocked() -> Vault:
            vault = Vault.open(path)
            vault.unlock("bench passphrase")
            return vault

        jobs.submit(unlocked, opened.append)
        idle_after(time.perf_counter(), lambda: bool(opened))
        vault = opened[0]

        page = JournalPage(jobs, engine)
        page.resize(1200, 780)
        page.show()
        start = time.perf_counter()
        page.open_vault(vault)
        chart = page.mood.chart
        open_s = idle_after(start, lambda: page.entries.list.count() == ENTRIES
                            and bool(chart.points()) and jobs.pending == 0)
        page.tabs.setCurrentIndex(1)
        paints = {}
        for span in ("days", "weeks", "months"):
            chart.set_span(span)
            times = []
            for _ in range(10):
                begin = time.perf_counter()
                chart.grab()
                times.append(time.perf_counter() - begin)
            paints[span] = statistics.median(times) * 1000
        page.tabs.setCurrentIndex(0)
        day = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
        begin = time.perf_counter()
        page.entries.show_day(day)
        app.processEvents()
        day_ms = (time.perf_counter() - begin) * 1000
        page.entries.show_every_day()
        page.entries.editor.start_new(datetime.date.today().isoformat())
        letters = iter(TYPED * 20)
        editor = page.entries.editor.text
        ticks = iter(range(10**6))

        def type_in_bursts() -> None:  # a second of typing, then a pause long enough to save
            if next(ticks) % 35 < 17:
                editor.insertPlainText(next(letters))

        typing = longest_stall(8.0, type_in_bursts)
        idle_after(time.perf_counter(), lambda: jobs.pending == 0)

        print(f"journal: {ENTRIES} entries, {CHECKINS} mood check-ins")
        print(f"open the page after unlocking, until idle: {open_s * 1000:.0f} ms")
        for span, ms in paints.items():
            print(f"draw the mood chart ({span}): {ms:.1f} ms")
        print(f"show one day from the calendar: {day_ms:.1f} ms")
        print(f"longest stall while typing (autosave at each pause): {typing:.0f} ms")
        page.clear()
        jobs.submit(vault.close)
        jobs.stop()
        engine.shut_down()


if __name__ == "__main__":
    main()
