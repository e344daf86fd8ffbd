"""How hard a passphrase is to guess, for the meter shown while a person chooses one.

The estimate is in bits, as an attacker who knows people's habits would count them: a very common
password costs a few bits however long it is, a run like "aaaa" or "1234" about as much as its first
character, and a phrase of several words about 13 bits a word (a word picked at random from a
7,776-word list), however many letters it has. Everything else is costed as brute force over the
kinds of characters used. It errs on the generous side for a random-looking string that is really a
dictionary word (there is no dictionary here), which is why the hints steer towards random words.

The vault's Argon2id settings make each guess expensive (a tenth of a second or more of a CPU core,
64 MiB or more), so "fair" (36 bits) already takes an attacker with dedicated hardware months and
"strong" (50 bits) millennia."""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass

LABELS = ("too weak", "weak", "fair", "strong", "very strong")
MIN_ACCEPTABLE_SCORE = 2  # the least a new vault passphrase may score
MIN_LENGTH = 8  # shorter than this is weak whatever it is made of
WORD_BITS = math.log2(7776)  # one word at random from a diceware list
_SCORE_BITS = (25.0, 36.0, 50.0, 64.0)  # the bits that reach score 1, 2, 3 and 4
_RUN_MIN = 3  # "aaa", "abc", "321" count as runs; two characters do not
_COMMON_MIN = 4  # the shortest common password looked for inside a longer text
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "qazwsxedcrfvtgbyhnujmikolp")
_YEAR = re.compile(r"(19|20)\d\d")
_WORD_SEPARATORS = re.compile(r"[\s\-_.,;:+/|]+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i"})
# From the most-used-password lists; a leaked-password attack tries these (and their leet and
# capitalised forms) first, so each is worth about log2(len) bits, wherever it appears.
_COMMON_PASSWORDS = (
    "password", "passwort", "motdepasse", "qwerty", "azerty", "letmein", "dragon", "monkey",
    "football", "baseball", "soccer", "hockey", "iloveyou", "admin", "administrator", "welcome",
    "sunshine", "princess", "master", "shadow", "superman", "batman", "trustno1", "abc123",
    "login", "starwars", "hello", "freedom", "whatever", "michael", "jessica", "charlie",
    "jordan", "hunter", "ranger", "buster", "killer", "george", "andrew", "thomas", "tigger",
    "robert", "access", "secret", "summer", "winter", "spring", "autumn", "flower", "cookie",
    "pepper", "ginger", "cheese", "computer", "internet", "samsung", "apple", "google",
    "pokemon", "matrix", "mustang", "harley", "maggie", "ashley", "daniel", "nicole",
    "jennifer", "hannah", "biteme", "blahblah", "changeme", "default", "guest", "root",
    "test", "pass", "love", "lovely", "angel", "baby", "family", "friend", "money", "orange",
    "purple", "banana", "chocolate", "butterfly", "liverpool", "chelsea", "arsenal", "barcelona",
    "secure", "private", "mypass", "opensesame", "zaq12wsx", "1q2w3e4r", "q1w2e3r4", "1qaz2wsx",
)
_COMMON = frozenset(word.translate(_LEET) for word in _COMMON_PASSWORDS)
_COMMON_BITS = math.log2(len(_COMMON))
_LONGEST_COMMON = max(len(word) for word in _COMMON)


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (too weak) to 4 (very strong)
    label: str
    hint: str  # what to do about it, in a person's words
    bits: float  # the guessing effort behind the score

    @property
    def acceptable(self) -> bool:
        return self.score >= MIN_ACCEPTABLE_SCORE


@dataclass(frozen=True)
class _Estimate:
    bits: float
    common: bool  # contains one of the most used passwords
    patterned: bool  # contains a repeat, a sequence, a keyboard row or a year


def passphrase_strength(text: str) -> Strength:
    if not text:
        return Strength(0, LABELS[0], "Choose a passphrase: four random words are strong and easy "
                        "to remember.", 0.0)
    estimate = _estimate(text)
    score = sum(estimate.bits >= needed for needed in _SCORE_BITS)
    short = len(text) < MIN_LENGTH
    if short:
        score = min(score, MIN_ACCEPTABLE_SCORE - 1)
    return Strength(score, LABELS[score], _hint(score, short, estimate), round(estimate.bits, 1))


def _hint(score: int, short: bool, estimate: _Estimate) -> str:
    if score >= 4:
        return "Excellent. Write it down somewhere safe: a forgotten passphrase cannot be reset."
    if score == 3:
        return "Good. One more random word makes it very strong."
    if estimate.common:
        return ("That contains one of the most used passwords, which are guessed first. "
                "Four random words are strong.")
    if short:
        return f"Use at least {MIN_LENGTH} characters; four random words are strong and easy " \
               "to remember."
    if estimate.patterned:
        return ("Repeats, sequences like 1234 or abcd, keyboard rows and years add little; "
                "add more words instead.")
    return "Add more words; four random words are strong."


def _estimate(text: str) -> _Estimate:
    whole = _pattern_estimate(text)
    words = [word for word in _WORD_SEPARATORS.split(text) if word]
    if len(words) < 2:
        return whole
    # A phrase is attacked word by word: each word is worth at most a random dictionary word.
    bits = 0.0
    seen: set[str] = set()
    common = patterned = False
    for word in words:
        if word.lower() in seen:
            bits += 1.0  # a repeated word only costs the choice to repeat it
            patterned = True
            continue
        seen.add(word.lower())
        part = _pattern_estimate(word)
        cap = WORD_BITS + (1.0 if word.isalpha() and not word.islower() else 0.0)
        bits += min(part.bits, cap) if word.isalpha() else part.bits
        common = common or part.common
        patterned = patterned or part.patterned
    if bits >= whole.bits:
        return whole
    return _Estimate(bits, common or whole.common, patterned or whole.patterned)


def _pattern_estimate(text: str) -> _Estimate:
    """Scans left to right, costing each stretch as the cheapest known pattern that covers it,
    or as one brute-forced character."""
    unit, repeats = _repeating_unit(text)
    if repeats > 1:
        inner = _pattern_estimate(unit)
        return _Estimate(inner.bits + math.log2(repeats), inner.common, True)
    char_bits = math.log2(_pool_size(text))
    lower = text.lower()
    unleeted = lower.translate(_LEET)
    bits = 0.0
    common = patterned = False
    at = 0
    while at < len(text):
        word = _common_word_length(unleeted, at)
        run = _run_length(lower, at)
        year = 4 if _YEAR.match(text, at) else 0
        longest = max(word, run, year)
        if longest == 0:
            bits += char_bits
            at += 1
            continue
        if longest == word:
            piece = text[at:at + word]
            capitalised = piece != piece.lower()
            leet = piece.lower() != unleeted[at:at + word]
            bits += _COMMON_BITS + float(capitalised) + float(leet)
            common = True
        elif longest == run:
            bits += char_bits + math.log2(run) + 1.0  # first character, length, direction
            patterned = True
        else:
            bits += math.log2(130)  # a year from 1900 to 2029
            patterned = True
        at += longest
    return _Estimate(bits, common, patterned)


def _repeating_unit(text: str) -> tuple[str, int]:
    """"abcabcabc" is "abc" three times; text that does not repeat is itself once."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size], len(text) // size
    return text, 1


def _pool_size(text: str) -> int:
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(c in string.punctuation or c == " " for c in text):
        pool += 33
    if any(not c.isascii() for c in text):
        pool += 100  # accented letters, other scripts, emoji: a guess at what an attacker tries
    return pool


def _common_word_length(unleeted: str, at: int) -> int:
    for length in range(min(_LONGEST_COMMON, len(unleeted) - at), _COMMON_MIN - 1, -1):
        if unleeted[at:at + length] in _COMMON:
            return length
    return 0


def _run_length(lower: str, at: int) -> int:
    """The length of the repeat ("aaaa"), alphabet or digit sequence ("abcd", "4321") or keyboard
    row ("qwer", "lkjh") starting at `at`; 0 when it is shorter than a run."""
    best = 0
    for step in (0, 1, -1):
        end = at + 1
        while end < len(lower) and ord(lower[end]) - ord(lower[end - 1]) == step:
            end += 1
        best = max(best, end - at)
    for row in _KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            end = at
            while end < len(lower) and lower[at:end + 1] in line:
                end += 1
            best = max(best, end - at)
    return best if best >= _RUN_MIN else 0
