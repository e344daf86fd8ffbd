"""`minigiants journal ...`: the journal, headless: write entries, check in a mood, list, show and
export. An entry's text may come on stdin, which keeps it out of the process list that other users
of the machine can read; the passphrase comes as for every vault command (see cli_vault.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_vault import add_passphrase_argument, open_unlocked
from app.errors import MiniGiantsError

if TYPE_CHECKING:  # the vault is imported only by the commands that use it
    from app.vault.records import JournalEntry, MoodCheckin

_PREVIEW_CHARACTERS = 60


class NothingToSave(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__(
            "The journal entry is empty; nothing was saved.",
            "Give the text as an argument, or pipe it in: `minigiants journal add < notes.txt`.",
        )


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    journal = commands.add_parser(
        "journal", help="the journal: add, list, show, checkin (a mood), export")
    actions = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="write a journal entry")
    add.add_argument("--title", default="")
    add.add_argument("--tags", type=_tags, default=(), metavar="A,B", help="comma-separated tags")
    add.add_argument("--day", metavar="YYYY-MM-DD", help="the day it is about (default: today)")
    add.add_argument("text", nargs="?",
                     help="the entry; without it (or with '-') it is read from stdin")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="entries by day, newest first, with the day's moods")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one entry, with the check-ins made with it")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    checkin = actions.add_parser("checkin",
                                 help="record your mood now, from 0 (worst) to 10 (best)")
    checkin.add_argument("mood", type=int, help="0 (worst) to 10 (best)")
    checkin.add_argument("--emotion", type=_emotion, action="append", default=[],
                         metavar="NAME=INTENSITY",
                         help="an emotion and its intensity (0-100); repeatable")
    checkin.add_argument("--note", default="")
    checkin.add_argument("--day", metavar="YYYY-MM-DD", help="the day it is about (default: today)")
    checkin.add_argument("--entry", metavar="ID", help="link it to this journal entry")
    checkin.set_defaults(handler=_checkin)

    export = actions.add_parser(
        "export",
        help="write the journal, mood history and thought records to a file (NOT encrypted)")
    export.add_argument("--format", choices=("md", "json"), required=True)
    export.add_argument("out", type=Path)
    export.set_defaults(handler=_export)

    for action in actions.choices.values():
        add_passphrase_argument(action)


def _tags(text: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in text.split(",") if tag.strip())


def _emotion(text: str) -> tuple[str, int]:
    """NAME=INTENSITY; the vault checks the range, this only the shape."""
    name, _, intensity = text.rpartition("=")
    try:
        value = int(intensity)
    except ValueError:
        name = ""
    if not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=INTENSITY (for example anxious=60)")
    return name.strip(), value


def _entry_text(args: argparse.Namespace) -> str:
    if args.text is not None and args.text != "-":
        text = str(args.text)
    else:
        if sys.stdin.isatty():
            print("Write the entry, then press Ctrl+D on a new line.", file=sys.stderr)
        text = sys.stdin.read().rstrip("\n")
    if not text.strip():
        raise NothingToSave()
    return text


def _add(args: argparse.Namespace) -> int:
    text = _entry_text(args)  # before the passphrase: an empty entry needs no unlocking
    with open_unlocked(args) as vault:
        entry = vault.journal.add(text, title=args.title, tags=args.tags, day=args.day)
    print(entry.id)
    print(f"Saved a journal entry for {entry.day}.", file=sys.stderr)
    return 0


def _checkin(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        checkin = vault.checkins.add(args.mood, emotions=args.emotion, note=args.note,
                                     day=args.day, entry_id=args.entry)
    print(checkin.id)
    print(f"Saved a mood of {checkin.mood}/10 for {checkin.day}.", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        entries, checkins = vault.journal.all(), vault.checkins.all()
    entries_by_day: dict[str, list[JournalEntry]] = defaultdict(list)
    checkins_by_day: dict[str, list[MoodCheckin]] = defaultdict(list)
    for entry in entries:  # both lists come newest first, and so does each day's share
        entries_by_day[entry.day].append(entry)
    for checkin in checkins:
        checkins_by_day[checkin.day].append(checkin)
    days = sorted(entries_by_day.keys() | checkins_by_day.keys(), reverse=True)
    if args.json:
        print(json.dumps([{"day": day,
                           "checkins": [asdict(checkin) for checkin in checkins_by_day[day]],
                           "entries": [asdict(entry) for entry in entries_by_day[day]]}
                          for day in days], ensure_ascii=False, indent=2))
        return 0
    for day in days:
        moods = ", ".join(str(checkin.mood) for checkin in checkins_by_day[day])
        print(f"{day}  mood {moods}" if moods else day)
        for entry in entries_by_day[day]:
            tags = f"  [{', '.join(entry.tags)}]" if entry.tags else ""
            print(f"  {entry.id}  {_preview(entry)}{tags}")
    return 0


def _preview(entry: JournalEntry) -> str:
    """The title, or else the start of the first line."""
    text = entry.title or next(iter(entry.text.strip().splitlines()), "")
    return text if len(text) <= _PREVIEW_CHARACTERS else text[:_PREVIEW_CHARACTERS - 1] + "…"


def _show(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        entry = vault.journal.get(args.id)
        checkins = [checkin for checkin in vault.checkins.all() if checkin.entry_id == entry.id]
    if args.json:
        print(json.dumps({**asdict(entry), "checkins": [asdict(checkin) for checkin in checkins]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"# {entry.title or entry.day}\n")
    print(entry.day + (f" · tags: {', '.join(entry.tags)}" if entry.tags else ""))
    for checkin in checkins:
        emotions = ", ".join(f"{name} {intensity}" for name, intensity in checkin.emotions)
        print(f"mood {checkin.mood}/10" + (f" · {emotions}" if emotions else "")
              + (f" · {checkin.note}" if checkin.note else ""))
    print(f"\n{entry.text}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.export import (
        PLAINTEXT_WARNING,
        as_json,
        as_markdown,
        collect_journal,
    )
    from app.vault.private_files import write_private

    with open_unlocked(args) as vault:
        journal = collect_journal(vault)
        text = as_markdown(journal) if args.format == "md" else as_json(journal)
        write_private(args.out, text.encode("utf-8"))
    print(f"Wrote {args.out}. {PLAINTEXT_WARNING}", file=sys.stderr)
    return 0
