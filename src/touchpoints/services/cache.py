"""Results kept until the data changes: what lets a page answer at once over millions of rows.

The clustered figures of ten million answers take seconds in the engine
(benchmarks/RESULTS.md); a dashboard asks the same few questions again and again. A
:class:`ResultCache` keeps each result under its question (the method and its arguments) and
forgets them all as soon as the warehouse changes: every ingest — from a page, the API or
``touchpoints ingest`` in another process — writes the warehouse file or its write-ahead log,
so their sizes and modification times are the data's version, read with two ``stat`` calls
and no connection. A result is therefore never older than the last ingest that finished.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from touchpoints.storage.folder import WorkspaceFolder

T = TypeVar("T")


def data_version(warehouse: Path) -> tuple[Any, ...]:
    """The warehouse file's and its write-ahead log's size and modification time."""
    found: list[Any] = []
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            found.append(None)
        else:
            found.append((stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class ResultCache:
    """The latest ``size`` results of a workspace's analyses, dropped when its data changes.

    Thread-safe: the server answers requests from a pool of threads. Two requests that miss
    the same question at once both compute it (the second result replaces the first); no
    request waits on another's query.
    """

    def __init__(self, workspace: WorkspaceFolder, size: int = 256) -> None:
        self.path = workspace.warehouse_path
        self.size = size
        self._lock = threading.Lock()
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._version = data_version(self.path)
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``compute()``'s, kept."""
        version = data_version(self.path)
        with self._lock:
            if version != self._version:
                self._results.clear()
                self._version = version
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                found: T = self._results[key]
                return found
            self.misses += 1
        result = compute()
        with self._lock:
            if data_version(self.path) == version == self._version:
                self._results[key] = result
                while len(self._results) > self.size:
                    self._results.popitem(last=False)
        return result
