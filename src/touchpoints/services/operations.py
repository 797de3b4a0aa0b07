"""The operational dimensions shown beside the index: responsiveness and reach (METRICS.md).

*Responsiveness*: Kaplan–Meier median first-response and resolution times (open tickets censored
at the report time, :mod:`touchpoints.core.metrics.survival`) of the tickets created in the
range, per priority, and the share that met the priority's SLA. A resolution answers the
customer too, so it stands in for a first response that is missing or logged after it. A
ticket still without a response counts as missed once its target has passed and is pending
until then (reported, outside the ratio), so open tickets neither flatter nor punish the
figure early. Durations are calendar time.

*Reach*: the share of configured touchpoints that have any data (answers or interactions),
and the share of customers (through the identity table) seen on two or more channels in
interactions, answers, orders or tickets.

Each function returns its figures per period start (``None`` when not split by period).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from touchpoints.core.metrics.survival import kaplan_meier_median
from touchpoints.model.schema import CXModel
from touchpoints.services.metrics import as_int, as_key, period_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.selection import in_periods, table_sql
from touchpoints.storage.clock import Clock

HOUR = 3600.0


def _hours(seconds: Any) -> float | None:
    value = as_key(seconds)
    return None if value is None else float(value) / HOUR


def _percent(part: Any, whole: Any) -> float | None:
    return 100 * as_int(part) / as_int(whole) if as_int(whole) else None


def responsiveness(
    model: CXModel, con: Any, clock: Clock, query: MetricsQuery, now: datetime
) -> dict[str | None, dict[str, Any]]:
    """Ticket response and resolution against the SLAs, per period (``con``: an Ibis
    backend over the warehouse)."""
    t, keys = in_periods(con, table_sql("tickets"), "created_at", clock, query)
    targets = model.slas.targets()
    sla = ibis.memtable(
        {
            "priority": list(targets),
            "response_s": [t.seconds()[0] for t in targets.values()],
            "resolution_s": [t.seconds()[1] for t in targets.values()],
        },
        schema={"priority": "string", "response_s": "float64", "resolution_s": "float64"},
    )
    t = t.mutate(priority=t.priority.fill_null("normal"))
    t = t.left_join(sla, "priority").select(t, sla.response_s, sla.resolution_s)
    created = t.created_at.epoch_seconds()
    elapsed = ibis.literal(now.timestamp()) - created
    # A resolution answers the customer too: it stands in for a missing or later first response.
    first = ibis.least(
        t.first_response_at.fill_null(t.resolved_at), t.resolved_at.fill_null(t.first_response_at)
    )
    aggregates: dict[str, ir.Scalar] = {"n": t.count()}
    times: dict[str, dict[tuple[Any, ...], float | None]] = {}
    for name, done, target in (
        ("response", first, t.response_s),
        ("resolution", t.resolved_at, t.resolution_s),
    ):
        took = done.epoch_seconds() - created
        aggregates |= {
            f"{name}_done": done.count(),
            f"{name}_due": (target.notnull() & (done.notnull() | (elapsed > target))).sum(),
            f"{name}_met": (target.notnull() & done.notnull() & (took <= target)).sum(),
            f"{name}_pending": (target.notnull() & done.isnull() & (elapsed <= target)).sum(),
        }
        times[name] = _medians(t, keys, took.fill_null(ibis.greatest(elapsed, 0)), done)
    overall = t.aggregate(**aggregates, by=keys) if keys else t.aggregate(**aggregates)
    by_priority = t.aggregate(**aggregates, by=[*keys, t.priority])
    report: dict[str | None, dict[str, Any]] = {}
    for row in overall.execute().to_dict("records"):
        period = period_key(row.get("period"))
        report[period] = _figures(row | _median_of(times, (period, None))) | {
            "clock": "calendar",
            "priorities": [],
        }
    order = ["urgent", "high", "normal", "low"]
    rows = by_priority.execute().to_dict("records")
    rows.sort(key=lambda r: order.index(r["priority"]) if r["priority"] in order else len(order))
    for row in rows:
        target = targets.get(row["priority"])
        response_s, resolution_s = target.seconds() if target else (None, None)
        period = period_key(row.get("period"))
        report[period]["priorities"].append(
            {"priority": row["priority"]}
            | _figures(row | _median_of(times, (period, row["priority"])))
            | {
                "response_target_h": None if response_s is None else response_s / HOUR,
                "resolution_target_h": None if resolution_s is None else resolution_s / HOUR,
            }
        )
    return report


def _medians(
    t: ir.Table, keys: list[Any], took: ir.NumericValue, done: ir.Value
) -> dict[tuple[Any, ...], float | None]:
    """Kaplan–Meier medians of ``took`` (seconds; an open ticket's time so far, censored) by
    (period, priority) and by (period, ``None``) for all priorities: counts per distinct
    time come from the engine, the product-limit from the core."""
    counts = (
        t.mutate(_took=took, _ended=done.notnull().cast("int64"))
        .group_by([*keys, t.priority, "_took"])
        .aggregate(ended=lambda g: g._ended.sum(), n=lambda g: g.count())
        .execute()
    )
    # Labels as the report's: its period key (None when not split by period), the priority.
    counts["period"] = counts["period"].map(period_key) if keys else ""
    medians: dict[tuple[Any, ...], float | None] = {}
    for by in (["period", "priority"], ["period"]):
        for group, rows in counts.groupby(by, sort=False):
            period, priority = (*group, None)[:2] if isinstance(group, tuple) else (group, None)
            ended = rows["ended"].to_numpy()
            medians[(period if keys else None, priority)] = kaplan_meier_median(
                rows["_took"], ended, rows["n"].to_numpy() - ended
            )
    return medians


def _median_of(
    times: dict[str, dict[tuple[Any, ...], float | None]], label: tuple[Any, ...]
) -> dict[str, float | None]:
    return {f"{name}_median_s": found.get(label) for name, found in times.items()}


def no_tickets() -> dict[str, Any]:
    """The figures of a period without tickets."""
    empty = dict.fromkeys(
        ("n", "response_done", "resolution_done", "response_due", "resolution_due"), 0
    )
    missing = dict.fromkeys(
        ("response_median_s", "resolution_median_s", "response_met", "resolution_met")
    ) | {"response_pending": 0, "resolution_pending": 0}
    return _figures(empty | missing) | {"clock": "calendar", "priorities": []}


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": as_int(row["n"]),
        "responded": as_int(row["response_done"]),
        "resolved": as_int(row["resolution_done"]),
        "first_response_median_h": _hours(row["response_median_s"]),
        "resolution_median_h": _hours(row["resolution_median_s"]),
        "response_due": as_int(row["response_due"]),
        "response_pending": as_int(row["response_pending"]),
        "response_attainment": _percent(row["response_met"], row["response_due"]),
        "resolution_due": as_int(row["resolution_due"]),
        "resolution_pending": as_int(row["resolution_pending"]),
        "resolution_attainment": _percent(row["resolution_met"], row["resolution_due"]),
    }


def reach(
    model: CXModel,
    con: Any,
    sources: dict[str, str],
    clock: Clock,
    query: MetricsQuery,
) -> dict[str | None, dict[str, Any]]:
    """Touchpoint coverage and multichannel customers, per period.

    ``sources`` maps a kind to the query of its rows, already restricted to the workspace's
    own brand where that applies; each has ``customer``, ``channel`` and the time column of
    its kind. ``con`` is an Ibis backend over the warehouse.
    """
    identities = con.table("identities")
    times = {"responses": "ts", "interactions": "ts", "orders": "ts", "tickets": "created_at"}
    configured = [t.id for t in model.touchpoints]
    # Each kind is first cut down to one row per (period, customer) with its channels as the
    # bits of an integer, and to its distinct touchpoints: tens of millions of rows become a
    # few million before the identity join.
    bit = {c.id: 1 << i for i, c in enumerate(model.channels)}
    used, met = [], []
    for kind, source in sources.items():
        rows, keys = in_periods(con, source, times[kind], clock, query)
        rows = rows.mutate(period=rows.period if keys else ibis.null("date"))
        known = rows.filter(rows.touchpoint.isin(configured))
        used.append(
            known.group_by("period").aggregate(touchpoint=known.touchpoint.collect(distinct=True))
        )
        people = rows.filter(rows.customer.notnull(), rows.channel.isin(list(bit)))
        mask = people.channel.cases(*bit.items(), else_=0)
        met.append(
            people.group_by(["period", people.customer.cast("string").name("customer")]).aggregate(
                channels=mask.bit_or()
            )
        )
    touched = ibis.union(*used).unnest("touchpoint")
    with_data = touched.group_by("period").aggregate(touchpoints=touched.touchpoint.nunique())
    seen = ibis.union(*met)
    seen = seen.left_join(identities, seen.customer == identities.pseudonym)
    seen = seen.mutate(who=seen.customer_key.fill_null(seen.customer))
    per_customer = seen.group_by(["period", "who"]).aggregate(channels=seen.channels.bit_or())
    several = (per_customer.channels & (per_customer.channels - 1)) != 0  # two or more bits
    customers = per_customer.group_by("period").aggregate(
        customers=per_customer.count(), multichannel=several.sum()
    )
    report: dict[str | None, dict[str, Any]] = {}
    touchpoints = {
        period_key(r["period"]): as_int(r["touchpoints"])
        for r in with_data.execute().to_dict("records")
    }
    for row in customers.execute().to_dict("records"):
        report[period_key(row["period"])] = {
            "customers": {
                "total": as_int(row["customers"]),
                "multichannel": as_int(row["multichannel"]),
                "share": _percent(row["multichannel"], row["customers"]),
            }
        }
    for period, count in touchpoints.items():
        report.setdefault(period, {})["touchpoints"] = {
            "with_data": count,
            "configured": len(configured),
            "share": _percent(count, len(configured)),
        }
    return report
