"""``touchpoints index``: the MTSI tree with its weights, consistency, responsiveness and reach.

The engine sends back small tables (CSAT counts per period, touchpoint and rating; contacts per
channel; ticket medians; customers per channel count); the pure cores in
:mod:`touchpoints.core.index` and :mod:`touchpoints.core.metrics` do the rest. Only the
workspace's own brand counts: competitor answers from benchmark surveys stay out of the index.
Derived weights are learned once over the whole range, so the periods of a trend are weighed
alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from touchpoints.core.bootstrap import check_resamples, check_seed
from touchpoints.core.index import TouchpointSpec, mtsi
from touchpoints.core.metrics.consistency import consistency_from_counts, judge
from touchpoints.core.rules import top_box_from
from touchpoints.errors import ParameterError, UserInputError
from touchpoints.model.schema import CXModel
from touchpoints.services.metrics import period_key
from touchpoints.services.operations import no_tickets, reach, responsiveness
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.index import IndexReport, IndexResult
from touchpoints.services.selection import (
    in_periods,
    in_periods_sql,
    own_responses_sql,
    table_sql,
)
from touchpoints.services.weights import derived_weights, stated_weights
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder


def _touchpoint_weights(
    model: CXModel, con: Any, responses: ir.Table, resamples: int, seed: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """The touchpoints' weights within their channels, and how they were found. Derived
    weights get their customer-bootstrap intervals unless the index was asked for none
    (``resamples`` 0)."""
    mode = model.index.touchpoint_weights
    if mode == "derived":
        weights, derivation = derived_weights(
            model,
            responses,
            con.table("response_items"),
            con.table("identities"),
            resamples=200 if resamples else 0,
            seed=seed,
        )
        used = "derived" if derivation["source"] else "equal"
        return weights, {"touchpoints": used, "derivation": derivation}
    if mode == "stated" and any(t.weight is not None for t in model.touchpoints):
        return stated_weights(model), {"touchpoints": "stated"}
    return {t.id: 1.0 for t in model.touchpoints}, {"touchpoints": "equal"}


def _channel_weights(model: CXModel, contacts: dict[str, float]) -> tuple[dict[str, float], str]:
    """One period's channel weights and what they are: stated, contacts or equal."""
    if model.index.channel_weights == "stated":
        stated = [c.weight for c in model.channels if c.weight is not None]
        if stated and sum(stated) <= 0:
            raise UserInputError(
                "every channel has weight 0: with index.channel_weights: stated, give at "
                "least one channel a positive weight"
            )
        if stated:
            fill = float(np.mean(stated))
            return {c.id: fill if c.weight is None else c.weight for c in model.channels}, "stated"
    elif any(contacts.get(t.channel, 0) > 0 for t in model.touchpoints):
        # Touchpoint answers are contacts too, so a period with answers always has some.
        return contacts, "contacts"
    return {c.id: 1.0 for c in model.channels}, "equal"


def _contacts(
    model: CXModel, con: Any, clock: Clock, query: MetricsQuery
) -> dict[str | None, dict[str, float]]:
    """Contacts per channel, per period (METRICS.md: MTSI): distinct (customer, local day)
    pairs with an interaction, a ticket or a touchpoint answer on the channel.

    Counting events would weigh a channel by how much it logs: a web visit writes dozens of
    clickstream events, a call one. A customer is the linked one (through ``identities``); a
    record without a customer counts once per session, else alone.
    """
    records = (
        "SELECT channel, ts, customer, session FROM interactions "
        "UNION ALL SELECT channel, created_at, customer, NULL FROM tickets "
        "UNION ALL SELECT channel, ts, customer, NULL FROM "
        f"({own_responses_sql(model)}) WHERE touchpoint IS NOT NULL"
    )
    linked = (
        "SELECT r.channel, r.ts, r.session, COALESCE(i.customer_key, r.customer) AS customer "
        f"FROM ({records}) r LEFT JOIN identities i ON i.pseudonym = r.customer "
        "WHERE r.channel IS NOT NULL"
    )
    selected, keys = in_periods_sql(linked, "ts", clock, query)
    day = f"CAST(CAST({clock.local_sql('ts')} AS DATE) AS VARCHAR)"
    who = (
        f"CASE WHEN customer IS NOT NULL THEN customer || '|' || {day} "
        "WHEN session IS NOT NULL THEN 'session|' || session END"
    )
    counted = con.sql(
        f"SELECT {''.join(k + ', ' for k in keys)}channel, count(DISTINCT {who}) + "
        "count(*) FILTER (WHERE customer IS NULL AND session IS NULL) AS contacts "
        f"FROM ({selected}) GROUP BY ALL"
    )
    found: dict[str | None, dict[str, float]] = {}
    for row in counted.execute().to_dict("records"):
        found.setdefault(period_key(row.get("period")), {})[row["channel"]] = float(row["contacts"])
    return found


def _group_tables(
    counts: pd.DataFrame, channel_of: dict[str, str], group_of: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """Per group (a type, a stage): answers per channel (rows) and rating (columns), the
    ratings those of the group's own answers, from one pivot of all the counts."""
    keyed = counts.assign(
        group=counts["touchpoint"].map(group_of), channel=counts["touchpoint"].map(channel_of)
    ).dropna(subset=["group"])
    if keyed.empty:
        return {}
    pivot = keyed.pivot_table(
        index=["group", "channel"], columns="rating", values="count", aggfunc="sum"
    ).fillna(0)
    return {
        str(group): table.droplevel("group").loc[:, table.sum() > 0]
        for group, table in pivot.groupby(level="group")
    }


def _consistency(model: CXModel, counts: pd.DataFrame, alpha: float) -> list[dict[str, Any]]:
    """Consistency across channels of each touchpoint type, then of each stage.

    Touchpoints and counts are grouped once each way: a scan of the touchpoints and a filter
    of the counts per group cost groups × touchpoints (a model of 20,000 touchpoints has
    thousands of types). Whether a group differs is judged over all of them at once
    (:func:`touchpoints.core.metrics.consistency.judge`)."""

    channel_of = {t.id: t.channel for t in model.touchpoints}
    type_of = {t.id: t.type for t in model.touchpoints if t.type}
    stage_of = {t.id: t.stage for t in model.touchpoints}
    # The channels each group spans: types as the model first names them, then the stages.
    by_type: dict[str, set[str]] = {}
    by_stage: dict[str, set[str]] = {s.id: set() for s in model.stages}
    for t in model.touchpoints:
        if t.type:
            by_type.setdefault(t.type, set()).add(t.channel)
        by_stage[t.stage].add(t.channel)
    channels = [("type", k, c) for k, c in by_type.items()]
    channels += [("stage", k, c) for k, c in by_stage.items()]
    tables = {
        "type": _group_tables(counts, channel_of, type_of),
        "stage": _group_tables(counts, channel_of, stage_of),
    }
    no_answers = pd.DataFrame(dtype=float)
    scale = model.metrics.scales.csat
    top = top_box_from(scale)
    found: list[dict[str, Any]] = []
    measured, results = [], []
    for group, group_id, spanned in channels:
        if len(spanned) < 2:
            continue
        table = tables[group].get(group_id, no_answers)
        n = table.sum(axis=1)
        enough = table[n >= model.metrics.min_n]
        entry: dict[str, Any] = {
            "group": group,
            "id": group_id,
            "insufficient_channels": sorted(n[n < model.metrics.min_n].index),
        }
        found.append(entry)
        if len(enough) < 2:
            entry |= {"score": None, "channels": []}
        else:
            measured.append(entry)
            results.append(consistency_from_counts(enough, scale=scale, top_from=top))
    # One Benjamini–Hochberg family for every group of this report (types and stages).
    verdicts = judge(
        results,
        confidence=1 - alpha,
        practical=model.metrics.practical_difference * (scale[1] - scale[0]),
    )
    for entry, result, verdict in zip(measured, results, verdicts, strict=True):
        entry |= {
            "score": result.score,
            "range": result.range,
            "channels": [
                {"channel": c, "score": s, "n": k, "mean": m, "sd": d}
                for c, s, k, m, d in zip(
                    result.channels,
                    result.scores,
                    result.n,
                    result.means,
                    result.sds,
                    strict=True,
                )
            ],
            "chi2": result.chi2,
            "chi2_p": result.chi2_p,
            "kruskal_h": result.kruskal_h,
            "kruskal_p": result.kruskal_p,
            "epsilon2": result.epsilon2,
            "q": verdict.q,
            "brown_forsythe": result.brown_forsythe,
            "brown_forsythe_p": result.brown_forsythe_p,
            "spread_q": verdict.spread_q,
            "sd_max": result.sd_max,
            "sd_min": result.sd_min,
            "practical_difference": verdict.practical_difference,
            "differ": verdict.differ,
            "spread_differs": verdict.spread_differs,
            "method": verdict.method,
        }
    return found


def index_report(
    workspace: WorkspaceFolder,
    query: MetricsQuery,
    *,
    resamples: int = 1000,
    seed: int = 0,
    now: datetime | None = None,
) -> IndexResult:
    """The MTSI over the range, or one per period: the pinned ``touchpoints index`` shape
    (CONTRACTS.md)."""
    if query.by or query.where:
        raise ParameterError("by", "the index takes no {by} or {where}: it is the whole tree")
    query.check()
    check_resamples(resamples)  # before the engine is asked
    check_seed(seed)
    model = workspace.model
    if not model.touchpoints:
        raise UserInputError("the model has no touchpoints: the index has nothing to measure")
    ids = [t.id for t in model.touchpoints]
    with workspace.warehouse() as warehouse:
        con = warehouse.ibis()
        clock = Clock.covering(warehouse, model.timezone)
        own = own_responses_sql(model)
        answers, keys = in_periods(con, own, "ts", clock, query)
        rated = answers.filter(answers.touchpoint.isin(ids), answers.csat.notnull())
        counts = (
            rated.group_by([*keys, "touchpoint", rated.csat.name("rating")])
            .aggregate(count=rated.count())
            .order_by([*keys, "touchpoint", "rating"])
            .execute()
        )
        # Who gave them, for an interval that resamples customers (METRICS.md, *Inference*):
        # per customer and touchpoint the answers and their rating sum. The customer is the
        # linked one, else the pseudonym, else the answer alone (as services.grouped); it
        # leaves the engine as its rank among the keys, so that a seed draws alike in any row
        # order. Sums as doubles: the engine's integer sums are 128-bit and cross slowly.
        customers = None
        if resamples:
            identities = con.table("identities")
            linked = rated.left_join(identities, rated.customer == identities.pseudonym)
            key = linked.customer_key.fill_null(linked.customer).fill_null(
                "response|" + linked.response_id
            )
            sums = linked.group_by([*keys, key.name("key"), "touchpoint"]).aggregate(
                n=linked.count(), sum=linked.csat.cast("float64").sum()
            )
            customers = sums.select(
                *keys, "touchpoint", "n", "sum", customer=sums.key.dense_rank()
            ).execute()
        answered = (
            {period_key(p) for p in answers.select("period").distinct().execute()["period"]}
            if query.period
            else set()
        )
        tp_weights, weights_info = _touchpoint_weights(model, con, answers, resamples, seed)
        contacts = _contacts(model, con, clock, query)
        service = responsiveness(model, con, clock, query, now or datetime.now(UTC))
        kinds = {
            "responses": own,
            **{k: table_sql(k) for k in ("interactions", "orders", "tickets")},
        }
        seen = reach(model, con, kinds, clock, query)
    if "period" in counts:
        counts["period"] = counts["period"].map(period_key)
    by_period: dict[str | None, pd.DataFrame] = {}
    if customers is not None:
        parts = customers.groupby("period", sort=False) if query.period else [(None, customers)]
        by_period = {period_key(k): part for k, part in parts}
    specs = [TouchpointSpec(t.id, t.channel, t.stage, tp_weights[t.id]) for t in model.touchpoints]
    alpha = 1 - model.metrics.confidence
    reports: list[IndexReport] = []
    periods = {*answered, *contacts, *service, *seen} if query.period else {None}
    for period in sorted(periods, key=lambda p: p or ""):
        part = counts[counts["period"] == period] if query.period else counts
        channel_weights, channel_mode = _channel_weights(model, contacts.get(period, {}))
        tree = mtsi(
            part[["touchpoint", "rating", "count"]],
            specs,
            channel_weights,
            scale=model.metrics.scales.csat,
            min_n=model.metrics.min_n,
            confidence=model.metrics.confidence,
            resamples=resamples,
            seed=seed,
            customers=None if customers is None else by_period.get(period, customers[:0]),
            channels=[c.id for c in model.channels],
        )
        reached = {
            "touchpoints": {"with_data": 0, "configured": len(ids), "share": 0.0},
            "customers": {"total": 0, "multichannel": 0, "share": None},
        } | seen.get(period, {})
        reports.append(
            IndexReport(
                period=period,
                overall=tree.overall,
                channels=tree.channels,
                stages=tree.stages,
                touchpoints=tree.touchpoints,
                consistency=tuple(_consistency(model, part, alpha)),
                responsiveness=service.get(period) or no_tickets(),
                reach=reached,
                weights=weights_info | {"channels": channel_mode},
                method=tree.method,
                confidence=tree.confidence,
                min_n=tree.min_n,
            )
        )
    return IndexResult(tuple(reports), by_period=bool(query.period))
