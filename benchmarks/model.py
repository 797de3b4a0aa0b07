"""Benchmark: loading a ``touchpoints.yaml`` of 1k, 5k and 20k touchpoints (issue 15: a model
of 20k touchpoints added 12 s to every command).

The model: 50 channels (names in two languages, one alias each), the default stages, and N
touchpoints, each with names in two languages, a channel, a stage and two aliases, one line
each as a person writes them. Every command reads it once. In one process, the sides run
alternately (A, B, C, D, A, B, …) after one untimed round, so that a slow spell of the
machine hits all of them; the table shows medians with min and max:

- touchpoints, parse kept: ``load_model(path)`` as every command after the first loads it:
  read the file, find its parse kept for these bytes (``touchpoints.model.cache``), and run
  every check: validate it, check every reference, id and spelling;
- touchpoints, first load: the same with no parse kept (after an edit): read and decode the
  file, parse it refusing duplicate keys, keep the parse, and run every check;
- baseline, libyaml: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of the same text with the
  cycle collector paused, as ``load_model`` pauses it: parsing only, no check at all; the
  least any loader built on PyYAML's own construction takes;
- baseline, PyYAML: ``yaml.safe_load(text)``: the same parse in pure Python, the parser the
  loader used before issue 15 (parsing alone; its checks came on top).

Targets: 20k touchpoints in well under 1 s, and time linear in size (20k cost at most 25
times 1k).

    python benchmarks/model.py                       # sizes 1k 5k 20k, 5 rounds
    python benchmarks/model.py --sizes 1000 20000 --repeat 9
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from harness import machine

from touchpoints.model import load_model
from touchpoints.model.cache import cache_path

CHANNELS = 50
STAGES = ("awareness", "purchase", "use", "feedback")


def model_text(touchpoints: int) -> str:
    """The model of ``touchpoints`` touchpoints, as described above."""
    lines = ["name: Big shop", "timezone: Asia/Shanghai", "channels:"]
    lines += [
        f"  - {{id: ch{c}, name: {{zh: 渠道{c}, en: Channel {c}}}, kind: online, aliases: [c{c}]}}"
        for c in range(CHANNELS)
    ]
    lines.append("touchpoints:")
    lines += [
        f"  - {{id: tp{i}, name: {{zh: 触点{i}, en: Touchpoint {i}}}, channel: ch{i % CHANNELS}, "
        f"stage: {STAGES[i % 4]}, aliases: [t{i}, 触{i}]}}"
        for i in range(touchpoints)
    ]
    return "\n".join(lines) + "\n"


def sides(path: Path) -> dict[str, Callable[[], object]]:
    text = path.read_text(encoding="utf-8")
    return {
        "`load_model`, parse kept": lambda: load_model(path),
        "`load_model`, first load": lambda: first_load(path),
        "libyaml parse, no checks": lambda: paused(lambda: yaml.load(text, yaml.CSafeLoader)),
        "`yaml.safe_load`, no checks": lambda: yaml.safe_load(text),
    }


def first_load(path: Path) -> object:
    """``load_model`` as after an edit: no parse kept (removing it takes microseconds)."""
    cache_path(path).unlink(missing_ok=True)
    return load_model(path)


def paused(side: Callable[[], object]) -> object:
    gc.disable()
    try:
        return side()
    finally:
        gc.enable()


def timed(side: Callable[[], object]) -> float:
    started = time.perf_counter()
    side()
    return time.perf_counter() - started


def measure_size(folder: Path, touchpoints: int, repeat: int) -> dict[str, list[float]]:
    path = folder / f"touchpoints-{touchpoints}.yaml"
    path.write_text(model_text(touchpoints), encoding="utf-8")
    runs = sides(path)
    times: dict[str, list[float]] = {name: [] for name in runs}
    print(f"measuring {touchpoints:,} touchpoints…", file=sys.stderr, flush=True)
    for side in runs.values():
        side()
    for _ in range(repeat):
        for name, side in runs.items():
            times[name].append(timed(side))
    return times


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f})"


def report(results: dict[int, dict[str, list[float]]], repeat: int) -> None:
    names = list(next(iter(results.values())))
    kept, first, floor = names[0], names[1], names[2]
    print(f"Machine: {machine()}. {repeat} rounds per size; seconds, median (min–max).")
    print()
    print(f"| touchpoints | {' | '.join(names)} | kept / first / libyaml | kept per 1k |")
    print("|---:|" + "---:|" * (len(names) + 2))
    for size, times in results.items():
        median = statistics.median(times[kept])
        base = statistics.median(times[floor])
        ratios = f"{median / base:.2f}x / {statistics.median(times[first]) / base:.2f}x"
        cells = " | ".join(spread(times[n]) for n in names)
        print(f"| {size:,} | {cells} | {ratios} | {median / size * 1000:.3f} |")
    print()
    sizes = sorted(results)
    largest, smallest = sizes[-1], sizes[0]
    for name in (kept, first):
        big = statistics.median(results[largest][name])
        print(f"- {name}, {largest:,} touchpoints: {big:.3f} s; under 1 s: {big < 1}")
        if largest != smallest:
            growth = big / statistics.median(results[smallest][name])
            allowed = largest / smallest * 1.25
            print(
                f"  {largest:,} / {smallest:,} touchpoints: {growth:.1f}x the time for "
                f"{largest / smallest:.0f}x the size; linear (≤ {allowed:.0f}x): "
                f"{'met' if growth <= allowed else 'NOT met'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="touchpoints-model-") as tmp:
        results = {n: measure_size(Path(tmp), n, args.repeat) for n in sorted(args.sizes)}
    report(results, args.repeat)


if __name__ == "__main__":
    main()
