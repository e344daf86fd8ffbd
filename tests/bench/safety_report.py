"""Report (not a test) of the crisis-language check on its two sets: the tuning set
(tests/journal/safety_phrases.toml, which the patterns were written with) and the blind split
(tests/journal/safety_blind.toml, written from the category definitions only, never tuned on).
Recall on the positives and the false-positive rate on the hard negatives, per language, per
category and per kind of negative; the time one check takes. For the tuning set it also prints the
id and text of every miss and false positive; for the blind split only their ids, so that nobody
tunes on its texts by reading them here.

    .venv/bin/python tests/bench/safety_report.py [--set tuning|blind|both]
    .venv/bin/python -m tests.bench.safety_report     (the same)

Context cases (a short message only clear after the one or two before it) are judged on their last
message alone until the net reads context."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.journal.safety import CATEGORIES, check

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


def load_cases(path: Path = PHRASES) -> tuple[list[Case], list[Case]]:
    """(positives, negatives)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    positives = [Case(c["id"], c["lang"], c["text"], tuple(c["categories"]),
                      context=tuple(c.get("context", ()))) for c in data["positive"]]
    negatives = [Case(c["id"], c["lang"], c["text"], (), c.get("kind", ""),
                      tuple(c.get("context", ()))) for c in data["negative"]]
    return positives, negatives


def run(cases: Sequence[Case]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        result = check(case.text)
        outcomes.append(Outcome(case, result.flagged, result.categories))
    return outcomes


def rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def flagged_share(outcomes: Sequence[Outcome]) -> float:
    """Recall over positives; the false-positive rate over negatives."""
    return rate(sum(o.flagged for o in outcomes), len(outcomes))


def report(name: str, path: Path, *, show_texts: bool) -> None:
    positives, negatives = load_cases(path)
    started = time.perf_counter()
    flagged, cleared = run(positives), run(negatives)
    per_check_ms = (time.perf_counter() - started) * 1000 / (len(positives) + len(negatives))
    print(f"== {name}: {path.name}")
    print(f"positives {len(positives)}, negatives {len(negatives)}, {per_check_ms:.2f} ms per check")
    print(f"recall               {flagged_share(flagged):.3f}")
    print(f"false-positive rate  {flagged_share(cleared):.3f}")
    print("\nper language          recall    false-positive rate")
    for lang in sorted({case.lang for case in positives + negatives}):
        ours = [o for o in flagged if o.case.lang == lang]
        theirs = [o for o in cleared if o.case.lang == lang]
        print(f"  {lang}  {len(ours):>4} / {len(theirs):>4}   {flagged_share(ours):.3f}     "
              f"{flagged_share(theirs):.3f}")
    print("\nper category          recall    category reported")
    for category in CATEGORIES:
        ours = [o for o in flagged if category in o.case.categories]
        right = rate(sum(o.categories_right for o in ours), len(ours))
        print(f"  {category:<16} {len(ours):>4}   {flagged_share(ours):.3f}     {right:.3f}")
    kinds = sorted({o.case.kind for o in cleared if o.case.kind})
    if kinds:
        print("\nper kind of negative  false-positive rate")
        for kind in kinds:
            theirs = [o for o in cleared if o.case.kind == kind]
            print(f"  {kind:<16} {len(theirs):>4}   {flagged_share(theirs):.3f}")
    with_context = [o for o in flagged + cleared if o.case.context]
    if with_context:
        print(f"\ncontext cases: {len(with_context)}, judged right "
              f"{rate(sum(o.flagged == bool(o.case.categories) for o in with_context), len(with_context)):.3f}")
    misses = [o for o in flagged if not o.flagged]
    wrong_category = [o for o in flagged if o.flagged and not o.categories_right]
    false_positives = [o for o in cleared if o.flagged]
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
