"""The canonical kinds of data and their columns (CONTRACTS.md, *Canonical kinds*).

A kind is declared once here; the mapper, the validator and the status report read these
declarations, so adding a kind means adding a declaration and its table migration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Role = Literal[
    "id",  # the record's key
    "timestamp",
    "identifier",  # pseudonymised at the door
    "channel",
    "touchpoint",
    "score",  # an integer answer on a scale
    "free_text",  # masked for PII before storage
    "language",
    "label",  # a short free value: segment, region, variant
    "brand",
]


@dataclass(frozen=True)
class Column:
    name: str
    role: Role
    required: bool = False
    scale: str | None = None  # for scores: "nps" is fixed 0–10, others from metrics.scales
    answer: bool = False  # counts as an answer ("a response needs at least one answer")


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    columns: tuple[Column, ...]
    event: bool  # events never change once stored; states are updated (later kinds)
    items_table: str | None = None

    @property
    def id_column(self) -> str:
        return next(c.name for c in self.columns if c.role == "id")

    @property
    def time_column(self) -> str:
        return next(c.name for c in self.columns if c.role == "timestamp")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


RESPONSES = Kind(
    name="responses",
    table="responses",
    event=True,
    items_table="response_items",
    columns=(
        Column("response_id", "id", required=True),
        Column("ts", "timestamp", required=True),
        Column("customer", "identifier"),
        Column("channel", "channel"),
        Column("touchpoint", "touchpoint"),
        Column("nps", "score", scale="nps", answer=True),
        Column("csat", "score", scale="csat", answer=True),
        Column("ces", "score", scale="ces", answer=True),
        Column("comment", "free_text", answer=True),
        Column("language", "language"),
        Column("segment", "label"),
        Column("region", "label"),
        Column("variant", "label"),
        Column("brand", "brand"),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (RESPONSES,)}


@dataclass(frozen=True)
class ItemRule:
    """How an item column (a mapped name with a dot) is read and checked."""

    pattern: re.Pattern[str]
    low: float | None  # None: any number; no rule at all: kept as text
    high: float | None
    integer: bool
    meaning: str


ITEM_RULES = (
    ItemRule(re.compile(r"^kano\.[^.]+\.(f|d)$"), 1, 5, True, "KANO answer 1–5"),
    ItemRule(re.compile(r"^servqual\.weight\.[^.]+$"), 0, 100, False, "SERVQUAL weight 0–100"),
    ItemRule(re.compile(r"^servqual\.\d+\.(e|p)$"), 1, 7, True, "SERVQUAL rating 1–7"),
    ItemRule(re.compile(r"^attr\.[^.]+$"), None, None, False, "attribute rating"),
    ItemRule(re.compile(r"^sem\.[^.]+\.[^.]+$"), None, None, False, "structural-model item"),
)
ITEM_PREFIXES = ("attr.", "kano.", "servqual.", "sem.", "item.")


def item_rule(name: str) -> ItemRule | None:
    """The rule for an item, ``None`` for a free item (``item.x``) kept as text."""
    return next((r for r in ITEM_RULES if r.pattern.match(name)), None)


def item_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid item name, or ``None`` when it is."""
    prefix = name.split(".", 1)[0]
    if prefix in ("kano", "servqual", "attr", "sem") and item_rule(name) is None:
        return {
            "kano": "KANO items are kano.<attribute>.f or kano.<attribute>.d",
            "servqual": "SERVQUAL items are servqual.<n>.e, servqual.<n>.p or "
            "servqual.weight.<dimension>",
            "attr": "attribute items are attr.<name>",
            "sem": "structural-model items are sem.<construct>.<k>",
        }[prefix]
    return None
