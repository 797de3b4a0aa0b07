"""Shared by the benchmarks: run one side in a fresh process and report its peak memory."""

from __future__ import annotations

import multiprocessing as mp
import platform
import resource
from collections.abc import Callable
from typing import Any

Side = Callable[..., dict[str, Any]]


def _child(side: Side, args: tuple[Any, ...], queue: Any) -> None:
    out = side(*args)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    queue.put(out)


def machine() -> str:
    """The machine a result was measured on, for the results table."""
    return f"{platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}"


def measure(side: Side, *args: Any) -> dict[str, Any]:
    """``side(*args)`` in a spawned process, so that its peak memory is its own."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(side, args, queue))
    process.start()
    out: dict[str, Any] = queue.get()
    process.join()
    return out
