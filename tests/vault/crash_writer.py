"""Child process for the crash-safety test: opens the vault and writes forever, as a chat does: a
question, then a reply streamed through the ReplySaver (saving on every piece, so that kills land
inside streaming saves). After each commit it prints `id length`: the message and how much of its
text is committed. The test kills it with SIGKILL."""

from __future__ import annotations

import os
import sys

from app.vault.reply_saver import ReplySaver
from app.vault.store import Vault

PIECES = 20


def reply_piece(number: int, piece: int) -> str:
    return f"reply {number} piece {piece}. "


def report(message_id: str, committed_length: int) -> None:
    # One write(2) per line: a pipe takes it whole, so a kill cannot leave half a line.
    os.write(1, f"{message_id} {committed_length}\n".encode())


def main(path: str, passphrase: str, conversation_id: str) -> None:
    with Vault.open(path) as vault:
        vault.unlock(passphrase)
        number = 0
        while True:
            number += 1
            question = f"message {number} " + "x" * (number % 300)
            message = vault.conversations.add_message(conversation_id, "user", question)
            report(message.id, len(question))
            saver = ReplySaver(vault, conversation_id, model="test", every=0.0)
            for piece in range(PIECES):
                saver.add(reply_piece(number, piece))
                assert saver.saved is not None
                report(saver.saved.id, len(saver.saved.text))
            saver.finish({"completion_tokens": PIECES})


if __name__ == "__main__":
    main(*sys.argv[1:])
