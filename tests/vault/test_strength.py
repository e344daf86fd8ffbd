"""The passphrase meter's estimate: what people commonly choose scores low, random words score
high, and every result says what to do next."""

from __future__ import annotations

import pytest

from app.vault.strength import LABELS, MIN_ACCEPTABLE_SCORE, passphrase_strength


@pytest.mark.parametrize("passphrase", [
    "password", "Password1!", "P@ssw0rd", "12345678", "aaaaaaaa", "qwertyuiop", "abcabcabc",
    "iloveyou2024", "Summer2024!", "zxcvbnm123", "password password password",
])
def test_common_and_patterned_passwords_are_too_weak(passphrase: str) -> None:
    strength = passphrase_strength(passphrase)
    assert strength.score == 0
    assert strength.label == "too weak"
    assert not strength.acceptable


def test_four_random_words_are_strong_and_five_very_strong() -> None:
    four = passphrase_strength("correct horse battery staple")
    assert (four.score, four.label) == (3, "strong")
    assert four.acceptable
    five = passphrase_strength("correct horse battery staple orbit")
    assert (five.score, five.label) == (4, "very strong")


def test_more_words_are_stronger_and_three_are_just_enough() -> None:
    scores = [passphrase_strength(" ".join(["correct", "horse", "battery", "staple", "orbit"][:n]))
              .score for n in range(1, 6)]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert passphrase_strength("correct horse battery").score == MIN_ACCEPTABLE_SCORE


def test_a_phrase_counts_words_not_letters() -> None:
    # 28 lowercase letters and spaces would be ~130 bits as random characters; as four words
    # they are ~52, which is what an attacker with a word list faces.
    assert passphrase_strength("correct horse battery staple").bits < 60


def test_repeating_a_word_adds_almost_nothing() -> None:
    assert passphrase_strength("horse horse horse horse").score == 0
    assert passphrase_strength("horse horse horse horse").bits < passphrase_strength(
        "horse battery").bits


def test_random_characters_score_by_length_and_kinds() -> None:
    assert passphrase_strength("qjxmtbrv").score == 2
    assert passphrase_strength("Xk9#mQ2vpL7$").score == 4


def test_short_passphrases_are_never_acceptable_and_say_so() -> None:
    short = passphrase_strength("k#9Lm!2")  # random, but only seven characters
    assert short.score < MIN_ACCEPTABLE_SCORE
    assert "at least 8 characters" in short.hint


def test_hints_name_the_weakness() -> None:
    assert "most used passwords" in passphrase_strength("mypassword").hint
    assert "sequences" in passphrase_strength("12345678").hint
    assert "more words" in passphrase_strength("blue 7 sky").hint
    assert passphrase_strength("").hint.startswith("Choose a passphrase")


def test_every_result_is_labelled_and_hinted() -> None:
    for text in ["", "a", "password", "qjxmtbrv", "correct horse battery staple",
                 "émile zola ça va bien ici", "🙂🙂🙂 moon rocket garden"]:
        strength = passphrase_strength(text)
        assert 0 <= strength.score <= 4
        assert strength.label == LABELS[strength.score]
        assert strength.hint
