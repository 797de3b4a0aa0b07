"""Top/bottom boxes and the CSI by hand; its bootstraps against brute force on rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from touchpoints.core.metrics.items import bottom_box, csi, csi_from_patterns, top_box


def test_boxes_by_hand() -> None:
    answers = [5, 4, 4, 3, 2, 1, 1, np.nan]  # NaN: not answered, in no n
    top, bottom = (
        top_box(answers, scale=(1, 5), min_n=1),
        bottom_box(answers, scale=(1, 5), min_n=1),
    )
    assert (top.value, top.n) == (pytest.approx(300 / 7), 7)  # 5, 4, 4
    assert bottom.value == pytest.approx(300 / 7)  # 2, 1, 1
    assert top_box([7, 6, 5, 1], scale=(1, 7), boxes=1, min_n=1).value == 25.0
    assert bottom_box([0, 1, 2, 10], scale=(0, 10), boxes=3, min_n=1).value == 75.0
    assert top.low < top.value < top.high
    assert top.method == "wilson"


def test_csi_by_hand_with_weights() -> None:
    answers = pd.DataFrame({"wait": [5, 4, 2, None], "staff": [4, 4, 3, 5]})
    # wait: mean 11/3 → (11/3 − 1)/4 × 100 = 66.67; staff: mean 4 → 75.
    equal = csi(answers, scale=(1, 5), resamples=0, min_n=1)
    assert equal.value == pytest.approx((200 / 3 + 75) / 2)
    assert equal.n == 4
    weighted = csi(answers, scale=(1, 5), weights={"wait": 3, "staff": 1}, resamples=0, min_n=1)
    assert weighted.value == pytest.approx(0.75 * 200 / 3 + 0.25 * 75)
    with pytest.raises(ValueError, match="names items not chosen"):
        csi(answers, scale=(1, 5), weights={"price": 1})


def test_patterns_give_the_same_csi_as_rows() -> None:
    rows = pd.DataFrame({"a": [5, 5, 3, 3, 1], "b": [4, 4, 4, 2, np.nan]})
    patterns = pd.DataFrame({"a": [5, 3, 3, 1], "b": [4, 4, 2, np.nan]})
    from_rows = csi(rows, scale=(1, 5), resamples=500, seed=3, min_n=1)
    from_patterns = csi_from_patterns(patterns, [2, 1, 1, 1], scale=(1, 5), resamples=0, min_n=1)
    assert from_rows.value == pytest.approx(from_patterns.value)


def test_bootstrap_matches_resampling_respondents() -> None:
    rng = np.random.default_rng(4)
    base = rng.integers(1, 6, 300)
    rows = pd.DataFrame(
        {
            "a": base,
            "b": np.clip(base + rng.integers(-1, 2, 300), 1, 5),
            "c": rng.integers(1, 6, 300),
        }
    ).astype(float)
    rows.loc[rng.random(300) < 0.1, "c"] = np.nan
    found = csi(rows, scale=(1, 5), resamples=3000, seed=1, min_n=1)
    values = rows.to_numpy()
    boot = []
    for _ in range(3000):
        sample = values[rng.integers(0, 300, 300)]
        boot.append(((np.nanmean(sample, axis=0) - 1) / 4 * 100).mean())
    low, high = np.percentile(boot, [2.5, 97.5])
    assert found.low == pytest.approx(low, abs=0.35)
    assert found.high == pytest.approx(high, abs=0.35)


def test_nobody_answered() -> None:
    empty = pd.DataFrame({"a": [np.nan, np.nan]})
    result = csi(empty, scale=(1, 5))
    assert (result.value, result.n, result.low) == (None, 0, None)


def test_every_public_name_of_the_core_loads() -> None:
    """The core loads its names lazily: each listed name must resolve to the real object."""
    import touchpoints as tp
    from touchpoints.core.metrics import _HOME

    assert sorted(tp.metrics.__all__) == sorted(_HOME)
    assert all(callable(getattr(tp.metrics, name)) for name in tp.metrics.__all__)
    assert tp.index.mtsi.__module__ == "touchpoints.core.index.tree"


# Customers with several responses each (METRICS.md, *Inference*: resample customers).
VISITS = pd.DataFrame(
    {
        "customer": ["k1", "k1", "k2", "k3", "k3", "k3", "k4", "k5", None, "k6", "k6", "k7"],
        "wait": [5, 4, 2, 1, 2, np.nan, 4, 3, 5, 2, 1, 4],
        "staff": [4, 5, 3, 2, 1, 2, np.nan, 4, 4, 3, 3, 5],
    }
)


def test_csi_resamples_customers_with_all_their_responses() -> None:
    """Brute force, same draws: resample r repeats each customer's responses as often as the
    customer was drawn (the weights: :func:`poisson_totals` of an identity matrix) and takes
    the CSI of those rows; the interval is their percentiles."""
    from scipy import sparse

    from touchpoints.core.bootstrap import poisson_totals

    answers = VISITS[["wait", "staff"]]
    found = csi(answers, scale=(1, 5), min_n=1, resamples=300, seed=2, customers=VISITS["customer"])
    assert found.method == "bootstrap-customers (percentile), 300 resamples, seed 2"
    labels = VISITS["customer"].fillna("~alone")  # numbered by label, the one without last
    order = sorted(set(labels))
    weights = poisson_totals(sparse.identity(len(order), format="csr"), 300, 2)
    boot = []
    for drawn in weights:
        times = labels.map(dict(zip(order, drawn, strict=True))).astype(int)
        value = csi(answers.loc[answers.index.repeat(times)], scale=(1, 5), resamples=0).value
        if value is not None:
            boot.append(value)
    low, high = np.percentile(boot, [2.5, 97.5])
    assert found.low == pytest.approx(low)
    assert found.high == pytest.approx(high)
    assert found.value == csi(answers, scale=(1, 5), resamples=0).value  # the point stays
    assert found.n == 12


def test_a_response_without_a_customer_is_a_customer_of_its_own() -> None:
    answers = VISITS[["wait", "staff"]]
    alone = csi(answers, scale=(1, 5), seed=4, customers=[None] * len(answers))
    numbered = csi(answers, scale=(1, 5), seed=4, customers=np.arange(len(answers)))
    assert (alone.low, alone.high) == (numbered.low, numbered.high)


def _visits(
    customers: int, visits: int, spread: float, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """``visits`` responses per customer rating three attributes: the customer's own level
    (spread ``spread``) plus noise."""
    rng = np.random.default_rng(seed)
    who = np.repeat(np.arange(customers), visits)
    level = rng.normal(0, spread, customers)[who]
    ratings = np.clip(np.round(3 + level[:, None] + rng.normal(0, 1, (len(who), 3))), 1, 5)
    return pd.DataFrame(ratings, columns=["a", "b", "c"]), who


def test_one_response_each_gives_the_respondent_bootstrap() -> None:
    """Where nobody answers twice, customers are respondents: the width of the respondent
    bootstrap (each pattern Poisson(count)) comes back, up to Monte Carlo error."""
    rows, who = _visits(1500, 1, 1.0, seed=6)
    by_customer = csi(rows, scale=(1, 5), resamples=2000, seed=1, customers=who)
    by_respondent = csi(rows, scale=(1, 5), resamples=2000, seed=2)
    assert by_respondent.method == "bootstrap-respondents (percentile), 2000 resamples, seed 2"
    width = by_customer.high - by_customer.low  # type: ignore[operator]
    assert width == pytest.approx(by_respondent.high - by_respondent.low, rel=0.1)  # type: ignore[operator]


def test_clustered_responses_widen_the_csi_interval() -> None:
    rows, who = _visits(200, 5, 1.5, seed=7)
    by_customer = csi(rows, scale=(1, 5), customers=who)
    by_respondent = csi(rows, scale=(1, 5))
    ratio = (by_customer.high - by_customer.low) / (by_respondent.high - by_respondent.low)  # type: ignore[operator]
    assert ratio > 1.5
