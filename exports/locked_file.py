"""An append-only file held under an ``fcntl`` lock: the JSONL outbox and the payroll ledger both keep one."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def locked_append_file(path: Path, operation: int) -> Iterator[IO[bytes]]:
    """Open ``path`` for read + append (created 0600, folder 0700: it holds pay data) under ``operation``
    (``fcntl.LOCK_SH`` to read, ``fcntl.LOCK_EX`` to read then append), released on exit."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle.fileno(), operation)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
