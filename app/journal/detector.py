"""The learned half of the safety net: reads what a text means (app/journal/sentence_embedding.py)
and says how likely it is that its writer is in crisis, and in which CATEGORIES.

Its weights (resources/safety/detector.npz) are trained by packaging/train_safety_detector.py from
the labelled examples in this repository, one set per embedder: a kernel classifier for "is this a
crisis" (support vectors, their weights, gamma, intercept) and a linear one per category for "which
kind". The thresholds in the same file were chosen on those examples' cross-validated scores.

A text is scored as a whole and, when it has several sentences, in windows of WINDOW sentences, so
that one sentence of crisis in a long journal entry is not drowned by the rest; the score is the
highest. (Clause by clause was tried too: the clauses of harmless texts read as crises alone so
often that the thresholds had to rise, and cross-validated recall fell from 0.74 to 0.28.) A
message is also scored with the one or two before it (`with_context`): "I've decided." after "I
keep thinking about ending it" is a plan. Nothing here keeps or logs a text."""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import MiniGiantsError
from app.journal.sentence_embedding import Embedder, embedder
from app.resource_files import RESOURCES

WEIGHTS_FILE = RESOURCES / "safety" / "detector.npz"
CATEGORIES = ("suicide", "self_harm", "harm_to_others", "abuse")
WINDOW = 2  # sentences per window: one sentence and the next, so "...that was years ago" counts
CONTEXT_MESSAGES = 2
REMEMBERED_PASSAGES = 2048  # about 7 MB of vectors
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


class DetectorDataInvalid(MiniGiantsError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The safety check's learned detector cannot be used: {reason}.",
            "Reinstall Mini-Giants; the file that came with it is missing or was changed.",
        )


@dataclass(frozen=True)
class Thresholds:
    alone: float  # the detector flags on its own from here
    keep_pattern: float  # below this, a pattern's hit is taken back (an idiom, fiction, the past)
    category: float  # a category is named from this probability


@dataclass(frozen=True)
class Judgement:
    score: float  # the kernel classifier's decision value: above 0 leans to crisis
    categories: tuple[str, ...]  # the likeliest kinds, in CATEGORIES order; never empty


@dataclass(frozen=True)
class DetectorWeights:
    support: np.ndarray  # (n, d) support vectors
    dual: np.ndarray  # (n,) their weights
    gamma: float
    intercept: float
    category_weights: np.ndarray  # (d, len(CATEGORIES))
    category_bias: np.ndarray  # (len(CATEGORIES),)
    thresholds: Thresholds

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        distances = (np.sum(vectors * vectors, axis=1)[:, None]
                     + np.sum(self.support * self.support, axis=1)[None, :]
                     - 2.0 * vectors @ self.support.T)
        return np.exp(-self.gamma * np.maximum(distances, 0.0)) @ self.dual + self.intercept

    def category_probabilities(self, vector: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(vector @ self.category_weights + self.category_bias)))


class Detector:
    """Keeps the vectors of the passages it read lately, so that a journal entry checked again at
    every pause in typing embeds only what changed (a long entry is a hundred windows: seconds).
    In memory only, keyed by a hash, and dropped when the vault locks (`forget`)."""

    def __init__(self, embedding: Embedder, weights: DetectorWeights) -> None:
        self.embedding = embedding
        self.weights = weights
        self._recent: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._forgotten = 0  # a check already under way when the vault locks keeps nothing

    def forget(self) -> None:
        with self._lock:
            self._recent.clear()
            self._forgotten += 1

    @property
    def remembered(self) -> int:
        return len(self._recent)

    def _vectors(self, passages: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(passage.encode()).digest() for passage in passages]
        with self._lock:
            known = {key: self._recent[key] for key in keys if key in self._recent}
            started = self._forgotten
        missing = [i for i, key in enumerate(keys) if key not in known]
        if missing:
            for i, vector in zip(missing, self.embedding.embed([passages[i] for i in missing])):
                known[keys[i]] = vector
        with self._lock:
            if self._forgotten != started:
                return np.stack([known[key] for key in keys])
            for key in keys:
                self._recent[key] = known[key]
                self._recent.move_to_end(key)
            while len(self._recent) > REMEMBERED_PASSAGES:
                self._recent.popitem(last=False)
        return np.stack([known[key] for key in keys])

    @property
    def thresholds(self) -> Thresholds:
        return self.weights.thresholds

    def judge(self, text: str, context: Sequence[str] = ()) -> Judgement:
        """The highest score among the text's windows and, with context, the last
        CONTEXT_MESSAGES messages joined to it; the categories of the passage that scored it."""
        joined = with_context(text, context)
        candidates = [*windows(text), *([joined] if context else [])]
        vectors = self._vectors(candidates)
        scores = self.weights.scores(vectors)
        best = int(np.argmax(scores))
        probabilities = self.weights.category_probabilities(vectors[best])
        named = tuple(name for name, p in zip(CATEGORIES, probabilities)
                      if p >= self.thresholds.category)
        return Judgement(float(scores[best]),
                         named or (CATEGORIES[int(np.argmax(probabilities))],))


def forget_recent() -> None:
    """What the detector read lately is dropped (the vault locks); it is not loaded for this."""
    if detector.cache_info().currsize:
        detector().forget()


def windows(text: str) -> list[str]:
    """The whole text, then every run of WINDOW sentences when it has more than WINDOW."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s and s.strip()]
    whole = " ".join(text.split())
    if len(sentences) <= WINDOW:
        return [whole]
    return [whole, *(" ".join(sentences[i:i + WINDOW])
                     for i in range(len(sentences) - WINDOW + 1))]


def with_context(text: str, context: Sequence[str]) -> str:
    """The text after the last CONTEXT_MESSAGES messages before it, as one passage: a line each,
    so that no pattern runs on from one message into the next."""
    return "\n".join([*(m.strip() for m in context[-CONTEXT_MESSAGES:]), text.strip()]).strip()


@functools.lru_cache(maxsize=1)
def detector() -> Detector:
    """The detector for this machine's embedder, loaded once per process."""
    embedding = embedder()
    return Detector(embedding, load_weights(WEIGHTS_FILE, embedding.name))


def examples_fingerprint(paths: Sequence[Path]) -> str:
    """What the weights were trained on: the example files' names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_weights(path: Path, embedder_name: str) -> DetectorWeights:
    try:
        with path.open("rb") as file, np.load(file, allow_pickle=False) as data:
            arrays = {key.split("/", 1)[1]: data[key] for key in data.files
                      if key.startswith(f"{embedder_name}/")}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DetectorDataInvalid(f"{path.name} cannot be read ({error})") from None
    try:
        thresholds = arrays["thresholds"]
        return DetectorWeights(
            support=arrays["support"].astype(np.float32),
            dual=arrays["dual"].astype(np.float32),
            gamma=float(arrays["gamma"]),
            intercept=float(arrays["intercept"]),
            category_weights=arrays["category_weights"].astype(np.float32),
            category_bias=arrays["category_bias"].astype(np.float32),
            thresholds=Thresholds(*(float(value) for value in thresholds)),
        )
    except (KeyError, TypeError, ValueError):
        raise DetectorDataInvalid(f"{path.name} has no complete weights for {embedder_name}"
                                  ) from None
