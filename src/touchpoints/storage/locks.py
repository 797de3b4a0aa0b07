"""One process's readers and writer of a warehouse file: readers share, a writer is alone.

DuckDB coordinates processes with a file lock, but inside one process a read-only connection
and a read-write one to the same file cannot both be open: the second fails with *Unique file
handle conflict*. The server reads the warehouse from many threads while an upload, a survey
answer or an API ingest writes it, so each :class:`~touchpoints.storage.warehouse.Warehouse`
takes this lock for as long as it is open: shared to read, exclusive to write. A waiting writer
goes before new readers (so a busy dashboard cannot starve an ingest); a thread may read again
while it reads or writes, and write while only it reads, so no thread waits on itself.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from touchpoints.errors import WorkspaceError

# How long a writer waits for the readers of its own process before giving up with a message.
WRITE_WAIT = 600.0


class ReadWriteLock:
    """Shared reading, exclusive writing, within one process (threads)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers: Counter[int] = Counter()
        self._writer: int | None = None
        self._depth = 0
        self._waiting = 0

    def acquire_read(self) -> None:
        me = threading.get_ident()
        with self._condition:
            self._condition.wait_for(
                lambda: (
                    self._writer in (None, me)
                    and (not self._waiting or self._readers[me] > 0 or self._writer == me)
                )
            )
            self._readers[me] += 1

    def release_read(self) -> None:
        me = threading.get_ident()
        with self._condition:
            self._readers[me] -= 1
            if self._readers[me] <= 0:
                del self._readers[me]
            self._condition.notify_all()

    def acquire_write(self, timeout: float = WRITE_WAIT) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._writer == me:
                self._depth += 1
                return
            self._waiting += 1
            try:
                free = self._condition.wait_for(
                    lambda: self._writer is None and all(t == me for t in self._readers),
                    timeout,
                )
            finally:
                self._waiting -= 1
            if not free:
                self._condition.notify_all()
                raise WorkspaceError(
                    f"the warehouse stayed busy with reads for {timeout:.0f} s: try again"
                )
            self._writer, self._depth = me, 1

    def release_write(self) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth <= 0:
                self._writer, self._depth = None, 0
            self._condition.notify_all()


_LOCKS: dict[Path, ReadWriteLock] = {}
_GUARD = threading.Lock()


def lock_of(path: Path) -> ReadWriteLock:
    """The lock of a warehouse file in this process (one per resolved path)."""
    key = path.resolve()
    with _GUARD:
        return _LOCKS.setdefault(key, ReadWriteLock())
