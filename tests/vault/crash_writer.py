"""Child process for the crash-safety test: opens the vault and appends messages forever, printing
each message's id only after its transaction committed. The test kills it with SIGKILL."""

from __future__ import annotations

import sys

from app.vault.store import Vault


def main(path: str, passphrase: str, conversation_id: str) -> None:
    with Vault.open(path) as vault:
        vault.unlock(passphrase)
        number = 0
        while True:
            number += 1
            message = vault.add_message(conversation_id, "user", f"message {number} " + "x" * (number % 300))
            print(message.id, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
