"""The safety net: a local check of what a person writes for crisis language (suicide, self-harm,
harm to others, abuse), run before the model sees a message or a journal entry, and what to show on
a hit: a few calm sentences and the crisis lines of the person's region.

Two layers: phrases and patterns, instant, and a learned detector that reads meaning
(app/journal/detector.py). The detector flags what no pattern foresaw, and takes back a pattern's hit
where the text is plainly benign: an idiom, fiction, someone else, the past.

Everything happens on this machine: nothing is sent anywhere and nothing is logged. A result says
only whether the text was flagged and in which categories; it never holds the text or the words
that matched, so it cannot carry them into a log, a crash report or the vault's plaintext.

Phrases and patterns are data, one file per language (resources/safety/patterns.<lang>.toml, whose
header explains the format and the choices made); every language's file is applied to every text,
since people write in the language they think in, whatever the app's language. The crisis lines
are data too (resources/safety/crisis_resources.toml)."""

from __future__ import annotations

import dataclasses
import functools
import locale
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.errors import MiniGiantsError
from app.journal.detector import CATEGORIES, Judgement, Thresholds, detector
from app.resource_files import RESOURCES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SAFETY_DIR = RESOURCES / "safety"
CRISIS_RESOURCES_FILE = SAFETY_DIR / "crisis_resources.toml"
INTERNATIONAL = "international"

_SECTIONS = (*CATEGORIES, "benign")
_MACRO = re.compile(r"\{([a-z_]+)\}")  # {myself}; regex counts like {2,3} start with a digit
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼ`´"), None)  # "don't" and "dont" read the same
_LEET = str.maketrans("013457@$", "oieastas")
_LEET_CHARACTERS = frozenset("013457@$")
_CLAUSE_BREAK = re.compile(r"[.,;:!?¡¿…\n\r]+")
_NOT_A_WORD = re.compile(r"[^\w.]+|_")
_LONG_RUN = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "1000" is not a typo


class SafetyDataInvalid(MiniGiantsError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The safety check's data file {path.name} cannot be used: {reason}.",
            "Reinstall Mini-Giants; the file that came with it is missing or was changed.",
        )
        self.path = path


@dataclass(frozen=True)
class SafetyResult:
    """Whether a text was flagged and in which CATEGORIES (in that order). Deliberately nothing
    else: not the text, not what matched, so a result can be kept or shown without leaking."""

    flagged: bool
    categories: tuple[str, ...]


def check(text: str, context: Sequence[str] = ()) -> SafetyResult:
    """The check every user message and journal entry passes before the model sees it, with the
    one or two messages before it as `context`."""
    learned = detector()
    # The patterns read the text alone: what the earlier messages say was checked when they were
    # written, and reading a text with its context is the detector's part.
    return combine(check_patterns(text), learned.judge(text, context), learned.thresholds)


def combine(patterns: SafetyResult | None, judgement: Judgement | None,
            thresholds: Thresholds) -> SafetyResult:
    """The net from its layers (None: that layer left out, as the report compares them). The
    patterns' hits stand unless the detector reads the text as plainly benign (an idiom, fiction,
    someone else, the past); the detector flags on its own what no pattern foresaw."""
    found: set[str] = set()
    if judgement is not None and judgement.score > thresholds.alone:
        found.update(judgement.categories)
    if patterns is not None and patterns.flagged and (
            judgement is None or judgement.score > thresholds.keep_pattern):
        found.update(patterns.categories)
    return SafetyResult(bool(found), tuple(name for name in CATEGORIES if name in found))


def check_patterns(text: str) -> SafetyResult:
    """The patterns alone: the instant first layer, and what the report compares against."""
    return load_patterns(SAFETY_DIR).check(text)


def normalize(text: str, *, longest_run: int = 2) -> str:
    """The form patterns are written for: lower case, no accents, no apostrophes ("dont", "jai"),
    digits typed for letters read as letters ("k1ll"), runs of three or more of a letter cut to
    `longest_run` ("killlll" -> "kill"), every other punctuation a space except clause breaks,
    which become " . " so that a pattern cannot run on from one clause into the next."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\w@$]+", _unleet, text)
    text = _NOT_A_WORD.sub(" ", _CLAUSE_BREAK.sub(" . ", text))
    text = re.sub(r"\.(?: \.)+", ".", " ".join(text.split()))
    return _LONG_RUN.sub(r"\1" * longest_run, text)


def _unleet(word: re.Match[str]) -> str:
    token = word.group()
    # Only words that start like words: "10kms" and "24/7" keep their digits.
    if (token[0].isalpha() or token[0] in "@$") and _LEET_CHARACTERS.intersection(token):
        return token.translate(_LEET)
    return token


def _variants(text: str) -> Iterator[str]:
    yield normalize(text)
    if _LONG_RUN.search(text):  # "diiiie": cut to two letters it is "diie", so also try "die"
        yield normalize(text, longest_run=1)


@dataclass(frozen=True)
class SafetyPatterns:
    """The compiled patterns of every language, per category, and the benign ones that are blanked
    out before the categories are searched. Kept apart rather than joined into one alternation per
    category: Python's re then tries every branch at every position, three times slower."""

    languages: tuple[str, ...]
    categories: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    benign: tuple[re.Pattern[str], ...]

    def check(self, text: str) -> SafetyResult:
        found: set[str] = set()
        for variant in _variants(text):
            for pattern in self.benign:
                # Blanked, not removed, so the words on either side do not become neighbours.
                variant = pattern.sub(lambda match: " " * len(match.group()), variant)
            found.update(name for name, patterns in self.categories
                         if name not in found and any(p.search(variant) for p in patterns))
        return SafetyResult(bool(found), tuple(name for name in CATEGORIES if name in found))


@functools.lru_cache(maxsize=4)
def load_patterns(folder: Path) -> SafetyPatterns:
    """Every patterns.<lang>.toml in `folder`, compiled. Raises SafetyDataInvalid for a file that
    is not TOML, has a section or key it should not, a pattern that does not compile, uses an
    undefined {macro}, or matches empty text (which would flag everything)."""
    files = sorted(folder.glob("patterns.*.toml"))
    if not files:
        raise SafetyDataInvalid(folder / "patterns.en.toml", "there are no pattern files")
    compiled: dict[str, list[re.Pattern[str]]] = {section: [] for section in _SECTIONS}
    for path in files:
        for section, patterns in _language_patterns(path).items():
            compiled[section].extend(patterns)
    return SafetyPatterns(
        languages=tuple(path.name.split(".")[1] for path in files),
        categories=tuple((name, tuple(compiled[name])) for name in CATEGORIES),
        benign=tuple(compiled["benign"]),
    )


def _language_patterns(path: Path) -> dict[str, list[re.Pattern[str]]]:
    data = _read_toml(path)
    unknown = set(data) - {"language", "macros", *_SECTIONS}
    if unknown:
        raise SafetyDataInvalid(path, f"it has an unknown section {sorted(unknown)[0]!r}")
    if not isinstance(data.get("language"), str):
        raise SafetyDataInvalid(path, "it does not name its language (language = \"...\")")
    macros = data.get("macros", {})
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise SafetyDataInvalid(path, "[macros] must map names to patterns")
    compiled: dict[str, list[re.Pattern[str]]] = {}
    for section in _SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict) or set(table) - {"phrases", "patterns"}:
            raise SafetyDataInvalid(path, f"[{section}] may hold only `phrases` and `patterns`")
        phrases = _strings(path, section, "phrases", table.get("phrases", []))
        patterns = _strings(path, section, "patterns", table.get("patterns", []))
        compiled[section] = [
            *(phrase_pattern(path, section, phrase) for phrase in phrases),
            *(_bounded(path, section, _expand(path, section, p, macros)) for p in patterns),
        ]
    return compiled


def _strings(path: Path, section: str, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise SafetyDataInvalid(path, f"[{section}] {key} must be a list of non-empty strings")
    return value


def _expand(path: Path, section: str, pattern: str, macros: dict[str, str]) -> str:
    def macro(match: re.Match[str]) -> str:
        if match.group(1) not in macros:
            raise SafetyDataInvalid(path, f"[{section}] uses {{{match.group(1)}}}, which [macros] "
                                          "does not define")
        return f"(?:{macros[match.group(1)]})"

    return _MACRO.sub(macro, pattern)


def phrase_pattern(path: Path, section: str, phrase: str) -> re.Pattern[str]:
    """A phrase as written in a data file, matched as whole words of normalize()d text."""
    return _bounded(path, section, re.escape(normalize(phrase)))


def _bounded(path: Path, section: str, pattern: str) -> re.Pattern[str]:
    """The pattern compiled to match whole words; an error names it."""
    try:
        compiled = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")
    except re.error as error:
        raise SafetyDataInvalid(path, f"a pattern in [{section}] is not a valid regular "
                                      f"expression ({error}): {pattern}") from None
    if compiled.fullmatch(""):
        raise SafetyDataInvalid(path, f"a pattern in [{section}] matches empty text: {pattern}")
    return compiled


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise SafetyDataInvalid(path, "it is missing or not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SafetyDataInvalid(path, f"it is not valid TOML ({error})") from None


@dataclass(frozen=True)
class CrisisLine:
    name: str
    phone: str = ""
    text: str = ""  # how to reach it by text message, e.g. "text HOME to 741741"
    website: str = ""
    hours: str = ""  # empty where not known
    note: str = ""  # e.g. "for young people", "in French"
    topics: tuple[str, ...] = ()  # CATEGORIES it is for; empty for a general crisis line


@dataclass(frozen=True)
class CrisisResources:
    region: str  # an ISO 3166 country code, or INTERNATIONAL
    region_name: str
    emergency: CrisisLine  # always there, and always shown first
    lines: tuple[CrisisLine, ...]
    is_fallback: bool  # the region was unknown or not covered: the international list

    def lines_for(self, categories: Iterable[str]) -> tuple[CrisisLine, ...]:
        """The emergency line, then the general crisis lines and those for these categories (an
        abuse helpline on an abuse hit), in the data file's order."""
        wanted = set(categories)
        return (self.emergency, *(line for line in self.lines
                                  if not line.topics or wanted.intersection(line.topics)))


_LINE_FIELDS = ("name", "phone", "text", "website", "hours", "note", "topics")
_REGION_CODE = re.compile(r"[A-Z]{2}")


def crisis_resources(region: str | None = None) -> CrisisResources:
    """The crisis lines for `region` (an ISO country code such as "GB"; "UK" works too) or, when
    None, for the region of the system locale; the international list when neither is covered."""
    regions, aliases = _crisis_data(CRISIS_RESOURCES_FILE)
    code = (region or system_region() or "").strip()
    if code.lower() == INTERNATIONAL:  # asked for by name: not a fallback
        return regions[INTERNATIONAL]
    code = aliases.get(code.upper(), code.upper())
    if code in regions:
        return regions[code]
    return dataclasses.replace(regions[INTERNATIONAL], is_fallback=True)


def crisis_regions() -> list[tuple[str, str]]:
    """(code, name) of every region with its own crisis lines, by name, and the international list
    last: the choices a person is offered when the system's region is not theirs."""
    regions, _ = _crisis_data(CRISIS_RESOURCES_FILE)
    named = sorted(((code, resources.region_name) for code, resources in regions.items()
                    if code != INTERNATIONAL), key=lambda region: _sort_key(region[1]))
    return [*named, (INTERNATIONAL, regions[INTERNATIONAL].region_name)]


def _sort_key(name: str) -> str:
    """Österreich among the Os, not after the Zs: names are in their own languages."""
    return "".join(c for c in unicodedata.normalize("NFKD", name)
                   if not unicodedata.combining(c)).casefold()


def system_region() -> str | None:
    """The country of the user's locale, e.g. "DE" for de_DE.UTF-8; None for the C locale or a
    name with no country in it. Reads the environment and Python's locale only: no network."""
    # POSIX: the variables that choose the messages' locale, in their order of precedence.
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(variable):
            return _country_in(value)
    if sys.platform == "win32":  # no such variables: the user's choice is a Windows locale id
        import ctypes

        user_locale = ctypes.windll.kernel32.GetUserDefaultLCID()
        return _country_in(locale.windows_locale.get(user_locale, ""))
    # The locale Python started with. Not getlocale(): it reports the C locale as "en_US".
    return _country_in(locale.setlocale(locale.LC_CTYPE))


def _country_in(locale_name: str) -> str | None:
    if locale_name.split(".")[0] in ("", "C", "POSIX"):  # normalize() would call C.UTF-8 "en_US"
        return None
    match = re.match(r"[a-z]{2,3}_([A-Z]{2})(?![A-Za-z])", locale.normalize(locale_name))
    return match.group(1) if match else None


@functools.lru_cache(maxsize=2)
def _crisis_data(path: Path) -> tuple[dict[str, CrisisResources], dict[str, str]]:
    data = _read_toml(path)
    aliases = data.pop("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise SafetyDataInvalid(path, "[aliases] must map codes to codes")
    if INTERNATIONAL not in data:
        raise SafetyDataInvalid(path, f"it has no [{INTERNATIONAL}] fallback")
    regions = {code: _region(path, code, table) for code, table in data.items()}
    missing = sorted(set(aliases.values()) - set(regions))
    if missing:
        raise SafetyDataInvalid(path, f"an alias points to {missing[0]}, which it does not list")
    return regions, aliases


def _region(path: Path, code: str, table: object) -> CrisisResources:
    if code != INTERNATIONAL and not _REGION_CODE.fullmatch(code):
        raise SafetyDataInvalid(path, f"[{code}] is not a two-letter country code")
    if not isinstance(table, dict) or set(table) != {"name", "emergency", "line"}:
        raise SafetyDataInvalid(path, f"[{code}] needs exactly name, emergency and [[{code}.line]]")
    if not isinstance(table["name"], str) or not isinstance(table["line"], list):
        raise SafetyDataInvalid(path, f"[{code}] name must be text and line a list of tables")
    emergency = _line(path, code, table["emergency"])
    lines = tuple(_line(path, code, line) for line in table["line"])
    if not lines:
        raise SafetyDataInvalid(path, f"[{code}] lists no crisis line")
    return CrisisResources(code, table["name"], emergency, lines, is_fallback=False)


def _line(path: Path, code: str, table: object) -> CrisisLine:
    if not isinstance(table, dict) or set(table) - set(_LINE_FIELDS):
        raise SafetyDataInvalid(path, f"a line of [{code}] may hold only {', '.join(_LINE_FIELDS)}")
    fields = {key: value for key, value in table.items() if key != "topics"}
    topics = table.get("topics", [])
    if not all(isinstance(value, str) for value in fields.values()) or not isinstance(
            topics, list) or not set(topics) <= set(CATEGORIES):
        raise SafetyDataInvalid(path, f"a line of [{code}] has a field that is not text, or a "
                                      f"topic that is not one of {', '.join(CATEGORIES)}")
    if not fields.get("name") or not (fields.get("phone") or fields.get("text")
                                      or fields.get("website")):
        raise SafetyDataInvalid(path, f"a line of [{code}] needs a name and a way to reach it")
    return CrisisLine(**fields, topics=tuple(topics))


def support_message(result: SafetyResult, resources: CrisisResources | None = None) -> str:
    """The calm words shown on a hit, before the person decides whether to go on: they matter,
    they are not alone, who they can talk to right now, and that they can continue. Plain text;
    `resources` defaults to those of the system's region."""
    resources = resources if resources is not None else crisis_resources()
    paragraphs = [
        "It sounds like you are carrying something really heavy right now. Thank you for "
        "putting it into words; that takes courage. You matter, and you are not alone in "
        "this.",
    ]
    if "abuse" in result.categories:
        paragraphs.append("Nobody has the right to hurt you, and what is happening to you is "
                          "not your fault.")
    if "harm_to_others" in result.categories:
        paragraphs.append("Feelings this strong can be frightening. Talking them through with "
                          "someone now can help keep you and the people around you safe.")
    people = "\n".join(f"- {_describe(line)}" for line in resources.lines_for(result.categories))
    paragraphs.append("If you would like to talk to someone now, here is who you can reach. The "
                      f"helplines listen in confidence, without judging:\n{people}")
    paragraphs.append("If you are in danger right now, please call "
                      f"{resources.emergency.phone or 'your local emergency number'}.")
    paragraphs.append("What you wrote stays on this device; nothing has been sent anywhere. "
                      "You can carry on whenever you are ready.")
    return "\n\n".join(paragraphs)


def _describe(line: CrisisLine) -> str:
    ways = [f"call {line.phone}" if line.phone else "", line.text, line.website]
    details = ", ".join(way for way in ways if way)
    extras = "; ".join(extra for extra in (line.hours, line.note) if extra)
    return f"{line.name}: {details}" + (f" ({extras})" if extras else "")
