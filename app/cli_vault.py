"""`minigiants vault ...` and `minigiants conversations ...`: the vault, headless. The passphrase
comes from MINIGIANTS_PASSPHRASE, from --passphrase-file, or from a prompt (like restic and borg);
it is never taken as a command-line argument, where other users could read it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.datadir import vault_path
from app.errors import MiniGiantsError

if TYPE_CHECKING:  # opened only by the commands that use it
    from app.vault.store import Vault

PASSPHRASE_VARIABLE = "MINIGIANTS_PASSPHRASE"
NEW_PASSPHRASE_VARIABLE = "MINIGIANTS_NEW_PASSPHRASE"
BACKUP_PASSPHRASE_VARIABLE = "MINIGIANTS_BACKUP_PASSPHRASE"  # of a backup made or imported


class NoPassphrase(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__(
            "No passphrase was given.",
            f"Set {PASSPHRASE_VARIABLE}, pass --passphrase-file, or run this in a terminal to be asked.",
        )


class PassphrasesDiffer(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__("The two passphrases you typed are not the same.", "Try again.")


def read_passphrase(args: argparse.Namespace, *, prompt: str = "Passphrase: ",
                    variable: str = PASSPHRASE_VARIABLE, confirm: bool = False) -> str:
    if os.environ.get(variable):
        return os.environ[variable]
    if variable == PASSPHRASE_VARIABLE and args.passphrase_file is not None:
        return args.passphrase_file.read_text(encoding="utf-8").rstrip("\r\n")
    if not sys.stdin.isatty():
        raise NoPassphrase()
    passphrase = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != passphrase:
        raise PassphrasesDiffer()
    return passphrase


def read_secret_line(prompt: str) -> str:
    """A secret other than the passphrase (an access token): typed unseen at a terminal, or the
    first line of stdin when it is piped."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def add_passphrase_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vault = commands.add_parser(
        "vault", help="the encrypted vault: init, passwd, lock-status, check, backup, export, import")
    actions = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the vault")
    init.add_argument("--recovery-key", action="store_true", help="also create a recovery key")
    init.set_defaults(handler=_init)
    passwd = actions.add_parser("passwd", help="change the passphrase")
    passwd.set_defaults(handler=_passwd)
    check = actions.add_parser("check", help="decrypt every row and check the file")
    check.set_defaults(handler=_check)
    export = actions.add_parser(
        "export", help="write conversations and journal as Markdown or JSON (not encrypted), or "
                       "as an encrypted backup with its own passphrase")
    export.add_argument("--format", choices=("md", "json", "backup"), required=True)
    export.add_argument("--conversation", metavar="ID", help="only this conversation")
    export.add_argument("out", type=Path)
    export.set_defaults(handler=_export)
    restore = actions.add_parser(
        "import", help="add what a backup (.mgbackup) or a vault copy holds to this vault")
    restore.add_argument("file", type=Path)
    restore.set_defaults(handler=_import)
    for action in (init, passwd, check, export, restore):
        add_passphrase_argument(action)
    # A copy of the file as it is, still encrypted: no passphrase needed.
    backup = actions.add_parser("backup", help="copy the whole vault, still encrypted, to a new file")
    backup.add_argument("out", type=Path)
    backup.set_defaults(handler=_backup)
    # Reads only what is stored in the clear: no passphrase.
    status = actions.add_parser("lock-status", help="where the vault is and how it is protected")
    status.set_defaults(handler=_status)

    conversations = commands.add_parser("conversations", help="list, show, search or delete")
    actions = conversations.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)
    actions.add_parser("list").set_defaults(handler=_list)
    show = actions.add_parser("show")
    show.add_argument("id")
    show.set_defaults(handler=_show)
    search = actions.add_parser("search")
    search.add_argument("text")
    search.set_defaults(handler=_search)
    delete = actions.add_parser("delete")
    delete.add_argument("id")
    delete.set_defaults(handler=_delete)
    for action in actions.choices.values():
        add_passphrase_argument(action)


def open_unlocked(args: argparse.Namespace) -> Vault:
    from app.vault.store import Vault

    vault = Vault.open(vault_path())
    try:
        vault.unlock(read_passphrase(args))
    except BaseException:
        vault.close()
        raise
    return vault


def _init(args: argparse.Namespace) -> int:
    from app.vault.store import Vault

    print("Mini-Giants keeps your conversations encrypted with this passphrase. If you forget it "
          "and have no recovery key, nobody can get them back.", file=sys.stderr)
    passphrase = read_passphrase(args, prompt="New passphrase: ", confirm=True)
    with Vault.create(vault_path(), passphrase) as vault:
        if args.recovery_key:
            print("Recovery key (write it down now; it is not shown again):", file=sys.stderr)
            print(vault.add_recovery_key())
    print(f"Created {vault_path()}", file=sys.stderr)
    return 0


def _passwd(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        new = read_passphrase(args, prompt="New passphrase: ", variable=NEW_PASSPHRASE_VARIABLE,
                              confirm=True)
        vault.change_passphrase(new)
    print("Passphrase changed.", file=sys.stderr)
    return 0


def _status(args: argparse.Namespace) -> int:
    from app.vault.store import Vault

    path = vault_path()
    if not path.exists():
        print(f"No vault yet at {path} (create one with `minigiants vault init`).")
        return 1
    with Vault.open(path) as vault:
        protection = vault.protection()
    print(f"Vault:     {path} (locked; schema version {protection.schema_version})")
    print(f"Key:       Argon2id, {protection.memory_kib // 1024} MiB, {protection.iterations} passes, "
          f"{protection.lanes} lanes; AES-256-GCM")
    print(f"Recovery:  {'a recovery key exists' if protection.has_recovery_key else 'none'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        report = vault.check()
    for table, count in report.counts.items():
        print(f"{table:<16} {count:>7}")
    print(f"file integrity: {', '.join(report.integrity)}")
    for table, row_id in report.damaged:
        print(f"DAMAGED: {table} {row_id}")
    return 0 if report.ok else 1


def _list(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        for conversation in vault.conversations.all():
            print(f"{conversation.id}  {conversation.updated[:16].replace('T', ' ')}  {conversation.title}")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        conversation = vault.conversations.get(args.id)
        print(f"# {conversation.title}\n")
        for message in vault.conversations.messages(conversation.id):
            print(f"{message.role}: {message.text}\n")
    return 0


def _search(args: argparse.Namespace) -> int:
    with open_unlocked(args) as vault:
        for hit in vault.search(args.text):
            print(f"{hit.parent or hit.ref}  {hit.kind:<12} {hit.snippet}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from app.chat.sealed_spill import kept_caches

    with open_unlocked(args) as vault:
        vault.conversations.delete(args.id)
        kept_caches(vault).files.delete(args.id)  # its KV cache, sealed by `chat --conversation`
    print("Deleted.", file=sys.stderr)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from app.vault.store import Vault

    with Vault.open(vault_path()) as vault:
        vault.copy_to(args.out)
    print(f"Copied the vault to {args.out}. It opens with the vault's passphrase.", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.export import PLAINTEXT_WARNING, as_json, as_markdown, collect
    from app.vault.backup_file import write_backup
    from app.vault.private_files import write_private

    with open_unlocked(args) as vault:
        if args.conversation is not None:
            # says so, before anything is asked or written:
            vault.conversations.get(args.conversation)
        if args.format == "backup":
            passphrase = read_passphrase(args, prompt="Passphrase for the backup: ",
                                         variable=BACKUP_PASSPHRASE_VARIABLE, confirm=True)
            dump = vault.dump()
            rows = dump.rows if args.conversation is None else [
                row for row in dump.rows if args.conversation in (row.id, row.parent)]
            write_backup(args.out, rows, passphrase)
            print(f"Wrote {len(rows)} items to {args.out}, encrypted with the backup's passphrase.",
                  file=sys.stderr)
            _report_damaged(dump.damaged)
            return 1 if dump.damaged else 0
        export = collect(vault, args.conversation)
        text = as_markdown(export) if args.format == "md" else as_json(export)
        write_private(args.out, text.encode("utf-8"))
    print(f"Wrote {args.out}. {PLAINTEXT_WARNING}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.vault.backup_file import is_backup_file, read_backup
    from app.vault.errors import WrongBackupPassphrase, WrongPassphrase
    from app.vault.store import Vault

    with open_unlocked(args) as vault:
        passphrase = read_passphrase(args, prompt=f"Passphrase of {args.file.name}: ",
                                     variable=BACKUP_PASSPHRASE_VARIABLE)
        if is_backup_file(args.file):
            rows, damaged = read_backup(args.file, passphrase), []
        else:  # a copy made by `vault backup`: a vault itself
            try:
                with Vault.open(args.file) as source:
                    source.unlock(passphrase)
                    dump = source.dump()
            except WrongPassphrase:
                raise WrongBackupPassphrase() from None
            rows, damaged = dump.rows, dump.damaged
        report = vault.restore(rows)
    for table, added in report.added.items():
        if added or report.skipped[table]:
            print(f"{table:<16} {added:>7} added  {report.skipped[table]:>7} already here")
    _report_damaged(damaged)
    return 1 if damaged else 0


def _report_damaged(damaged: list[tuple[str, str]]) -> None:
    for table, row_id in damaged:
        print(f"DAMAGED, left out: {table} {row_id} (see `minigiants vault check`)", file=sys.stderr)
