"""The journal's safety net: the crisis-language check on its test set, the shipped crisis lines, the
words shown on a hit, the data files' validation, and `minigiants safety-check`."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
from pathlib import Path

import pytest

from app.cli_safety import add_commands
from app.journal.safety import (
    CATEGORIES,
    SAFETY_DIR,
    SafetyDataInvalid,
    SafetyResult,
    check,
    check_patterns,
    crisis_regions,
    crisis_resources,
    load_patterns,
    support_message,
    system_region,
)
from tests.bench.safety_report import flagged_share, load_cases, run

POSITIVES, NEGATIVES = load_cases()


def test_the_test_set_is_big_enough_and_covers_every_category_and_language() -> None:
    assert len(POSITIVES) >= 150 and len(NEGATIVES) >= 150
    assert {category for case in POSITIVES for category in case.categories} == set(CATEGORIES)
    languages = {"en", "de", "fr", "es"}
    assert {case.lang for case in POSITIVES} == languages == {case.lang for case in NEGATIVES}
    assert len({case.id for case in POSITIVES + NEGATIVES}) == len(POSITIVES) + len(NEGATIVES)


POSITIVE_OUTCOMES, NEGATIVE_OUTCOMES = run(POSITIVES), run(NEGATIVES)
# The patterns were tuned on this set and the detector trained on it: both must keep it, and the
# detector must not take back what the patterns rightly found. (What the net does on text nobody
# tuned on is measured on the blind split, by tests/bench/safety_report.py.)
NETS = ("patterns", "both")


@pytest.mark.parametrize("net", NETS)
def test_recall_on_the_positives_is_at_least_95_percent(net: str) -> None:
    outcomes = POSITIVE_OUTCOMES[net]
    missed = [o.case.id for o in outcomes if not o.flagged]
    assert flagged_share(outcomes) >= 0.95, missed


@pytest.mark.parametrize("net", NETS)
def test_false_positive_rate_on_the_tricky_negatives_is_at_most_5_percent(net: str) -> None:
    outcomes = NEGATIVE_OUTCOMES[net]
    flagged = [o.case.id for o in outcomes if o.flagged]
    assert flagged_share(outcomes) <= 0.05, flagged


@pytest.mark.parametrize("net", NETS)
def test_every_language_keeps_its_recall(net: str) -> None:
    outcomes = POSITIVE_OUTCOMES[net]
    for lang in ("en", "de", "fr", "es"):
        assert flagged_share([o for o in outcomes if o.case.lang == lang]) >= 0.9, lang


@pytest.mark.parametrize(("text", "category"), [
    ("I want to kill myself", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("Ich will nicht mehr leben", "suicide"),
    ("Je veux en finir", "suicide"),
    ("Me quiero morir", "suicide"),
    ("I cut myself again last night", "self_harm"),
    ("Ich habe mich wieder geritzt", "self_harm"),
    ("I'm going to kill him", "harm_to_others"),
    ("Voy a matar a mi jefe", "harm_to_others"),
    ("he hits me when he's drunk", "abuse"),
    ("Mon mari me frappe", "abuse"),
    ("Mi esposo me pega", "abuse"),
])
def test_a_hit_names_its_category(text: str, category: str) -> None:
    result = check(text)
    assert result.flagged and category in result.categories


def test_categories_come_in_a_fixed_order_and_only_from_the_four() -> None:
    result = check("My husband beats me and I want to die")
    assert result == SafetyResult(True, ("suicide", "abuse"))


@pytest.mark.parametrize("text", [
    "I WANT TO KILL MYSELF!!!",
    "i want to kíll mysélf",
    "i want to k1ll myself",
    "I want to diiiiie",
    "I don’t want to be here anymore",
    "i dont want to be here anymore",
    "self-harm urges today",
    "Ich möchte nicht mehr leben",
    "Ich moechte nicht mehr leben",
    "je veux me suicider",
    "JE VEUX ME SUICIDER",
])
def test_case_accents_apostrophes_hyphens_and_typing_do_not_hide_a_hit(text: str) -> None:
    assert check(text).flagged


@pytest.mark.parametrize("text", [
    "this bug is killing me", "I could kill for a coffee", "killer feature", "kill the process",
    "the suspense is killing me", "dead tired", "shoot a photo", "I'm dying to see it",
    "cut the onions", "I'm not suicidal, just tired", "I would never hurt myself", "",
])
def test_the_classic_false_alarms_stay_quiet(text: str) -> None:
    assert check(text) == SafetyResult(False, ())


def test_a_negation_clears_only_what_it_negates() -> None:
    """The patterns' own rule. (The whole net reads "this bug is killing me and I want to die" as
    a whole, and the detector takes it for the complaint it most likely is.)"""
    assert check("I'm not suicidal, but I want to kill myself").flagged
    assert check_patterns("I'm not suicidal, but I want to kill myself").flagged
    assert check_patterns("this bug is killing me and I want to die").flagged


def test_the_result_holds_no_text_and_cannot_be_changed() -> None:
    text = "I have the pills ready and I want to kill myself"
    result = check(text)
    assert [field.name for field in dataclasses.fields(result)] == ["flagged", "categories"]
    for word in ("pills", "kill", "myself", "want"):
        assert word not in repr(result) and word not in str(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.flagged = False  # type: ignore[misc]


@pytest.mark.parametrize(("region", "name", "number"), [
    ("US", "988 Suicide & Crisis Lifeline", "988"),
    ("GB", "Samaritans", "116 123"),
    ("uk", "Samaritans", "116 123"),
    ("IE", "Samaritans", "116 123"),
    ("DE", "TelefonSeelsorge", "0800 111 0 111"),
    ("AU", "Lifeline", "13 11 14"),
    ("FR", "3114, numéro national de prévention du suicide", "3114"),
    ("ES", "Línea 024 de atención a la conducta suicida", "024"),
])
def test_a_region_gets_its_own_crisis_lines(region: str, name: str, number: str) -> None:
    resources = crisis_resources(region)
    assert not resources.is_fallback
    line = next(line for line in resources.lines if line.name == name)
    assert number in line.phone


def test_every_region_lists_its_emergency_number_first_and_reachable_lines() -> None:
    for region in ("US", "CA", "GB", "IE", "AU", "NZ", "DE", "AT", "CH", "FR", "BE", "ES", "MX",
                   "IN", "international"):
        resources = crisis_resources(region)
        assert resources.emergency.phone, region
        shown = resources.lines_for(CATEGORIES)
        assert shown[0] == resources.emergency and len(shown) >= 2, region
        assert all(line.phone or line.text or line.website for line in shown), region


def test_an_unknown_region_falls_back_to_the_international_lines() -> None:
    resources = crisis_resources("ZZ")
    assert resources.is_fallback and resources.region == "international"
    assert any("findahelpline.com" in line.website for line in resources.lines)


def test_the_regions_to_choose_from_are_by_name_with_the_international_list_last() -> None:
    regions = crisis_regions()
    codes = [code for code, _ in regions]
    assert {"GB", "US", "DE", "AT"} <= set(codes)
    assert regions[-1] == ("international", "International")
    assert len(set(codes)) == len(codes)
    names = [name for _, name in regions[:-1]]
    assert names.index("Österreich") < names.index("United Kingdom")  # not after the Zs
    for code, name in regions:
        resources = crisis_resources(code)
        assert (resources.region, resources.region_name) == (code, name)
        assert not resources.is_fallback


def test_the_region_comes_from_the_locale_when_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    assert system_region() == "AT"
    assert crisis_resources().region == "AT"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # the C locale names no country, whatever LANG says
    assert system_region() is None
    assert crisis_resources().is_fallback


def test_an_abuse_hit_shows_the_abuse_helpline_and_a_suicide_hit_does_not() -> None:
    resources = crisis_resources("GB")
    refuge = "National Domestic Abuse Helpline (Refuge)"
    assert refuge in [line.name for line in resources.lines_for(("abuse",))]
    assert refuge not in [line.name for line in resources.lines_for(("suicide",))]


def test_the_support_message_is_kind_plain_and_names_who_to_call() -> None:
    message = support_message(check("I want to end it all"), crisis_resources("US"))
    assert "988" in message and "911" in message
    assert "not alone" in message and "matter" in message
    assert "carry on" in message  # the person may continue
    lowered = message.lower()
    for blame in ("you should", "why did you", "selfish", "stupid", "overreact", "calm down",
                  "attention", "wrong with you", "must not"):
        assert blame not in lowered, blame


def test_the_support_message_speaks_to_what_was_found() -> None:
    resources = crisis_resources("GB")
    abuse = support_message(check("my husband beats me"), resources)
    assert "not your fault" in abuse and "0808 2000 247" in abuse
    assert "not your fault" not in support_message(check("I want to die"), resources)


def test_a_damaged_patterns_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    broken = 'language = "English"\n[suicide]\npatterns = ["(unclosed"]\n'
    (tmp_path / "patterns.en.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(SafetyDataInvalid) as raised:
        load_patterns(tmp_path)
    assert "patterns.en.toml" in raised.value.message and raised.value.hint


@pytest.mark.parametrize(("content", "reason"), [
    ("this is not toml = = =", "not valid TOML"),
    ('language = "English"\n[self-harm]\nphrases = ["cut"]\n', "unknown section"),
    ('language = "English"\n[suicide]\npatterns = ["{nowhere} me"]\n', "does not define"),
    ('language = "English"\n[suicide]\npatterns = ["a?"]\n', "matches empty text"),
    ('language = "English"\n[suicide]\nphrases = "kms"\n', "list of non-empty strings"),
    ('[suicide]\nphrases = ["kms"]\n', "does not name its language"),
])
def test_each_kind_of_damage_is_explained(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "patterns.xx.toml").write_text(content, encoding="utf-8")
    with pytest.raises(SafetyDataInvalid, match=reason):
        load_patterns(tmp_path)


def test_the_shipped_patterns_load_for_every_language() -> None:
    assert set(load_patterns(SAFETY_DIR).languages) >= {"en", "de", "fr", "es"}


def _safety_check(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch,
                  capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    parser = argparse.ArgumentParser(prog="minigiants")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["safety-check", *argv])
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = args.handler(args)
    return code, json.loads(capsys.readouterr().out)


def test_the_cli_prints_json_and_exits_0_when_flagged(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _safety_check(["--region", "GB"], "I want to kill myself\n", monkeypatch, capsys)
    assert code == 0
    assert report["flagged"] is True and report["categories"] == ["suicide"]
    resources = report["resources"]
    assert isinstance(resources, dict) and resources["region"] == "GB"
    assert any(line["phone"] == "116 123" for line in resources["lines"])
    assert "116 123" in str(report["message"])


def test_the_cli_prints_json_and_exits_0_when_not_flagged(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _safety_check([], "this bug is killing me", monkeypatch, capsys)
    assert code == 0
    assert report == {"flagged": False, "categories": []}
