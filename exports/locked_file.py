"""An append-only file held under an ``fcntl`` lock: the JSONL outbox and the payroll ledger both keep one."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def private_dir(path: Path) -> Path:
    """Create ``path`` and every missing folder above it with mode 0700 (``mkdir(parents=True, mode=...)`` gives
    the parents the umask's default, usually world-readable); folders that already exist are left as they are.
    Pay files are 0600 anyway; private folders also keep their names (periods, targets, employees) to the owner."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


@contextmanager
def locked_append_file(path: Path, operation: int) -> Iterator[IO[bytes]]:
    """Open ``path`` for read + append (created 0600, folder 0700: it holds pay data) under ``operation``
    (``fcntl.LOCK_SH`` to read, ``fcntl.LOCK_EX`` to read then append), released on exit."""
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle.fileno(), operation)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
