"""The multi-channel touchpoint satisfaction index (MTSI), from CSAT counts (METRICS.md).

- A touchpoint's score is its CSAT mean rescaled to 0–100.
- A channel's index is the weighted mean of its touchpoints' scores; a stage's likewise.
- The overall index is the weighted mean of the channel indices.

A touchpoint with fewer than ``min_n`` answers drops out and the remaining weights are
renormalised; each node reports its **coverage**, the share of its weight that was actually
measured. Weights are held fixed across resamples.

Intervals are percentile bootstraps (Efron & Tibshirani 1993, ch. 13) that resample
**customers** with all their answers (METRICS.md, *Inference*): a customer answers about five
surveys and their ratings are correlated, so resampling answers would narrow the interval by
the design effect. Resampling the top level of clustered data is Davison & Hinkley (1997,
*Bootstrap Methods and their Application*, §3.8). Every node is a ratio of totals over
customers (rating sums over answers), so a resample needs only each customer's answers and
rating sum per touchpoint, weighed by how often the customer was drawn.

Those counts are drawn as independent Poisson(1) weights (the Poisson bootstrap: Hanley &
MacGibbon 2006, *Computer Methods and Programs in Biomedicine* 83, 57–62; Chamandy et al.
2012, "Estimating uncertainty for massive data streams", Google) rather than as one
multinomial over all customers: for ratios of totals the two agree as customers grow, and
independent weights let customers be taken a block at a time, so the weights of two million
customers never sit in memory at once, and a customer who rated no touchpoint need not be
known at all.

>>> import pandas as pd
>>> counts = pd.DataFrame(
...     {"touchpoint": ["a", "a", "b"], "rating": [5, 3, 4], "count": [30, 10, 40]}
... )
>>> spec = [TouchpointSpec("a", "web", "buy", 1.0), TouchpointSpec("b", "store", "buy", 1.0)]
>>> index = mtsi(counts, spec, {"web": 1, "store": 3}, scale=(1, 5), resamples=0)
>>> index.overall.score, [c.score for c in index.channels]
(78.125, [87.5, 75.0])

Given who answered (here 40 customers, each rating both touchpoints), the interval resamples
customers:

>>> customers = pd.DataFrame({
...     "customer": [*range(40), *range(40)],
...     "touchpoint": ["a"] * 40 + ["b"] * 40,
...     "n": 1,
...     "sum": [5] * 30 + [3] * 10 + [4] * 40,
... })
>>> mtsi(counts, spec, {"web": 1, "store": 3}, scale=(1, 5), customers=customers).method
'bootstrap-customers (percentile), 1000 resamples, seed 0'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from touchpoints.core.bootstrap import check_resamples, check_seed, customer_codes, poisson_totals
from touchpoints.core.rules import rescale

if TYPE_CHECKING:
    from scipy import sparse


@dataclass(frozen=True)
class TouchpointSpec:
    """A touchpoint's place in the tree and its raw (unnormalised) weight."""

    id: str
    channel: str
    stage: str
    weight: float


@dataclass(frozen=True)
class Node:
    """One figure of the index tree; ``id`` is ``None`` for the overall index.

    ``weight`` is the node's share of its parent: a touchpoint's within its channel, a
    channel's within the overall index, a stage's the share of all touchpoint weight in it.
    """

    id: str | None
    score: float | None
    low: float | None
    high: float | None
    n: int
    weight: float
    coverage: float
    insufficient: bool
    channel: str | None = None
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        node: dict[str, Any] = {} if self.id is None else {"id": self.id}
        node |= {
            "score": self.score,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "weight": self.weight,
            "coverage": self.coverage,
            "insufficient": self.insufficient,
        }
        if self.channel is not None:
            node |= {"channel": self.channel, "stage": self.stage}
        return node


@dataclass(frozen=True)
class MTSI:
    overall: Node
    channels: tuple[Node, ...]
    stages: tuple[Node, ...]
    touchpoints: tuple[Node, ...]
    method: str
    confidence: float
    min_n: int

    def to_frame(self) -> pd.DataFrame:
        levels = {
            "overall": (self.overall,),
            "channel": self.channels,
            "stage": self.stages,
            "touchpoint": self.touchpoints,
        }
        return pd.DataFrame(
            [{"level": level} | n.to_dict() for level, nodes in levels.items() for n in nodes]
        )

    def __repr__(self) -> str:
        lines = [f"MTSI {_show(self.overall)} ({self.method})"]
        lines += [f"  {c.id}: {_show(c)}" for c in self.channels]
        return "\n".join(lines)


def _show(node: Node) -> str:
    if node.score is None:
        return f"no data, n={node.n}"
    interval = "" if node.low is None else f" [{node.low:.1f}, {node.high:.1f}]"
    return f"{node.score:.1f}{interval} n={node.n}, coverage {node.coverage:.0%}"


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted means of ``values`` (rows × items) into groups (items × groups), skipping NaN."""
    valid = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = (np.where(valid, values, 0) @ weights) / (valid @ weights)
    return result


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), 0.0)


def _units(
    unit: np.ndarray, touchpoint: np.ndarray, n: np.ndarray, total: np.ndarray, count: int
) -> sparse.csr_matrix:
    """One row per unit (customer or cell): its answers at touchpoint t in column t, their
    rating sum in column ``count`` + t."""
    from scipy import sparse  # 0.2 s to import: only when a bootstrap runs

    rows = int(unit.max()) + 1 if len(unit) else 0
    return sparse.csr_matrix(
        (
            np.concatenate([n, total]),
            (np.concatenate([unit, unit]), np.concatenate([touchpoint, touchpoint + count])),
        ),
        shape=(rows, 2 * count),
    )


def _customer_units(
    customers: pd.DataFrame, ids: list[str], n: np.ndarray, total: np.ndarray
) -> sparse.csr_matrix:
    """:func:`_units` of the customers (:func:`customer_codes`); they must hold the answers
    the counts hold (``n`` and ``total`` per touchpoint)."""
    codes, names = pd.factorize(customers["touchpoint"])  # ten times a Categorical's speed
    touchpoint = np.append(pd.Index(ids).get_indexer(names), -1)[codes]  # -1: none of ids
    answers = customers["n"].to_numpy(dtype=float)
    keep = (touchpoint >= 0) & (answers > 0)
    touchpoint, answers = touchpoint[keep], answers[keep]
    sums = customers["sum"].to_numpy(dtype=float)[keep]
    found = np.bincount(touchpoint, answers, len(ids)), np.bincount(touchpoint, sums, len(ids))
    if not (np.array_equal(found[0], n) and np.allclose(found[1], total)):
        raise ValueError("customers do not hold the answers of counts: give both from one query")
    unit = customer_codes(customers["customer"].to_numpy()[keep])
    return _units(unit, touchpoint, answers, sums, len(ids))


def mtsi(
    counts: pd.DataFrame,
    touchpoints: Sequence[TouchpointSpec],
    channel_weights: Mapping[str, float],
    *,
    scale: tuple[int, int],
    min_n: int = 30,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
    customers: pd.DataFrame | None = None,
    channels: Sequence[str] = (),
) -> MTSI:
    """The index tree from CSAT ``counts`` (columns ``touchpoint, rating, count``).

    ``customers`` says who gave those answers: per customer and touchpoint, the answers and
    the sum of their ratings (columns ``customer, touchpoint, n, sum``). The interval then
    resamples customers (``bootstrap-customers``); without it every answer is a customer of
    its own (``bootstrap-responses``), which is right only where nobody answers twice and
    otherwise too narrow. A seed gives the same interval for the same answers, in any row
    order (customers are drawn in the order of their labels); the scores and n come from
    ``counts`` either way.
    ``channels`` lists every channel of the model, in order: one without touchpoints keeps
    its weight in the overall index with nothing measured, which lowers the coverage.
    Channels not listed and the stages come in the order their first touchpoint is listed.
    """
    ids = [t.id for t in touchpoints]
    check_resamples(resamples)
    check_seed(seed)
    channels = list(dict.fromkeys([*channels, *(t.channel for t in touchpoints)]))
    stages = list(dict.fromkeys(t.stage for t in touchpoints))
    cells = counts[counts["touchpoint"].isin(ids) & (counts["count"] > 0)]
    cell_tp = cells["touchpoint"].map({t: i for i, t in enumerate(ids)}).to_numpy(dtype=int)
    ratings = cells["rating"].to_numpy(dtype=float)
    observed = cells["count"].to_numpy(dtype=np.int64)
    n_tp = np.bincount(cell_tp, observed, len(ids))[None, :]
    sums = np.bincount(cell_tp, observed * ratings, len(ids))[None, :]
    if resamples:
        if customers is None:  # a cell of k answers is k customers: Poisson(k) in all
            units = _units(np.arange(len(cells)), cell_tp, np.ones(len(cells)), ratings, len(ids))
            drawn = poisson_totals(units, resamples, seed, copies=observed)
        else:
            units = _customer_units(customers, ids, n_tp[0], sums[0])
            drawn = poisson_totals(units, resamples, seed)
        n_tp = np.vstack([n_tp, drawn[:, : len(ids)]])
        sums = np.vstack([sums, drawn[:, len(ids) :]])
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = rescale(sums / n_tp, scale)

    n = n_tp[0].astype(int)
    measured = n >= min_n
    raw = np.array([t.weight for t in touchpoints], dtype=float)
    in_channel = np.array([[t.channel == c for c in channels] for t in touchpoints], dtype=float)
    in_stage = np.array([[t.stage == s for s in stages] for t in touchpoints], dtype=float)
    tp_weight = _share(raw, (raw[:, None] * in_channel).sum(axis=0) @ in_channel.T)
    used = (tp_weight * measured)[:, None]
    channel_scores = _weighted(scores, used * in_channel)
    channel_coverage = (used * in_channel).sum(axis=0)
    ch_raw = np.array([max(float(channel_weights.get(c, 0.0)), 0.0) for c in channels])
    if ch_raw.sum() <= 0:
        raise ValueError("every channel weight is zero: the overall index has nothing to weigh")
    ch_weight = ch_raw / ch_raw.sum()
    overall = _weighted(channel_scores, ch_weight[:, None])[:, 0]
    # A stage spans channels, so its touchpoints are weighed by their global weights
    # g_t = W_k × w_kt (METRICS.md): raw weights are shares within one channel (stated) or 1
    # each (equal), and mixing them raw lets one channel's 1.0 outweigh another's 0.2.
    global_weight = tp_weight * (in_channel @ ch_weight)
    stage_g = global_weight[:, None] * in_stage
    stage_scores = _weighted(scores, measured[:, None] * stage_g)
    stage_coverage = _share((measured[:, None] * stage_g).sum(axis=0), stage_g.sum(axis=0))
    stage_weight = stage_g.sum(axis=0)

    quantiles = [(1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100]

    def node(
        values: np.ndarray,
        node_id: str | None,
        count: int,
        weight: float,
        coverage: float,
        channel: str | None = None,
        stage: str | None = None,
    ) -> Node:
        score = None if np.isnan(values[0]) else float(values[0])
        interval: tuple[float | None, float | None] = (None, None)
        if score is not None and len(values) > 1 and not np.isnan(values[1:]).all():
            found = np.nanpercentile(values[1:], quantiles)
            interval = (float(found[0]), float(found[1]))
        insufficient = score is None or (node_id in ids and count < min_n)
        return Node(
            node_id,
            score,
            *interval,
            count,
            float(weight),
            float(coverage),
            insufficient,
            channel,
            stage,
        )

    tp_nodes = tuple(
        node(
            scores[:, i],
            t.id,
            int(n[i]),
            tp_weight[i],
            float(measured[i]),
            channel=t.channel,
            stage=t.stage,
        )
        for i, t in enumerate(touchpoints)
    )
    channel_nodes = tuple(
        node(channel_scores[:, j], c, int(n @ in_channel[:, j]), ch_weight[j], channel_coverage[j])
        for j, c in enumerate(channels)
    )
    stage_nodes = tuple(
        node(stage_scores[:, j], s, int(n @ in_stage[:, j]), stage_weight[j], stage_coverage[j])
        for j, s in enumerate(stages)
    )
    overall_node = node(overall, None, int(n.sum()), 1.0, float(channel_coverage @ ch_weight))
    unit = "responses" if customers is None else "customers"
    method = (
        f"bootstrap-{unit} (percentile), {resamples} resamples, seed {seed}"
        if resamples
        else "no interval"
    )
    return MTSI(overall_node, channel_nodes, stage_nodes, tp_nodes, method, confidence, min_n)
