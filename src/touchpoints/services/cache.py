"""Results kept until the data changes: what lets a page answer at once over millions of rows.

The clustered figures of ten million answers take seconds in the engine
(benchmarks/RESULTS.md); a dashboard asks the same few questions again and again. A
:class:`ResultCache` keeps each result under its question (the method and its arguments) and
forgets them all as soon as the warehouse changes: every ingest — from a page, the API or
``touchpoints ingest`` in another process — writes the warehouse file or its write-ahead log,
so their sizes and modification times are the data's version, read with two ``stat`` calls
and no connection. A result is therefore never older than the last ingest that finished.

Recomputing after an ingest: a figure over ten million answers takes seconds to tens of
seconds, and the first person to look after an ingest would wait for it. The cache remembers
the ``warm`` questions asked last (and how to answer them); :meth:`ResultCache.refresh`, which
the server's :class:`Warmer` thread calls once the data has stopped changing, answers them again
in the background, so the next look finds them ready.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from touchpoints.storage.folder import WorkspaceFolder

T = TypeVar("T")
log = logging.getLogger("touchpoints.cache")


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

    def __init__(self, workspace: WorkspaceFolder, size: int = 256, warm: int = 16) -> None:
        self.path = workspace.warehouse_path
        self.size = size
        self.warm = min(warm, size)
        self._lock = threading.Lock()
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._asked: OrderedDict[Hashable, Callable[[], Any]] = OrderedDict()
        self._version = data_version(self.path)
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``compute()``'s, kept."""
        version = data_version(self.path)
        with self._lock:
            self._align(version)
            if key in self._asked:
                self._asked.move_to_end(key)
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                found: T = self._results[key]
                return found
            self.misses += 1
        result = compute()
        with self._lock:
            if self.warm:  # a question that answered: worth answering again after an ingest
                self._asked[key] = compute
                self._asked.move_to_end(key)
                while len(self._asked) > self.warm:
                    self._asked.popitem(last=False)
            if data_version(self.path) == version == self._version:
                self._keep(key, result)
        return result

    def _align(self, version: tuple[Any, ...]) -> None:
        """Forget every result when the data is no longer the version they were computed
        for (the lock is held)."""
        if version != self._version:
            self._results.clear()
            self._version = version

    def _keep(self, key: Hashable, result: Any) -> None:
        """Keep a result, the oldest leaving past ``size`` (the lock is held)."""
        self._results[key] = result
        while len(self._results) > self.size:
            self._results.popitem(last=False)

    def ready(self, key: Hashable) -> bool:
        """Whether ``key``'s result is kept for the data as it is now."""
        version = data_version(self.path)
        with self._lock:
            return version == self._version and key in self._results

    def stale(self) -> bool:
        """Whether the data changed since the results were computed."""
        return data_version(self.path) != self._version

    def refresh(self) -> int:
        """Answer the questions asked last again for the data as it is now (the most recent
        first); how many were recomputed. Stops early if the data changes meanwhile."""
        with self._lock:
            asked = list(reversed(self._asked.items()))
        done = 0
        for key, compute in asked:
            version = data_version(self.path)
            with self._lock:
                self._align(version)
                if key in self._results:
                    continue
            try:
                result = compute()
            except Exception:  # it fails for its asker too, who is told why; go on
                log.warning("refreshing %r failed", key, exc_info=True)
                continue
            with self._lock:
                if data_version(self.path) != version or version != self._version:
                    return done
                self._keep(key, result)
            done += 1
        return done


class Warmer:
    """A thread of the server that watches the warehouse and, once an ingest has finished
    (the version unchanged for ``settle`` seconds), refreshes the cache: the dashboard's
    questions are answered again before anyone asks."""

    def __init__(self, cache: ResultCache, interval: float = 1.0, settle: float = 2.0) -> None:
        self.cache = cache
        self.interval = interval
        self.settle = settle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cache-warmer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.cache.stale():
                continue
            seen = data_version(self.cache.path)
            if self._stop.wait(self.settle) or data_version(self.cache.path) != seen:
                continue  # still being written: look again later
            try:
                self.cache.refresh()
            except Exception:  # a question that fails now fails again for its asker, who sees why
                log.warning("refreshing the result cache failed", exc_info=True)
