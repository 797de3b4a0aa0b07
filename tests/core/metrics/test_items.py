"""Top/bottom boxes and the CSI by hand; the pattern bootstrap against a bootstrap on rows."""

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
