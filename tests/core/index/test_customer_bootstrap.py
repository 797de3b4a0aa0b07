"""The MTSI interval resamples customers (METRICS.md, *Inference*): checked against a brute-force
cluster bootstrap on rows, the answer-level bootstrap where nobody answers twice, and a clustered
table whose interval must widen."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from touchpoints.core import bootstrap
from touchpoints.core.bootstrap import poisson_totals
from touchpoints.core.index import TouchpointSpec, mtsi

SPECS = [
    TouchpointSpec("a", "web", "buy", 1.0),
    TouchpointSpec("b", "web", "use", 3.0),
    TouchpointSpec("c", "store", "buy", 1.0),
]
CHANNELS = {"web": 2, "store": 1}
# Twelve customers by hand: who answered where, and how. c1 answers a twice; c12 has no
# customer (an answer without one is a customer of its own).
ANSWERS = pd.DataFrame(
    [
        ("c1", "a", 5),
        ("c1", "a", 4),
        ("c1", "b", 5),
        ("c2", "a", 2),
        ("c2", "c", 1),
        ("c3", "b", 4),
        ("c3", "c", 5),
        ("c4", "a", 3),
        ("c5", "b", 1),
        ("c5", "c", 2),
        ("c6", "a", 5),
        ("c6", "b", 5),
        ("c6", "c", 4),
        ("c7", "b", 2),
        ("c8", "c", 3),
        ("c9", "a", 1),
        ("c9", "b", 2),
        ("c10", "c", 5),
        ("c11", "a", 4),
        ("c11", "c", 4),
        (None, "b", 3),
    ],
    columns=["customer", "touchpoint", "rating"],
)


def _counts(answers: pd.DataFrame) -> pd.DataFrame:
    return answers.value_counts(["touchpoint", "rating"]).rename("count").reset_index()


def _customers(answers: pd.DataFrame) -> pd.DataFrame:
    """Per customer and touchpoint: answers and rating sum."""
    return (
        answers.groupby(["customer", "touchpoint"], sort=False, dropna=False)["rating"]
        .agg(n="size", sum="sum")
        .reset_index()
    )


def _weights(customers: int, resamples: int, seed: int) -> np.ndarray:
    """The weight each customer gets in each resample (resamples × customers): the totals of
    an identity matrix, one column per customer."""
    return poisson_totals(sparse.identity(customers, format="csr"), resamples, seed)


def _nodes(index: object) -> dict[str, object]:
    nodes = (index.overall, *index.channels, *index.stages, *index.touchpoints)  # type: ignore[attr-defined]
    return {str(n.id): n for n in nodes}


def test_each_resample_is_the_tree_of_the_customers_it_draws() -> None:
    """Brute force, same draws: resample r repeats each customer's rows as often as the
    customer was drawn, recomputes the whole tree from those rows, and the percentiles of
    those trees are the interval."""
    customers = _customers(ANSWERS)
    resamples, seed = 400, 7
    found = mtsi(
        _counts(ANSWERS),
        SPECS,
        CHANNELS,
        scale=(1, 5),
        min_n=1,
        resamples=resamples,
        seed=seed,
        customers=customers,
    )
    assert found.method == "bootstrap-customers (percentile), 400 resamples, seed 7"
    # Customers are numbered in the order of their labels; the one without comes last.
    labels = ANSWERS["customer"].fillna("~alone")
    order = sorted(set(labels))
    weights = _weights(len(order), resamples, seed)
    assert np.array_equal(weights, np.round(weights))  # whole draws
    trees = []
    for drawn in weights:
        times = labels.map(dict(zip(order, drawn, strict=True))).astype(int)
        rows = ANSWERS.loc[ANSWERS.index.repeat(times)]
        trees.append(
            _nodes(mtsi(_counts(rows), SPECS, CHANNELS, scale=(1, 5), min_n=1, resamples=0))
        )
    for name, node in _nodes(found).items():
        scores = [t[name].score for t in trees if t[name].score is not None]  # type: ignore[attr-defined]
        low, high = np.percentile(scores, [2.5, 97.5])
        assert (node.low, node.high) == (pytest.approx(low), pytest.approx(high)), name  # type: ignore[attr-defined]


def test_the_order_of_the_rows_changes_nothing() -> None:
    customers = _customers(ANSWERS)
    shuffled = customers.sample(frac=1, random_state=1)
    args = (_counts(ANSWERS), SPECS, CHANNELS)
    first = mtsi(*args, scale=(1, 5), min_n=1, customers=customers)
    again = mtsi(*args, scale=(1, 5), min_n=1, customers=shuffled)
    assert _nodes(first) == _nodes(again)


def test_point_estimates_do_not_move() -> None:
    counts = _counts(ANSWERS)
    plain = mtsi(counts, SPECS, CHANNELS, scale=(1, 5), min_n=1, resamples=0)
    clustered = mtsi(counts, SPECS, CHANNELS, scale=(1, 5), min_n=1, customers=_customers(ANSWERS))
    for name, node in _nodes(plain).items():
        other = _nodes(clustered)[name]
        assert (other.score, other.n, other.coverage) == (node.score, node.n, node.coverage)  # type: ignore[attr-defined]


def _clustered(customers: int, answers: int, spread: float, seed: int) -> pd.DataFrame:
    """``answers`` ratings per customer on random touchpoints a–c: the customer's own level
    (spread ``spread``) plus noise, so a customer's answers are correlated."""
    rng = np.random.default_rng(seed)
    who = np.repeat(np.arange(customers), answers)
    level = rng.normal(0, spread, customers)[who] + rng.normal(0, 1, len(who))
    return pd.DataFrame(
        {
            "customer": who,
            "touchpoint": rng.choice(["a", "b", "c"], len(who)),
            "rating": np.clip(np.round(3 + level), 1, 5).astype(int),
        }
    )


def _overall(n: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The overall index of SPECS and CHANNELS by its formula, from answers and rating sums
    per touchpoint a, b, c (one row per resample): channels 2 : 1, web's a : b = 1 : 3."""
    a, b, c = ((total / n - 1) / 4 * 100).T
    result: np.ndarray = (2 * (0.25 * a + 0.75 * b) + c) / 3
    return result


def _by_customer(answers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: answers and rating sums at a, b, c."""
    table = answers.pivot_table(
        index="customer", columns="touchpoint", values="rating", aggfunc=["size", "sum"]
    ).fillna(0)
    return table["size"][list("abc")].to_numpy(), table["sum"][list("abc")].to_numpy()


def test_agrees_with_drawing_customers_with_replacement() -> None:
    """The Poisson bootstrap against Efron's: as many customers as there are, drawn with
    replacement, each with all their answers (Davison & Hinkley 1997, §3.8), on a clustered
    table."""
    answers = _clustered(400, 4, 1.0, seed=3)
    found = mtsi(_counts(answers), SPECS, CHANNELS, scale=(1, 5), customers=_customers(answers))
    n, total = _by_customer(answers)
    rng = np.random.default_rng(11)
    times = np.array(
        [np.bincount(rng.integers(0, len(n), len(n)), minlength=len(n)) for _ in range(2000)]
    )
    low, high = np.percentile(_overall(times @ n, times @ total), [2.5, 97.5])
    assert found.overall.low == pytest.approx(low, abs=0.4)
    assert found.overall.high == pytest.approx(high, abs=0.4)


def test_with_one_answer_each_the_width_is_the_answer_bootstraps() -> None:
    """Where nobody answers twice, customers are answers: the width of the interval before
    customers were known (a multinomial draw over the touchpoint × rating cells, resampling
    answers) comes back, up to Monte Carlo error."""
    answers = _clustered(1200, 1, 1.0, seed=5)
    counts = _counts(answers)
    found = mtsi(
        counts, SPECS, CHANNELS, scale=(1, 5), resamples=2000, customers=_customers(answers)
    )
    observed = counts["count"].to_numpy()
    rng = np.random.default_rng(6)
    draws = rng.multinomial(observed.sum(), observed / observed.sum(), size=2000)
    cells = (counts["touchpoint"].to_numpy()[:, None] == np.array(list("abc"))).astype(float)
    ratings = counts["rating"].to_numpy()[:, None]
    low, high = np.percentile(_overall(draws @ cells, draws @ (cells * ratings)), [2.5, 97.5])
    width = found.overall.high - found.overall.low  # type: ignore[operator]
    # Two Monte Carlo estimates of one width, 2,000 resamples each, each within about 3 %.
    assert width == pytest.approx(high - low, rel=0.1)


def test_clustered_answers_widen_the_interval() -> None:
    """Five answers a customer sharing most of their variance: the design effect
    1 + (m − 1)ρ is about 4, so the interval should be about twice the answers' one."""
    answers = _clustered(300, 5, 2.0, seed=8)
    counts = _counts(answers)
    found = mtsi(counts, SPECS, CHANNELS, scale=(1, 5), customers=_customers(answers))
    answer_level = mtsi(counts, SPECS, CHANNELS, scale=(1, 5))
    assert answer_level.method == "bootstrap-responses (percentile), 1000 resamples, seed 0"
    ratio = (found.overall.high - found.overall.low) / (  # type: ignore[operator]
        answer_level.overall.high - answer_level.overall.low  # type: ignore[operator]
    )
    assert ratio > 1.5


def test_poisson_weights_follow_poisson_one() -> None:
    weights = _weights(2000, 500, seed=1).ravel()
    share = np.bincount(weights.astype(int), minlength=6)[:6] / len(weights)
    expected = np.array([math.exp(-1) / math.factorial(k) for k in range(6)])
    assert (np.abs(share - expected) < 4 * np.sqrt(expected / len(weights))).all()
    assert (weights.mean(), weights.var()) == (
        pytest.approx(1, abs=0.005),
        pytest.approx(1, abs=0.01),
    )


def test_the_table_inverts_the_poisson_cdf_on_32_bits() -> None:
    """The lookup on the top 16 bits, with its searched cells, is plain inversion."""
    bits = np.random.default_rng(2).bit_generator.random_raw(500_000).view(np.uint32)
    weights = bootstrap._poisson_ones(np.random.default_rng(2), (1000, 1000))
    assert np.array_equal(weights.ravel(), np.searchsorted(bootstrap._CUTS, bits, side="right"))
    steps = np.diff(np.concatenate([[0], bootstrap._CUTS.astype(float)])) / 2.0**32
    expected = [math.exp(-1) / math.factorial(k) for k in range(12)]
    assert steps == pytest.approx(expected, abs=2.0**-32)


def test_threads_do_not_change_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks draw from their own streams: one thread or many, the same totals."""
    values = sparse.random(5000, 6, density=0.5, format="csr", random_state=0)
    many = poisson_totals(values, 600, seed=3)
    assert bootstrap._BLOCK // 600 < 5000  # several blocks
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert np.array_equal(poisson_totals(values, 600, seed=3), many)
    assert not np.array_equal(poisson_totals(values, 600, seed=4), many)


def test_customers_must_hold_the_answers_of_the_counts() -> None:
    customers = _customers(ANSWERS)
    fewer = customers.iloc[1:]
    with pytest.raises(ValueError, match="customers do not hold the answers of counts"):
        mtsi(_counts(ANSWERS), SPECS, CHANNELS, scale=(1, 5), customers=fewer)


def test_no_answers_and_unknown_touchpoints() -> None:
    """Customers' rows on touchpoints outside the tree are left out, as in the counts."""
    extra = pd.concat(
        [ANSWERS, pd.DataFrame({"customer": ["c1"], "touchpoint": ["z"], "rating": [1]})]
    )
    index = mtsi(
        _counts(extra), SPECS, CHANNELS, scale=(1, 5), min_n=1, customers=_customers(extra)
    )
    assert index.overall.low is not None
    empty = mtsi(
        _counts(ANSWERS.iloc[:0]),
        SPECS,
        CHANNELS,
        scale=(1, 5),
        customers=_customers(ANSWERS.iloc[:0]),
    )
    assert (empty.overall.score, empty.overall.low) == (None, None)
