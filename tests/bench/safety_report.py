"""Report (not a test) of the crisis-language check on its two sets: the tuning set
(tests/journal/safety_phrases.toml, which the patterns were written with) and the blind split
(tests/journal/safety_blind.toml, written from the category definitions only, never tuned on).
Recall on the positives and the false-positive rate on the hard negatives, per language, per
category and per kind of negative, for the patterns alone, the learned detector alone and the whole
net; the time one check of the whole net takes. For the tuning set it also prints the id and text of
every miss and false positive of the whole net; for the blind split only their ids, so that nobody
tunes on its texts by reading them here.

    .venv/bin/python tests/bench/safety_report.py [--set tuning|blind|both]
    .venv/bin/python -m tests.bench.safety_report     (the same)

Context cases (a short message only clear after the one or two before it) are judged with their
earlier messages, as the chat judges a message."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.journal.detector import Judgement, detector
from app.journal.safety import CATEGORIES, SafetyResult, check, check_patterns, combine

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SETS = Path(__file__).resolve().parents[1] / "journal"
PHRASES = SETS / "safety_phrases.toml"
BLIND = SETS / "safety_blind.toml"


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    text: str
    categories: tuple[str, ...]  # empty for a negative
    kind: str = ""  # a negative's kind in the blind split (idiom, fiction, past, ...)
    context: tuple[str, ...] = ()  # the messages before it, oldest first


@dataclass(frozen=True)
class Outcome:
    case: Case
    flagged: bool
    categories: tuple[str, ...]

    @property
    def categories_right(self) -> bool:
        return set(self.case.categories) <= set(self.categories)


NETS = ("patterns", "detector", "both")


def load_cases(path: Path = PHRASES) -> tuple[list[Case], list[Case]]:
    """(positives, negatives)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    positives = [Case(c["id"], c["lang"], c["text"], tuple(c["categories"]),
                      context=_context(c)) for c in data["positive"]]
    negatives = [Case(c["id"], c["lang"], c["text"], (), c.get("kind", ""), _context(c))
                 for c in data["negative"]]
    return positives, negatives


def _context(case: dict[str, object]) -> tuple[str, ...]:
    # The tuning set's `context` names a topic ("programming"), not earlier messages.
    context = case.get("context", [])
    return tuple(str(m) for m in context) if isinstance(context, list) else ()


def run(cases: Sequence[Case]) -> dict[str, list[Outcome]]:
    """Each net's outcome for every case, the layers judged once and combined as check() does."""
    learned = detector()
    outcomes: dict[str, list[Outcome]] = {net: [] for net in NETS}
    for case in cases:
        patterns = check_patterns(case.text)
        judgement: Judgement = learned.judge(case.text, case.context)
        results: dict[str, SafetyResult] = {
            "patterns": patterns,
            "detector": combine(None, judgement, learned.thresholds),
            "both": combine(patterns, judgement, learned.thresholds),
        }
        for net, result in results.items():
            outcomes[net].append(Outcome(case, result.flagged, result.categories))
    return outcomes


def time_per_check(cases: Sequence[Case]) -> tuple[float, float]:
    """Median and slowest milliseconds of check() over these cases, the detector loaded."""
    check("warm up")
    times = []
    for case in cases:
        started = time.perf_counter()
        check(case.text, case.context)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[-1]


def rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def flagged_share(outcomes: Sequence[Outcome]) -> float:
    """Recall over positives; the false-positive rate over negatives."""
    return rate(sum(o.flagged for o in outcomes), len(outcomes))


def report(name: str, path: Path, *, show_texts: bool) -> None:
    positives, negatives = load_cases(path)
    median_ms, slowest_ms = time_per_check(positives + negatives)
    flagged, cleared = run(positives), run(negatives)
    print(f"== {name}: {path.name}")
    print(f"positives {len(positives)}, negatives {len(negatives)}; the whole net takes "
          f"{median_ms:.1f} ms per check (median; slowest {slowest_ms:.0f} ms)")
    print(f"\n{'':22}" + "".join(f"{net:>18}" for net in NETS))
    print(f"{'':22}" + "  recall  false-pos" * len(NETS))
    _row("all", [(flagged[net], cleared[net]) for net in NETS])
    for lang in sorted({case.lang for case in positives + negatives}):
        _row(lang, [([o for o in flagged[net] if o.case.lang == lang],
                     [o for o in cleared[net] if o.case.lang == lang]) for net in NETS])
    for category in CATEGORIES:
        _row(category, [([o for o in flagged[net] if category in o.case.categories], [])
                        for net in NETS])
    for kind in sorted({case.kind for case in negatives if case.kind}):
        _row(f"negatives: {kind}", [([], [o for o in cleared[net] if o.case.kind == kind])
                                    for net in NETS])
    _row("context cases", [([o for o in flagged[net] if o.case.context],
                            [o for o in cleared[net] if o.case.context]) for net in NETS])
    both = [o for o in flagged["both"] if o.flagged]
    right = rate(sum(o.categories_right for o in both), len(both))
    print(f"\nthe whole net names the expected categories for {right:.3f} of the positives "
          "it flags")
    misses = [o for o in flagged["both"] if not o.flagged]
    wrong_category = [o for o in flagged["both"] if o.flagged and not o.categories_right]
    false_positives = [o for o in cleared["both"] if o.flagged]
    if not show_texts:  # the blind split: ids only
        for label, found in (("misses", misses), ("false positives", false_positives)):
            print(f"{label} ({len(found)}): {' '.join(o.case.id for o in found)}")
        print()
        return
    print(f"\nmisses ({len(misses)}):")
    for o in misses:
        print(f"  {o.case.id}: {o.case.text}")
    print(f"flagged under another category ({len(wrong_category)}):")
    for o in wrong_category:
        print(f"  {o.case.id}: expected {', '.join(o.case.categories)}, got "
              f"{', '.join(o.categories)}: {o.case.text}")
    print(f"false positives ({len(false_positives)}):")
    for o in false_positives:
        print(f"  {o.case.id} [{', '.join(o.categories)}]: {o.case.text}")
    print()


def _row(label: str, columns: Sequence[tuple[Sequence[Outcome], Sequence[Outcome]]]) -> None:
    """One line: each net's recall over the positives and false-positive rate over the negatives
    given (blank where none), with how many there were."""
    positives, negatives = len(columns[0][0]), len(columns[0][1])
    cells = ""
    for p, n in columns:
        cells += (f"{flagged_share(p):>8.3f}" if p else f"{'':>8}") + \
                 (f"{flagged_share(n):>10.3f}" if n else f"{'':>10}")
    print(f"  {label:<20}{cells}   ({positives} / {negatives})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("tuning", "blind", "both"), default="both")
    chosen = parser.parse_args().set
    if chosen in ("tuning", "both"):
        report("tuning set", PHRASES, show_texts=True)
    if chosen in ("blind", "both"):
        report("blind split", BLIND, show_texts=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
