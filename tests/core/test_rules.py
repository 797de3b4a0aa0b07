"""The scoring rules are defined once and mean the same on numbers, arrays and engine columns.

Hand-worked: on 0–10, promoters are 9 and 10, detractors 0–6. On 1–5 the top-2 box is 4–5 and
the bottom-2 box 1–2; on 1–7 CES "agree" is 5–7 and, on an effort scale, 1–2 is easy. 0–100
rescaling: 4 on 1–5 is (4 − 1) / 4 × 100 = 75.
"""

from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pytest

from touchpoints.core.rules import (
    ces_agrees,
    is_bottom_box,
    is_detractor,
    is_promoter,
    is_top_box,
    rescale,
    top_box_from,
)

NPS = list(range(11))


def test_nps_cut_offs_by_hand() -> None:
    assert [a for a in NPS if is_promoter(a)] == [9, 10]
    assert [a for a in NPS if is_detractor(a)] == [0, 1, 2, 3, 4, 5, 6]


def test_boxes_by_hand() -> None:
    assert [a for a in range(1, 6) if is_top_box(a, (1, 5))] == [4, 5]
    assert [a for a in range(1, 6) if is_bottom_box(a, (1, 5))] == [1, 2]
    assert [a for a in range(1, 8) if is_top_box(a, (1, 7), 3)] == [5, 6, 7]
    assert top_box_from((1, 5)) == 4
    assert top_box_from((0, 10), 3) == 8


def test_ces_directions_by_hand() -> None:
    assert [a for a in range(1, 8) if ces_agrees(a, (1, 7))] == [5, 6, 7]
    assert [a for a in range(1, 8) if ces_agrees(a, (1, 7), "effort")] == [1, 2]


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [(4, (1, 5), 75.0), (1, (1, 5), 0.0), (7, (1, 7), 100.0), (5.5, (1, 10), 50.0)],
)
def test_rescale_by_hand(value: float, scale: tuple[int, int], expected: float) -> None:
    assert rescale(value, scale) == pytest.approx(expected)


def test_the_same_rule_counts_alike_in_numpy_and_in_the_engine() -> None:
    """One definition, two engines: counts over the same answers agree."""
    answers = np.array([0, 3, 6, 7, 8, 9, 10, 10, 5, 9])
    con = ibis.duckdb.from_connection(duckdb.connect())
    table = con.create_table("t", ibis.memtable({"a": answers.tolist()}))
    counted = table.aggregate(
        promoters=is_promoter(table.a).sum(),
        detractors=is_detractor(table.a).sum(),
        top=is_top_box(table.a, (0, 10)).sum(),
        score=rescale(table.a.mean(), (0, 10)),
    ).execute()
    assert int(counted["promoters"][0]) == int(is_promoter(answers).sum()) == 4
    assert int(counted["detractors"][0]) == int(is_detractor(answers).sum()) == 4
    assert int(counted["top"][0]) == int(is_top_box(answers, (0, 10)).sum()) == 4
    assert float(counted["score"][0]) == pytest.approx(rescale(answers.mean(), (0, 10))) == 67.0
