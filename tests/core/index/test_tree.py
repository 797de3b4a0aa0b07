"""The MTSI tree against a table worked by hand, and its bootstrap against references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from touchpoints.core.index import TouchpointSpec, mtsi
from touchpoints.core.metrics import mean

SPECS = [
    TouchpointSpec("a", "web", "buy", 1.0),
    TouchpointSpec("b", "web", "use", 3.0),
    TouchpointSpec("c", "store", "buy", 1.0),
    TouchpointSpec("d", "store", "use", 1.0),
]
# a: 5, 5, 3, 3 → mean 4 → 75; b: 2, 2, 4, 4 → 3 → 50; c: 5, 5, 5 → 100; d: one 1 (too few).
COUNTS = pd.DataFrame(
    {
        "touchpoint": ["a", "a", "b", "b", "c", "d"],
        "rating": [5, 3, 2, 4, 5, 1],
        "count": [2, 2, 2, 2, 3, 1],
    }
)


def test_a_stage_weighs_stated_and_equal_channels_alike() -> None:
    """Issue 16: one channel states touchpoint shares, the other leaves them equal (1.0 each).

    | tp | channel (W) | raw | w in channel | g = W · w | stage | ratings → score |
    |----|-------------|-----|--------------|-----------|-------|-----------------|
    | h  | hotline ½   | 1   | ½            | ¼         | use   | 1, 1 → 0        |
    | h2 | hotline ½   | 1   | ½            | ¼         | buy   | 5, 5 → 100      |
    | w  | web ½       | 0.2 | 0.2 / 0.8 = ¼ | ⅛        | use   | 5, 5 → 100      |
    | w2 | web ½       | 0.6 | ¾            | ⅜         | buy   | 3, 3 → 50       |

    use = (¼ · 0 + ⅛ · 100) / ⅜ = 33.3; mixed raw, the hotline's 1 against the web's 0.2
    gave (1 · 0 + 0.2 · 100) / 1.2 = 16.7. The stage weights are ⅜ and ⅝.
    """
    specs = [
        TouchpointSpec("h", "hotline", "use", 1.0),
        TouchpointSpec("h2", "hotline", "buy", 1.0),
        TouchpointSpec("w", "web", "use", 0.2),
        TouchpointSpec("w2", "web", "buy", 0.6),
    ]
    counts = pd.DataFrame(
        {"touchpoint": ["h", "h2", "w", "w2"], "rating": [1, 5, 5, 3], "count": [2, 2, 2, 2]}
    )
    index = mtsi(counts, specs, {"hotline": 1, "web": 1}, scale=(1, 5), min_n=2, resamples=0)
    stages = _nodes(index.stages)
    assert stages["use"].score == pytest.approx(100 / 3)
    assert stages["buy"].score == pytest.approx((100 / 4 + 50 * 3 / 8) / (5 / 8))
    assert (stages["use"].weight, stages["buy"].weight) == (
        pytest.approx(3 / 8),
        pytest.approx(5 / 8),
    )


def _nodes(nodes: tuple[object, ...]) -> dict[str, object]:
    return {n.id: n for n in nodes}  # type: ignore[attr-defined]


def test_tree_worked_by_hand() -> None:
    index = mtsi(COUNTS, SPECS, {"web": 1, "store": 1}, scale=(1, 5), min_n=2, resamples=0)
    tps, channels, stages = _nodes(index.touchpoints), _nodes(index.channels), _nodes(index.stages)
    assert [tps[t].score for t in "abcd"] == [75.0, 50.0, 100.0, 0.0]
    assert tps["d"].insufficient
    assert tps["d"].coverage == 0.0
    # web: a weighs 1/4 and b 3/4 of the channel → 0.25 × 75 + 0.75 × 50.
    assert (tps["a"].weight, tps["b"].weight) == (0.25, 0.75)
    assert channels["web"].score == 56.25
    assert channels["web"].coverage == 1.0
    # store: d drops out, c carries the channel alone; half the channel's weight is measured.
    assert channels["store"].score == 100.0
    assert channels["store"].coverage == 0.5
    assert index.overall.score == pytest.approx((56.25 + 100) / 2)
    assert index.overall.coverage == pytest.approx(0.5 * 1 + 0.5 * 0.5)
    assert (index.overall.n, channels["web"].n, channels["store"].n) == (12, 8, 4)
    # Stages weigh their touchpoints by global weight g = W_k × w_kt (METRICS.md): channels
    # ½ each, so g(a) = ⅛, g(b) = ⅜, g(c) = g(d) = ¼.
    # buy (a, c): (⅛ · 75 + ¼ · 100) / ⅜ = 91.67; use (b; d unmeasured): 50, covering ⅜ of ⅝.
    assert stages["buy"].score == pytest.approx((75 / 8 + 100 / 4) / (3 / 8))
    assert stages["buy"].coverage == 1.0
    assert stages["use"].score == pytest.approx(50.0)
    assert stages["use"].coverage == pytest.approx(0.6)
    assert (stages["buy"].weight, stages["use"].weight) == (
        pytest.approx(3 / 8),
        pytest.approx(5 / 8),
    )
    assert index.overall.low is None
    assert index.method == "no interval"


def test_channel_weights_and_json_shape() -> None:
    index = mtsi(COUNTS, SPECS, {"web": 3, "store": 1}, scale=(1, 5), min_n=2, resamples=0)
    assert index.overall.score == pytest.approx(0.75 * 56.25 + 0.25 * 100)
    assert set(index.overall.to_dict()) == {
        "score",
        "low",
        "high",
        "n",
        "weight",
        "coverage",
        "insufficient",
    }
    tp = index.touchpoints[0].to_dict()
    assert {"id", "channel", "stage"} <= set(tp)
    assert tp["channel"] == "web"
    assert len(index.to_frame()) == 1 + 2 + 2 + 4


def test_no_answers_give_no_scores() -> None:
    empty = COUNTS.iloc[0:0]
    index = mtsi(empty, SPECS, {"web": 1, "store": 1}, scale=(1, 5), min_n=2)
    assert index.overall.score is None
    assert index.overall.coverage == 0.0
    assert all(n.score is None and n.insufficient for n in index.touchpoints)


def test_every_channel_weight_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="channel weight"):
        mtsi(COUNTS, SPECS, {"web": 0}, scale=(1, 5))


def _one_touchpoint(ratings: np.ndarray) -> pd.DataFrame:
    values, counts = np.unique(ratings, return_counts=True)
    return pd.DataFrame({"touchpoint": "a", "rating": values, "count": counts})


def test_bootstrap_interval_agrees_with_the_t_interval_for_a_large_sample() -> None:
    ratings = np.random.default_rng(1).integers(1, 6, 3000)
    index = mtsi(_one_touchpoint(ratings), SPECS[:1], {"web": 1}, scale=(1, 5), resamples=2000)
    t = mean(ratings)  # t interval of the mean, rescaled below
    assert index.touchpoints[0].low == pytest.approx((t.low - 1) / 4 * 100, abs=0.3)
    assert index.touchpoints[0].high == pytest.approx((t.high - 1) / 4 * 100, abs=0.3)


def test_bootstrap_matches_resampling_rows() -> None:
    """Without customers every answer is one: Poisson(count) weights on the (touchpoint,
    rating) cells are a bootstrap of the rows; compare with one done on rows."""
    rng = np.random.default_rng(2)
    rows = pd.DataFrame(
        {"touchpoint": rng.choice(["a", "b", "c", "d"], 400), "rating": rng.integers(1, 6, 400)}
    )
    counts = rows.value_counts().rename("count").reset_index()
    index = mtsi(counts, SPECS, {"web": 2, "store": 1}, scale=(1, 5), min_n=2, resamples=2000)
    weights = {"a": 0.25, "b": 0.75, "c": 0.5, "d": 0.5}
    overall = []
    for _ in range(2000):
        sample = rows.iloc[rng.integers(0, len(rows), len(rows))]
        score = (sample.groupby("touchpoint")["rating"].mean() - 1) / 4 * 100
        web = sum(weights[t] * score[t] for t in "ab")
        store = sum(weights[t] * score[t] for t in "cd")
        overall.append((2 * web + store) / 3)
    low, high = np.percentile(overall, [2.5, 97.5])
    assert index.overall.low == pytest.approx(low, abs=0.6)
    assert index.overall.high == pytest.approx(high, abs=0.6)


def test_bootstrap_is_reproducible_by_seed() -> None:
    args = (COUNTS, SPECS, {"web": 1, "store": 1})
    first = mtsi(*args, scale=(1, 5), min_n=2, seed=4)
    again = mtsi(*args, scale=(1, 5), min_n=2, seed=4)
    other = mtsi(*args, scale=(1, 5), min_n=2, seed=5)
    assert first.overall == again.overall
    assert first.overall.low != other.overall.low
    for node in (first.overall, *first.channels, *first.stages):
        assert node.low <= node.score <= node.high  # type: ignore[operator]


def test_a_weighted_channel_without_touchpoints_is_unmeasured() -> None:
    index = mtsi(
        COUNTS,
        SPECS,
        {"web": 1, "store": 1, "phone": 2},
        scale=(1, 5),
        min_n=2,
        resamples=0,
        channels=["web", "store", "phone"],
    )
    phone = _nodes(index.channels)["phone"]
    assert (phone.score, phone.n, phone.coverage, phone.weight) == (None, 0, 0.0, 0.5)
    # web (coverage 1) and store (0.5) carry a quarter of the weight each; phone's half is lost.
    assert index.overall.coverage == pytest.approx(0.25 * 1 + 0.25 * 0.5)
    assert index.overall.score == pytest.approx((56.25 + 100) / 2)
