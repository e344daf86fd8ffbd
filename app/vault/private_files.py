"""Writing files that hold something personal (exports, backups): readable by their owner only,
complete or absent, and never over a file that is already there."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from app.vault.errors import TargetExists, VaultDiskFull


@contextlib.contextmanager
def new_private_file(path: Path) -> Iterator[Path]:
    """Yield a path beside `path` to write the file at; when the block succeeds the file is made
    owner-only, synced and renamed into place, otherwise it is removed."""
    if path.exists():
        raise TargetExists(path)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.chmod(partial, 0o600)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno == errno.ENOSPC:
            raise VaultDiskFull(path) from None
        raise
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    with new_private_file(path) as partial:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
