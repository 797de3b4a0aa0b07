"""The canonical kinds of data and their columns (CONTRACTS.md, *Canonical kinds*).

A kind is declared once here; the mapper, the validator and the status report read these
declarations, so adding a kind means adding a declaration and its table migration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Role = Literal[
    "id",  # the record's key in its source
    "timestamp",
    "date",
    "identifier",  # pseudonymised at the door
    "channel",
    "touchpoint",
    "platform",  # a review platform; it names a channel through the channels' aliases
    "score",  # an integer answer on a scale
    "number",
    "enum",
    "currency",
    "free_text",  # masked for PII before storage
    "language",
    "label",  # a short free value: segment, region, status
    "brand",
]


@dataclass(frozen=True)
class Column:
    name: str
    role: Role
    required: bool = False
    scale: str | None = None  # score: "nps" is fixed 0–10, others from metrics.scales
    answer: bool = False  # counts as an answer (a response or review needs one)
    low: float | None = None  # number
    high: float | None = None
    integer: bool = False
    values: tuple[str, ...] = ()  # enum: allowed values, lower case
    default: str | None = None  # enum


@dataclass(frozen=True)
class Kind:
    """A canonical kind. Events never change once stored; a state (``event=False``) with a
    known key and new content replaces the stored record, whose old version moves to
    ``<table>_history``."""

    name: str
    singular: str
    table: str
    key: tuple[str, ...]
    time_column: str
    columns: tuple[Column, ...]
    event: bool
    items_table: str | None = None
    answer_message: str = "no answer"
    one_of: tuple[str, ...] = ()  # at least one of these columns is needed
    in_order: tuple[tuple[str, str], ...] = ()  # (earlier, later) times that must not be swapped

    @property
    def id_column(self) -> str:
        """The key column of a kind keyed by one column (items refer to it)."""
        return self.key[0]

    @property
    def history_table(self) -> str:
        return f"{self.table}_history"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


RESPONSES = Kind(
    name="responses",
    singular="response",
    table="responses",
    key=("response_id",),
    time_column="ts",
    event=True,
    items_table="response_items",
    answer_message="no answer (a score, an item or a comment is needed)",
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

INTERACTIONS = Kind(
    name="interactions",
    singular="interaction",
    table="interactions",
    key=("event_id",),
    time_column="ts",
    event=True,
    one_of=("channel", "touchpoint"),
    columns=(
        Column("event_id", "id", required=True),
        Column("ts", "timestamp", required=True),
        Column("customer", "identifier"),
        Column("session", "label"),
        Column("channel", "channel"),
        Column("touchpoint", "touchpoint"),
        Column("event", "label"),
        Column("outcome", "enum", values=("completed", "abandoned", "error")),
        Column("duration_s", "number", low=0),
        Column("cost", "number", low=0),
        Column("amount", "number"),
    ),
)

TICKETS = Kind(
    name="tickets",
    singular="ticket",
    table="tickets",
    key=("ticket_id",),
    time_column="created_at",
    event=False,
    in_order=(("created_at", "first_response_at"), ("created_at", "resolved_at")),
    columns=(
        Column("ticket_id", "id", required=True),
        Column("created_at", "timestamp", required=True),
        Column("customer", "identifier"),
        Column("channel", "channel"),
        Column("touchpoint", "touchpoint"),
        Column("category", "label"),
        Column("priority", "enum", values=("low", "normal", "high", "urgent"), default="normal"),
        Column("status", "label"),
        Column("first_response_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("team", "label"),
        Column("agent", "identifier"),
        Column("subject", "free_text"),
        Column("body", "free_text"),
        Column("csat", "score", scale="csat"),
    ),
)

REVIEWS = Kind(
    name="reviews",
    singular="review",
    table="reviews",
    key=("review_id",),
    time_column="ts",
    event=True,
    answer_message="no answer (a rating, a title or a text is needed)",
    columns=(
        Column("review_id", "id", required=True),
        Column("ts", "timestamp", required=True),
        Column("platform", "platform"),
        Column("channel", "channel"),
        Column("touchpoint", "touchpoint"),
        Column("customer", "identifier"),
        Column("rating", "score", scale="rating", answer=True),
        Column("title", "free_text", answer=True),
        Column("text", "free_text", answer=True),
        Column("language", "language"),
        Column("brand", "brand"),
    ),
)

ORDERS = Kind(
    name="orders",
    singular="order",
    table="orders",
    key=("order_id",),
    time_column="ts",
    event=True,
    columns=(
        Column("order_id", "id", required=True),
        Column("ts", "timestamp", required=True),
        Column("customer", "identifier", required=True),
        Column("amount", "number", required=True),  # signed: a refund is negative
        Column("channel", "channel"),
        Column("touchpoint", "touchpoint"),
        Column("currency", "currency"),
        Column("quantity", "number"),
    ),
)

CUSTOMERS = Kind(
    name="customers",
    singular="customer",
    table="customers",
    key=("customer",),
    time_column="join_date",
    event=False,
    items_table="customer_items",
    columns=(
        Column("customer", "identifier", required=True),
        Column("email", "identifier"),
        Column("phone", "identifier"),
        Column("member_id", "identifier"),
        Column("join_date", "date"),
        Column("segment", "label"),
        Column("region", "label"),
    ),
)

CHANNEL_COSTS = Kind(
    name="channel_costs",
    singular="channel cost",
    table="channel_costs",
    key=("channel", "period_start", "period_end"),
    time_column="period_start",
    event=False,
    in_order=(("period_start", "period_end"),),
    columns=(
        Column("channel", "channel", required=True),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("cost", "number", required=True, low=0),
        Column("contacts", "number", low=0, integer=True),
        Column("currency", "currency"),
    ),
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (RESPONSES, INTERACTIONS, TICKETS, REVIEWS, ORDERS, CUSTOMERS, CHANNEL_COSTS)
}


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
