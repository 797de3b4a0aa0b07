"""Build the demo workspace: generate files, ingest them like any user's, write planted.json.

The files go through :func:`touchpoints.ingest.ingest_file` exactly as a user's would, in
chunks of customers so that any size fits in memory (each chunk its own transaction). The
pseudonym key is derived from the seed, so a seed gives the same pseudonyms every time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from touchpoints.core.result import Note, Result, TableView, View, cells
from touchpoints.demo import generate as g
from touchpoints.errors import ParameterError, WorkspaceError
from touchpoints.ingest import IngestResult, ingest_file
from touchpoints.storage.folder import KEY_FILE, init_folder
from touchpoints.storage.operational import OPERATIONS_FILE
from touchpoints.storage.warehouse import Warehouse

Progress = Callable[[str], None]
CHUNK = 200_000  # customers per chunk: about a million responses
# What `--force` may remove: only what a demo writes.
DEMO_FILES = ("touchpoints.yaml", KEY_FILE, ".gitignore", "planted.json", "data", OPERATIONS_FILE)


@dataclass(repr=False)
class DemoSummary(Result):
    """What the demo built: per kind, files and the ingest counts."""

    root: Path
    seed: int
    customers: int
    results: dict[str, list[IngestResult]] = field(default_factory=dict)

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for kind, results in self.results.items():
            keys = ("read", "accepted", "quarantined", "duplicates", "updated")
            out[kind] = {k: sum(getattr(r, k) for r in results) for k in keys}
            out[kind]["files"] = len(results)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": str(self.root),
            "seed": self.seed,
            "customers": self.customers,
            "kinds": self.totals(),
            "planted": str(self.root / "planted.json"),
        }

    def records(self) -> list[dict[str, Any]]:
        return [{"kind": k, **v} for k, v in self.totals().items()]

    def views(self) -> list[View]:
        columns = ("kind", "files", "read", "accepted", "quarantined", "duplicates", "updated")
        rows = tuple(cells([r[c] for c in columns]) for r in self.records())
        title = f"Demo workspace {self.root} (seed {self.seed})"
        return [
            TableView(title, columns, rows),
            Note(f"Planted effects: {self.root / 'planted.json'}"),
        ]


def demo_key(seed: int) -> bytes:
    return hashlib.sha256(f"touchpoints demo {seed}".encode()).digest()


def _not_a_demo(root: Path) -> str | None:
    """Why the workspace in ``root`` is not a demo's own (``None`` when it is).

    A demo is marked by its ``planted.json``, holds the key the demo derives from that
    file's seed (a workspace made by ``init`` has a random one), and every file ever
    ingested into it lies in its own ``data/`` folder.
    """
    try:
        seed = json.loads((root / "planted.json").read_text(encoding="utf-8"))["seed"]
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no planted.json of a demo"
    try:
        key = bytes.fromhex((root / KEY_FILE).read_text().strip())
    except (OSError, ValueError):
        key = b""
    if key and key != demo_key(int(seed)):
        return "its pseudonym key is not a demo's"
    warehouses = [p for p in root.iterdir() if p.suffix == ".duckdb"]
    ours = {p.name for p in (root / "data").iterdir()} if (root / "data").is_dir() else set()
    for path in warehouses:
        with Warehouse(path, read_only=True) as warehouse:
            files = [r["file"] for r in warehouse.records("SELECT file FROM ingests")]
        foreign = sorted({Path(f).name for f in files} - ours)
        if foreign:
            return f"it holds data from files the demo did not write ({', '.join(foreign[:3])})"
    return None


def _prepare(root: Path, force: bool) -> None:
    if root.exists() and any(root.iterdir()):
        if not force:
            raise WorkspaceError(f"{root} is not empty (use {{force}} to rebuild the demo there)")
        known = {*DEMO_FILES}
        strangers = [
            p.name for p in root.iterdir() if p.name not in known and p.suffix != ".duckdb"
        ]
        if strangers:
            raise WorkspaceError(
                f"{root} holds files a demo did not write ({', '.join(sorted(strangers)[:5])}); "
                "choose an empty folder"
            )
        reason = _not_a_demo(root)
        if reason:
            raise WorkspaceError(
                f"{root} is a workspace, not a demo: {reason}. {{force}} only rebuilds a "
                "demo, and nothing was removed; choose an empty folder"
            )
        for path in root.iterdir():
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _costs(contacts: Counter[tuple[str, int]], rng: np.random.Generator) -> pa.Table:
    """Monthly cost and contacts per channel, from the contacts the interactions made."""
    rows = sorted(contacts.items())
    per_contact = {"web": 1.5, "app": 0.8, "store": 18.0, "call_center": 9.0, "social": 2.5}
    channel = [c for (c, _), _ in rows]
    month = [m for (_, m), _ in rows]
    counts = np.array([n for _, n in rows])
    cost = np.round(
        counts * np.array([per_contact[c] for c in channel]) * rng.normal(1, 0.05, len(rows)), 2
    )
    starts = [date(2025, m, 1) for m in month]
    ends = [date(2025 + (m == 12), m % 12 + 1, 1).toordinal() - 1 for m in month]
    return pa.table(
        {
            "channel": channel,
            "period_start": [d.isoformat() for d in starts],
            "period_end": [date.fromordinal(e).isoformat() for e in ends],
            "cost": cost,
            "contacts": counts,
        }
    )


STORE_SURVEY_MAP = """# An in-store survey exported by a Chinese survey tool: GBK, Chinese headers.
kind: responses
columns:
  response_id: 答卷编号
  ts: 提交答卷时间
  customer: 会员手机
  touchpoint: 触点
  csat: 满意度
  nps: 推荐意愿
  comment: 意见
constants: {channel: store}
"""
# Rows a real export has: refused with their reasons, shown by `touchpoints quarantine list`.
BAD_ROWS = (
    ("S-9001", "2025/12/30 10:02", "13900000001", "收银台", "3分", "11", "推荐意愿填错了"),
    ("S-9002", "2025/13/01 11:15", "13900000002", "收银台", "4分", "8", "日期写错了"),
    ("S-9003", "2025/12/31 12:40", "13900000003", "停车场", "5分", "10", "没有这个触点"),
)


def _store_survey(path: Path, rng: np.random.Generator) -> None:
    """A small GBK survey export with Chinese headers, three of its rows bad."""
    header = ("答卷编号", "提交答卷时间", "会员手机", "触点", "满意度", "推荐意愿", "意见", "姓名")
    rows = [
        (
            f"S-{i:04d}",
            f"2025/12/{rng.integers(1, 29):02d} {rng.integers(9, 21)}:{rng.integers(0, 60):02d}",
            f"139{10_000_000 + i:08d}",
            ("收银台", "店员服务")[i % 2],
            f"{rng.integers(2, 6)}分",
            str(rng.integers(3, 11)),
            ("排队太久了", "店员很热情")[i % 2],
            "顾客",
        )
        for i in range(1, 38)
    ]
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
        writer.writerows([(*row, "顾客") for row in BAD_ROWS])


def _count_contacts(table: pa.Table, into: Counter[tuple[str, int]]) -> None:
    months = pc.cast(pc.utf8_slice_codeunits(table["ts"], 5, 7), pa.int64())
    grouped = pa.table({"channel": pc.cast(table["channel"], pa.string()), "month": months})
    for row in grouped.group_by(["channel", "month"]).aggregate([("month", "count")]).to_pylist():
        into[(row["channel"], row["month"])] += row["month_count"]


def build_demo(
    root: Path,
    *,
    lang: str = "zh",
    customers: int = 5000,
    seed: int = 42,
    force: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Write a complete demo workspace into ``root``; see the module docstring."""
    if customers < 1:
        raise ParameterError("customers", "must be at least 1")
    step = progress or (lambda _: None)
    _prepare(root, force)
    model_text = files("touchpoints.demo").joinpath("model.yaml").read_text(encoding="utf-8")
    workspace = init_folder(root, key=demo_key(seed), model_text=model_text)
    data = root / "data"
    data.mkdir()
    summary = DemoSummary(root, seed, customers)
    contacts: Counter[tuple[str, int]] = Counter()

    def load(kind: str, name: str, table: pa.Table) -> None:
        path = data / f"{name}.parquet"
        pq.write_table(table, path)
        step(f"ingesting {path.name} ({table.num_rows:,} rows)")
        summary.results.setdefault(kind, []).append(ingest_file(workspace, path, kind=kind))

    for number, (first, count) in enumerate(g.chunks(customers, CHUNK)):
        rng = np.random.default_rng([seed, number])
        part = f"{number:03d}"
        step(f"generating customers {first + 1:,}–{first + count:,}")
        people = g.customers(first, count, rng)
        base = first * 100  # room for every id a customer's records need
        load("customers", f"customers-{part}", g.customer_table(people, rng))
        load("responses", f"responses-{part}", g.transactional(people, lang, base, rng))
        load("responses", f"relationship-{part}", g.relationship(people, base, rng))
        events, orders = g.interactions(people, base, rng)
        _count_contacts(events, contacts)
        load("interactions", f"interactions-{part}", events)
        load("orders", f"orders-{part}", orders)
        load("tickets", f"tickets-{part}", g.tickets(people, base, lang, rng))
        load("reviews", f"reviews-{part}", g.reviews(people, base, lang, rng))
    load("channel_costs", "channel_costs", _costs(contacts, np.random.default_rng([seed, 999])))
    survey, mapping = data / "store-survey-gbk.csv", data / "store-survey.map.yaml"
    _store_survey(survey, np.random.default_rng([seed, 998]))
    mapping.write_text(STORE_SURVEY_MAP, encoding="utf-8")
    step(f"ingesting {survey.name} with {mapping.name}")
    summary.results["responses"].append(ingest_file(workspace, survey, mapping_path=mapping))
    planted = {
        "seed": seed,
        "customers": customers,
        "lang": lang,
        **g.PLANTED,
        "quarantine": {
            "file": f"data/{survey.name}",
            "rows": {
                "S-9001": "nps: 11 is outside 0–10",
                "S-9002": "ts: cannot parse '2025/13/01 11:15'",
                "S-9003": "touchpoint: unknown '停车场'",
            },
        },
    }
    (root / "planted.json").write_text(
        json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return summary
