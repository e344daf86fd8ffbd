"""Mood check-ins and thought records as sealed rows on real vault files: round trips, ranges,
tampering, what reaches the disk, backups, search and exports; and the distortions they name."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.export import (
    PLAINTEXT_WARNING,
    as_json,
    as_markdown,
    collect,
    collect_journal,
)
from app.journal.distortions import (
    DISTORTIONS_FILE,
    DistortionsFileInvalid,
    distortions,
    load_distortions,
)
from app.vault.backup_file import read_backup, write_backup
from app.vault.errors import (
    JournalEntryNotFound,
    JournalValueInvalid,
    MoodCheckinNotFound,
    RowTampered,
    ThoughtRecordNotFound,
)
from app.vault.keys import KdfParams
from app.vault.records import THOUGHT_RECORD_STEPS, Emotion, ThoughtRecord
from app.vault.search import JOURNAL_KINDS, MOOD_CHECKIN, THOUGHT_RECORD
from app.vault.store import Vault
from tests.vault.conftest import files_under

SITUATION = "My manager walked past my desk without saying good morning."
STANDARD_IDS = [
    "all_or_nothing", "overgeneralising", "mental_filter", "discounting_positive", "mind_reading",
    "fortune_telling", "magnifying_minimising", "emotional_reasoning", "should_statements",
    "labelling", "personalising", "blaming",
]


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault" / "vault.db"


@pytest.fixture
def vault(vault_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    with Vault.create(vault_path, "pw", kdf=kdf) as opened:
        yield opened


def complete_record(vault: Vault) -> ThoughtRecord:
    return vault.thought_records.add(
        situation=SITUATION,
        thoughts=[("She is angry with me.", 80), ("I will lose my job.", 60)],
        emotions=[("anxious", 70), ("sad", 40)],
        distortions=["mind_reading", "fortune_telling"],
        evidence_for="She usually says hello.",
        evidence_against="She was on the phone and looked rushed.",
        balanced_thought="She was busy; it says nothing about my work.",
        rerated_beliefs=[(0, 30), (1, 10)],
        rerated_emotions=[("anxious", 30)],
        status="complete", step="rerate",
    )


@contextlib.contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """The vault file as an attacker with write access sees it: plain SQLite."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


# -- round trips ---------------------------------------------------------------------------------

def test_mood_checkins_round_trip_newest_day_first(vault_path: Path, kdf: KdfParams) -> None:
    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        entry = vault.journal.add("A long day at work.", day="2026-11-17")
        tuesday = vault.checkins.add(4, emotions=[("tired", 70)], day="2026-11-17",
                                     entry_id=entry.id)
        wednesday = vault.checkins.add(7, note="Better after the walk.", day="2026-11-18")
        tuesday_evening = vault.checkins.add(5, emotions=[("calm", 40), ("tired", 50)],
                                             day="2026-11-17")
        edited = vault.checkins.update(dataclasses.replace(wednesday, mood=8))
        assert edited.updated >= wednesday.updated and edited.created == wednesday.created
        with pytest.raises(JournalEntryNotFound):
            vault.checkins.add(5, entry_id="no-such-entry")
    with Vault.open(vault_path) as vault:
        vault.unlock("pw")
        assert vault.checkins.all() == [edited, tuesday_evening, tuesday]
        loaded = vault.checkins.get(tuesday_evening.id)
        assert loaded.emotions == (Emotion("calm", 40), Emotion("tired", 50))
        assert loaded.emotions[0].intensity == 40 and loaded.entry_id is None
        assert vault.checkins.get(tuesday.id).entry_id == entry.id

        vault.journal.delete(entry.id)
        assert vault.checkins.get(tuesday.id).entry_id is None, "the mood stays, unlinked"
        vault.checkins.delete(tuesday_evening.id)
        with pytest.raises(MoodCheckinNotFound):
            vault.checkins.get(tuesday_evening.id)
        with pytest.raises(MoodCheckinNotFound):
            vault.checkins.update(tuesday_evening)
        assert [c.id for c in vault.checkins.all()] == [wednesday.id, tuesday.id]
        assert vault.check().ok and vault.check().counts["mood_checkins"] == 2


def test_a_thought_record_draft_is_autosaved_step_by_step_then_completed(
    vault_path: Path, kdf: KdfParams
) -> None:
    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        draft = vault.thought_records.add(situation="On the bus")
        assert (draft.status, draft.step, draft.thoughts) == ("draft", "situation", ())
        draft = vault.thought_records.update(dataclasses.replace(draft, situation=SITUATION))
        draft = vault.thought_records.update(dataclasses.replace(
            draft, thoughts=(("She is angry with me.", 80),), step="thoughts"))
        later = complete_record(vault)
    with Vault.open(vault_path) as vault:  # the person comes back later and resumes
        vault.unlock("pw")
        assert vault.thought_records.all() == [later, draft]
        resumed = vault.thought_records.get(draft.id)
        assert resumed == draft and resumed.step == "thoughts"
        assert resumed.thoughts[0].text == "She is angry with me."
        assert resumed.thoughts[0].belief == 80
        done = vault.thought_records.update(dataclasses.replace(
            resumed, emotions=(Emotion("anxious", 60),), distortions=("mind_reading",),
            status="complete", step=THOUGHT_RECORD_STEPS[-1]))
        assert vault.thought_records.get(draft.id) == done and done.created == draft.created
        assert [r.id for r in vault.thought_records.all()] == [later.id, draft.id], \
            "an edit does not reorder records"
        full = vault.thought_records.get(later.id)
        assert full.rerated_beliefs[1].thought == 1 and full.rerated_beliefs[1].belief == 10
        assert full.distortions == ("mind_reading", "fortune_telling")

        vault.thought_records.delete(draft.id)
        with pytest.raises(ThoughtRecordNotFound):
            vault.thought_records.get(draft.id)
        with pytest.raises(ThoughtRecordNotFound):
            vault.thought_records.update(done)
        assert vault.check().counts["thought_records"] == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"mood": 11}, "A mood"),
    ({"mood": -1}, "A mood"),
    ({"mood": 5.5}, "A mood"),
    ({"mood": True}, "A mood"),
    ({"emotions": [("anxious", 101)]}, "An emotion's intensity"),
    ({"emotions": [("  ", 10)]}, "An emotion's name"),
    ({"day": "2026-13-01"}, "The day"),
    ({"day": "17/11/2026"}, "The day"),
    ({"day": "20261117"}, "The day"),
])
def test_a_checkin_out_of_range_is_refused_and_not_saved(
    vault: Vault, change: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"mood": 5, **change}
    with pytest.raises(JournalValueInvalid) as raised:
        vault.checkins.add(**arguments)  # type: ignore[arg-type]
    assert raised.value.message.startswith(field) and raised.value.hint
    assert vault.checkins.all() == []


@pytest.mark.parametrize(("change", "field"), [
    ({"thoughts": [("It will go wrong.", 120)]}, "A belief in a thought"),
    ({"emotions": [("sad", -5)]}, "An emotion's intensity"),
    ({"rerated_emotions": [("sad", 200)]}, "An emotion's intensity"),
    ({"thoughts": [("It will go wrong.", 50)], "rerated_beliefs": [(1, 20)]}, "A rerated belief"),
    ({"thoughts": [("It will go wrong.", 50)], "rerated_beliefs": [(0, 101)]}, "A rerated belief"),
    ({"distortions": ["Mind Reading"]}, "A distortion"),
    ({"status": "done"}, "A thought record's status"),
    ({"step": "nowhere"}, "A thought record's step"),
])
def test_a_thought_record_out_of_range_is_refused_and_not_saved(
    vault: Vault, change: dict[str, object], field: str
) -> None:
    with pytest.raises(JournalValueInvalid) as raised:
        vault.thought_records.add(situation=SITUATION, **change)  # type: ignore[arg-type]
    assert raised.value.message.startswith(field) and raised.value.hint
    assert SITUATION not in raised.value.for_person(), "no user text in errors"
    assert vault.thought_records.all() == []


def test_an_update_out_of_range_is_refused_before_anything_is_written(vault: Vault) -> None:
    record = complete_record(vault)
    with pytest.raises(JournalValueInvalid):
        dataclasses.replace(record, rerated_beliefs=((5, 10),))
    checkin = vault.checkins.add(3)
    with pytest.raises(JournalValueInvalid):
        dataclasses.replace(checkin, mood=12)
    assert vault.thought_records.get(record.id) == record and \
        vault.checkins.get(checkin.id) == checkin


# -- what the file shows and what it protects -----------------------------------------------------

def test_a_ciphertext_moved_between_rows_fails_to_open(vault_path: Path, kdf: KdfParams) -> None:
    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        first = complete_record(vault)
        second = vault.thought_records.add(situation="Something else")
        checkin = vault.checkins.add(6, note="Fine.")
    with raw(vault_path) as connection:
        sealed = connection.execute("select sealed from thought_records where id = ?",
                                    [first.id]).fetchone()[0]
        connection.execute("update thought_records set sealed = ? where id = ?",
                           [sealed, second.id])
        # the same ciphertext under the same id, but in another table:
        connection.execute("update mood_checkins set id = ?, sealed = ? where id = ?",
                           [first.id, sealed, checkin.id])
    with Vault.open(vault_path) as vault:
        vault.unlock("pw")
        assert sorted(vault.check().damaged) == [("mood_checkins", first.id),
                                                 ("thought_records", second.id)]
        with pytest.raises(RowTampered):
            vault.thought_records.get(second.id)
        with pytest.raises(RowTampered):
            vault.checkins.all()
        assert vault.thought_records.get(first.id) == first, "the original still opens"


def test_no_plaintext_of_a_situation_reaches_the_disk(
    vault_path: Path, kdf: KdfParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    needles = [SITUATION.encode("utf-8"), SITUATION.encode("utf-16-le"), b"good morning",
               b"without saying", b"fortune_telling", b"anxious"]

    def assert_absent() -> None:
        files = files_under(vault_path.parent, temp)
        assert vault_path in files
        for file in files:
            data = file.read_bytes()
            assert not any(needle in data for needle in needles), f"plaintext found in {file.name}"

    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        draft = vault.thought_records.add()
        for length in range(10, len(SITUATION) + 1, 5):  # autosave while typing
            draft = vault.thought_records.update(
                dataclasses.replace(draft, situation=SITUATION[:length]))
        draft = vault.thought_records.update(dataclasses.replace(draft, situation=SITUATION))
        complete_record(vault)
        vault.checkins.add(3, emotions=[("anxious", 80)], note="After " + SITUATION)
        assert vault.search("morning")
        assert vault_path.with_name("vault.db-wal") in files_under(vault_path.parent)
        assert_absent()  # while open: the WAL holds the writes
        vault.thought_records.delete(draft.id)
        assert_absent()
    assert_absent()


# -- backups, search, exports ---------------------------------------------------------------------

def journal_contents(vault: Vault) -> tuple[object, ...]:
    return vault.journal.all(), vault.checkins.all(), vault.thought_records.all()


def test_dump_restore_backup_and_copy_carry_the_new_rows(
    vault: Vault, tmp_path: Path, kdf: KdfParams
) -> None:
    entry = vault.journal.add("Rough morning.", day="2026-11-17")
    vault.checkins.add(3, emotions=[("anxious", 80)], day="2026-11-17", entry_id=entry.id)
    vault.checkins.add(6, day="2026-11-18")
    complete_record(vault)
    vault.thought_records.add(situation="Half done", step="emotions")

    backup = tmp_path / "journal.mgbackup"
    write_backup(backup, vault.dump().rows, "backup pw", kdf=kdf)
    assert SITUATION.encode() not in backup.read_bytes()
    with Vault.create(tmp_path / "target.db", "target pw", kdf=kdf) as target:
        target.checkins.add(9, day="2026-11-01")
        report = target.restore(read_backup(backup, "backup pw"))
        assert (report.added["journal_entries"], report.added["mood_checkins"],
                report.added["thought_records"]) == (1, 2, 2)
        assert target.checkins.all()[:2] == vault.checkins.all()
        assert target.thought_records.all() == vault.thought_records.all()
        assert target.checkins.all()[0].entry_id is None and \
            target.checkins.all()[1].entry_id == entry.id
        assert target.search("manager")[0].kind == THOUGHT_RECORD
        check = target.check()
        assert check.ok and check.counts["mood_checkins"] == 3
        again = target.restore(read_backup(backup, "backup pw"))
        assert sum(again.added.values()) == 0 and again.skipped["thought_records"] == 2

    copy = tmp_path / "copy.db"
    vault.copy_to(copy)
    assert SITUATION.encode() not in copy.read_bytes()
    with Vault.open(copy) as opened:
        opened.unlock("pw")
        assert journal_contents(opened) == journal_contents(vault)


def test_search_finds_thought_records_and_checkins_and_follows_changes(vault: Vault) -> None:
    record = complete_record(vault)
    checkin = vault.checkins.add(4, emotions=[("lonely", 60)], note="Quiet flat tonight.")
    assert [(hit.kind, hit.ref) for hit in vault.search("manager")] == [(THOUGHT_RECORD, record.id)]
    assert "[manager]" in vault.search("manager")[0].snippet
    assert [hit.ref for hit in vault.search("rushed")] == [record.id], "evidence is searched"
    assert [(hit.kind, hit.ref) for hit in vault.search("lonely")] == [(MOOD_CHECKIN, checkin.id)]
    assert {hit.kind for hit in vault.search("quiet")} <= JOURNAL_KINDS

    vault.thought_records.update(dataclasses.replace(record, situation="A colleague ignored me."))
    assert vault.search("manager") == [] and vault.search("colleague")
    vault.checkins.delete(checkin.id)
    assert vault.search("lonely") == []
    vault.lock()
    vault.unlock("pw")
    assert [hit.ref for hit in vault.search("colleague")] == [record.id], "rebuilt after unlocking"


def test_exports_hold_the_mood_history_and_thought_records(vault: Vault) -> None:
    vault.journal.add("Rough morning.", title="Tuesday", day="2026-11-17")
    vault.checkins.add(3, emotions=[("anxious", 80), ("tired", 50)], day="2026-11-17",
                       note="Before the meeting.\nCould not focus.")
    vault.checkins.add(6, day="2026-11-18")
    record = complete_record(vault)
    vault.thought_records.add(situation="Half done", step="emotions")
    vault.conversations.create("Not part of the journal")

    markdown = as_markdown(collect_journal(vault))
    assert PLAINTEXT_WARNING in markdown and "## Journal" in markdown
    assert "Not part of the journal" not in markdown
    history = markdown.split("## Mood history")[1].split("## Thought records")[0]
    assert history.index("**2026-11-18** · mood 6/10") < \
        history.index("**2026-11-17** · mood 3/10 · anxious 80%, tired 50%")
    assert "  > Before the meeting.\n  > Could not focus." in history
    records = markdown.split("## Thought records")[1]
    assert SITUATION in records and "(complete)" in records and "(draft, not finished)" in records
    assert "- She is angry with me. (believed 80%)" in records
    assert "Mind reading, Fortune telling" in records, "distortions by name"
    assert "#### Belief in the thoughts afterwards\n\n- She is angry with me. (30%)\n" \
        "- I will lose my job. (10%)" in records
    assert "#### Emotions afterwards\n\nanxious 30%" in records

    document = json.loads(as_json(collect(vault)))
    assert document["warning"] == PLAINTEXT_WARNING
    assert [c["mood"] for c in document["mood_checkins"]] == [6, 3]
    assert document["mood_checkins"][1]["emotions"] == [["anxious", 80], ["tired", 50]]
    saved = next(r for r in document["thought_records"] if r["id"] == record.id)
    assert saved["situation"] == SITUATION and saved["rerated_beliefs"] == [[0, 30], [1, 10]]
    assert [c["title"] for c in document["conversations"]] == ["Not part of the journal"]


# -- the distortions -------------------------------------------------------------------------------

def test_the_twelve_standard_distortions_are_shipped_with_stable_ids() -> None:
    shipped = distortions()
    assert [d.id for d in shipped] == STANDARD_IDS
    for distortion in shipped:
        assert distortion.name and distortion.example
        assert distortion.explanation.endswith(".") and distortion.explanation.count(". ") == 0
    assert distortions() is shipped, "read once"
    assert load_distortions(DISTORTIONS_FILE) == shipped


@pytest.mark.parametrize(("text", "reason"), [
    (None, "missing"),
    ("[[distortion]\nid = ", "not valid TOML"),
    ("title = 'no list'", "no [[distortion]] tables"),
    ("[[distortion]]\nid = 'labelling'\nname = 'Labelling'\nexplanation = 'x.'",
     "distortion 1 needs exactly these text fields"),
    ("[[distortion]]\nid = 'Labelling'\nname = 'L'\nexplanation = 'x.'\nexample = 'y'",
     "not lower-case letters"),
    ("[[distortion]]\nid = 'a'\nname = 'A'\nexplanation = 'x.'\nexample = 'y'\n" * 2,
     "same id"),
])
def test_a_bad_distortions_file_is_a_clear_error(tmp_path: Path, text: str | None,
                                                 reason: str) -> None:
    path = tmp_path / "distortions.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(DistortionsFileInvalid) as raised:
        load_distortions(path)
    assert reason in raised.value.message and "Reinstall" in raised.value.hint
