"""KANO against the evaluation table and hand-worked counts (METRICS.md, *Models*; Berger
et al. 1993)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoints.core.models import EVALUATION, classify, kano_from_counts
from touchpoints.errors import ParameterError


def test_the_evaluation_table_is_kano_s() -> None:
    """Row = functional answer, column = dysfunctional, as printed in METRICS.md."""
    table = [
        "Q A A A O",
        "R I I I M",
        "R I I I M",
        "R I I I M",
        "R R R R Q",
    ]
    for f, row in enumerate(table, start=1):
        for d, category in enumerate(row.split(), start=1):
            assert EVALUATION[(f, d)] == category, (f, d)


def test_a_hand_worked_attribute() -> None:
    """20 answers: O 8 (1,5), A 5 (1,2)+(1,4), M 4 (2,5)+(4,5), I 2 (3,3), Q 1 (1,1).

    counts A 5, O 8, M 4, I 2, R 0, Q 1 → category O; strength (8 − 5)/20 = 0.15;
    Better = (5 + 8)/(5 + 8 + 4 + 2) = 13/19 = 0.6842; Worse = −(8 + 4)/19 = −0.6316.
    """
    found = kano_from_counts(
        {(1, 5): 8, (1, 2): 3, (1, 4): 2, (2, 5): 3, (4, 5): 1, (3, 3): 2, (1, 1): 1}
    )
    assert found.counts == {"A": 5, "O": 8, "M": 4, "I": 2, "R": 0, "Q": 1}
    assert found.category == "O"
    assert found.n == 20
    assert found.strength == pytest.approx(0.15)
    assert found.better == pytest.approx(13 / 19)
    assert found.worse == pytest.approx(-12 / 19)
    assert not found.flagged


def test_ties_go_must_be_then_one_dimensional_then_attractive() -> None:
    assert kano_from_counts({(1, 5): 3, (3, 5): 3}).category == "M"  # O = M
    assert kano_from_counts({(1, 3): 3, (1, 5): 3}).category == "O"  # A = O
    assert kano_from_counts({(1, 3): 2, (3, 3): 2}).category == "A"  # A = I


def test_reverse_or_questionable_answers_that_outnumber_the_category_are_flagged() -> None:
    found = kano_from_counts({(5, 1): 6, (1, 1): 2, (3, 3): 3})
    assert found.category == "I"
    assert found.flagged
    assert found.strength == pytest.approx((3 - 6) / 11)


def test_no_answers_is_no_category_and_a_bad_answer_is_refused() -> None:
    assert kano_from_counts({}).category == "—"
    assert kano_from_counts({}).better is None
    with pytest.raises(ParameterError, match="1–5"):
        classify(0, 3)


@given(st.dictionaries(st.tuples(st.integers(1, 5), st.integers(1, 5)), st.integers(0, 50)))
def test_coefficients_stay_in_their_ranges(pairs: dict[tuple[int, int], int]) -> None:
    found = kano_from_counts(pairs)
    assert found.n == sum(pairs.values())
    if found.better is not None:
        assert 0 <= found.better <= 1
        assert -1 <= found.worse <= 0  # type: ignore[operator]
