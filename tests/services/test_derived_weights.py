"""Derived touchpoint weights (METRICS.md, *Indices*) on stored data: every correlation rests on
``min_n`` pairs, a pairwise matrix that is not PSD is repaired and says so, each share has a
customer-bootstrap interval, and where the data cannot carry weights the note says exactly why.

The references are the core functions on the same rows built with pandas (checked against
statsmodels and brute force in tests/core/metrics/test_importance.py), and notes written out
by hand from the counts of each table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import query
from touchpoints.core.metrics.importance import relative_weights_from_data
from touchpoints.ingest import ingest_file
from touchpoints.services.index import index_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.weights import _reasons, _usable, derived_weights
from touchpoints.services.workspace import Workspace

MODEL = """
name: Test Retail
timezone: Asia/Shanghai
channels:
  - {id: web, name: Web, kind: online}
  - {id: store, name: Store, kind: offline}
  - {id: app, name: App, kind: online}
touchpoints:
  - {id: web_checkout, name: Web checkout, channel: web, stage: purchase}
  - {id: store_checkout, name: Store checkout, channel: store, stage: purchase}
  - {id: app_delivery, name: Delivery tracking, channel: app, stage: use}
index: {touchpoint_weights: derived, channel_weights: contacts}
"""
IDS = ["web_checkout", "store_checkout", "app_delivery"]
KEYS = {
    "source",
    "outcome",
    "rows",
    "customers",
    "r2",
    "n_min",
    "repaired",
    "min_eigenvalue",
    "method",
    "resamples",
    "confidence",
    "drivers",
    "imputed",
    "note",
}


def _open(workspace: Workspace) -> Workspace:
    (workspace.root / "touchpoints.yaml").write_text(MODEL, encoding="utf-8")
    return Workspace.open(workspace.root)


def _ingest(workspace: Workspace, tmp_path: Path, frame: pd.DataFrame) -> None:
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    assert ingest_file(workspace, path, kind="responses").accepted == len(frame)


def _relationship(
    ratings: np.ndarray, customers: list[str | None], rng: np.random.Generator
) -> pd.DataFrame:
    """Relationship answers: ``attr.<touchpoint>`` ratings (NaN: not rated) and an NPS that
    rises with the first two."""
    filled = np.nan_to_num(ratings, nan=3.0)
    noise = rng.normal(0, 1.5, len(ratings))
    nps = np.clip(np.round(1.6 * filled[:, 0] + 0.6 * filled[:, 1] - 2 + noise), 0, 10)
    frame = pd.DataFrame(ratings, columns=[f"attr.{t}" for t in IDS[: ratings.shape[1]]])
    frame.insert(0, "response_id", [f"s{i:03d}" for i in range(len(ratings))])
    frame.insert(1, "ts", "2025-06-01 10:00")
    frame.insert(2, "customer", customers)
    frame["nps"] = nps
    return frame


def _derive(workspace: Workspace, **options: Any) -> tuple[dict[str, float], dict[str, Any]]:
    with workspace.warehouse() as warehouse:
        con = warehouse.ibis()
        return derived_weights(
            workspace.model,
            con.table("responses"),
            con.table("response_items"),
            con.table("identities"),
            **options,
        )


def _who(workspace: Workspace) -> dict[str, str | None]:
    """Each stored answer's customer as the service sees it: the linked key, else the
    pseudonym, else none."""
    rows = query(
        workspace,
        "SELECT r.response_id, COALESCE(i.customer_key, r.customer) FROM responses r "
        "LEFT JOIN identities i ON i.pseudonym = r.customer",
    )
    return dict(rows)


def test_relationship_survey_matches_the_core_with_customers_as_clusters(
    workspace: Workspace, tmp_path: Path
) -> None:
    """90 answers: customers k00–k39 answered twice each, and 10 answers carry no customer
    (each its own cluster), so 50 customers. Shares, n and the bootstrap limits are those of
    ``relative_weights_from_data`` on the same rows, clustered by customer, seed 0."""
    workspace = _open(workspace)
    rng = np.random.default_rng(11)
    customers: list[str | None] = [f"k{i // 2:02d}" for i in range(80)] + [None] * 10
    ratings = rng.integers(1, 6, size=(90, 3)).astype(float)
    ratings[rng.random((90, 3)) < 0.15] = np.nan
    ratings[np.isnan(ratings).all(axis=1), 0] = 3.0  # every answer rates something
    frame = _relationship(ratings, customers, rng)
    _ingest(workspace, tmp_path, frame)
    weights, derivation = _derive(workspace)
    assert set(derivation) == KEYS
    assert derivation["source"] == "relationship survey"
    assert (derivation["rows"], derivation["customers"]) == (90, 50)
    assert (derivation["method"], derivation["resamples"]) == ("bootstrap-customers", 200)
    assert derivation["note"] is None
    who = _who(workspace)
    assert len({who[r] for r in frame["response_id"][80:]}) == 1  # all None: no customer
    values = frame.drop(columns=["response_id", "ts", "customer"])
    values.columns = [*IDS, "nps"]
    expected = relative_weights_from_data(
        values,
        outcome="nps",
        clusters=[who[r] for r in frame["response_id"]],
        resamples=200,
        seed=0,
    )
    assert derivation["r2"] == pytest.approx(expected.r2)
    assert derivation["n_min"] == expected.n_min
    assert expected.low is not None
    assert expected.high is not None
    for i, driver in enumerate(expected.drivers):
        found = derivation["drivers"][driver]
        assert found["share"] == pytest.approx(expected.share[i])
        assert found["raw"] == pytest.approx(expected.raw[i])
        assert (found["low"], found["high"]) == pytest.approx((expected.low[i], expected.high[i]))
        assert found["low"] <= found["share"] <= found["high"]
        assert found["n"] == expected.n[driver]
        assert weights[driver] == pytest.approx(expected.share[i])


def test_a_touchpoint_below_min_n_is_imputed_and_the_note_says_why(
    workspace: Workspace, tmp_path: Path
) -> None:
    """60 answers from 60 customers rate web and store checkout; only 17 rate the delivery
    tracking. min_n is 30, so app_delivery's correlation with NPS (17 pairs) is not used: it
    takes the mean of the two derived shares."""
    workspace = _open(workspace)
    rng = np.random.default_rng(5)
    ratings = rng.integers(1, 6, size=(60, 3)).astype(float)
    ratings[17:, 2] = np.nan
    _ingest(workspace, tmp_path, _relationship(ratings, [f"k{i}" for i in range(60)], rng))
    weights, derivation = _derive(workspace, resamples=20)
    assert derivation["source"] == "relationship survey"
    assert derivation["imputed"] == ["app_delivery"]
    assert derivation["note"] == (
        "app_delivery has only 17 answers paired with NPS; each correlation needs 30: "
        "they take the mean derived weight"
    )
    assert derivation["n_min"] == 60
    assert weights["app_delivery"] == pytest.approx(0.5)  # mean of two shares summing to 1
    assert weights["web_checkout"] + weights["store_checkout"] == pytest.approx(1.0)


def test_a_thin_pair_of_touchpoints_drops_the_thinner(workspace: Workspace, tmp_path: Path) -> None:
    """Answers s000–s039 rate web only, s040–s074 store only, s075–s084 both: web has 50 pairs
    with NPS, store 45, but the two share 10 answers (< 30). Both have one thin pair; store has
    fewer pairs in all (45 + 10 < 50 + 10), so it goes, which leaves one touchpoint: equal
    weights (no per-customer CSAT to fall back on)."""
    workspace = _open(workspace)
    rng = np.random.default_rng(2)
    ratings = rng.integers(1, 6, size=(85, 2)).astype(float)
    ratings[:40, 1] = np.nan
    ratings[40:75, 0] = np.nan
    _ingest(workspace, tmp_path, _relationship(ratings, [f"k{i}" for i in range(85)], rng))
    weights, derivation = _derive(workspace)
    assert weights == dict.fromkeys(IDS, 1.0)
    assert set(derivation) == KEYS
    assert derivation["source"] is None
    assert derivation["note"] == (
        "relationship survey: store_checkout shares only 10 answers with web_checkout; each "
        "correlation needs 30, which leaves only web_checkout: equal weights"
    )


def test_too_few_customers_behind_many_answers_give_equal_weights(
    workspace: Workspace, tmp_path: Path
) -> None:
    """60 answers, three from each of 20 customers: every correlation has 60 pairs, but a
    bootstrap over 20 customers cannot carry an interval at min_n 30."""
    workspace = _open(workspace)
    rng = np.random.default_rng(3)
    ratings = rng.integers(1, 6, size=(60, 2)).astype(float)
    _ingest(workspace, tmp_path, _relationship(ratings, [f"k{i % 20}" for i in range(60)], rng))
    weights, derivation = _derive(workspace)
    assert weights == dict.fromkeys(IDS, 1.0)
    assert derivation["note"] == (
        "relationship survey: the 60 answers come from only 20 customers; the customer "
        "bootstrap needs 30: equal weights"
    )


def test_a_pairwise_matrix_that_is_not_psd_is_repaired_and_says_so(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Each answer rates two of the three touchpoints: in 40 answers web and store agree, in
    40 store and delivery agree, in 40 web and delivery are opposite (6 − rating). Pairwise,
    web~store and store~delivery are near +0.95 and web~delivery near −0.95, which no data can
    give together: the matrix has a negative eigenvalue and is repaired."""
    workspace = _open(workspace)
    rng = np.random.default_rng(7)
    ratings = np.full((120, 3), np.nan)
    z = rng.integers(1, 6, 120).astype(float)
    near = np.clip(z + rng.integers(-1, 2, 120) * (rng.random(120) < 0.3), 1, 5)
    ratings[:40, 0], ratings[:40, 1] = z[:40], near[:40]
    ratings[40:80, 1], ratings[40:80, 2] = z[40:80], near[40:80]
    ratings[80:, 0], ratings[80:, 2] = z[80:], 6 - near[80:]
    frame = _relationship(ratings, [f"k{i}" for i in range(120)], rng)
    _ingest(workspace, tmp_path, frame)
    _, derivation = _derive(workspace, resamples=20)
    values = frame.drop(columns=["response_id", "ts", "customer"])
    values.columns = [*IDS, "nps"]
    smallest = np.linalg.eigvalsh(values.corr().to_numpy()).min()  # pandas' pairwise matrix
    assert smallest < -0.5
    assert derivation["repaired"] is True
    assert derivation["min_eigenvalue"] == pytest.approx(smallest)
    assert derivation["note"] == (
        f"the pairwise correlations do not fit together (smallest eigenvalue {smallest:.3f}): "
        "repaired to the nearest correlation matrix (Higham 2002), so read the shares rather "
        "than R²"
    )
    assert 0 < derivation["r2"] <= 1 + 1e-9
    assert sum(d["raw"] for d in derivation["drivers"].values()) == pytest.approx(derivation["r2"])


def test_per_customer_csat_against_the_latest_nps_in_the_index(
    workspace: Workspace, tmp_path: Path
) -> None:
    """No relationship survey: 50 customers rate web checkout (one to three answers each,
    their mean counts), 40 of them store checkout, 17 the delivery tracking; each answered NPS
    twice and the later answer counts. The index reports the derivation with its intervals."""
    workspace = _open(workspace)
    rng = np.random.default_rng(9)
    rows: list[list[Any]] = []
    expected: list[dict[str, Any]] = []
    for c in range(50):
        customer = f"k{c:02d}"
        rated = IDS[: 1 + (c < 40) + (c < 17)]
        means = {}
        for t in rated:
            scores = rng.integers(1, 6, size=int(rng.integers(1, 4)))
            means[t] = scores.mean()
            rows += [
                [f"{customer}-{t}-{j}", "2025-06-01 09:00", customer, t, "", s]
                for j, s in enumerate(scores)
            ]
        latest = int(np.clip(round(2 * means["web_checkout"] + rng.normal(0, 1.5)), 0, 10))
        rows.append([f"{customer}-nps-old", "2025-05-01 09:00", customer, "", 10 - latest, ""])
        rows.append([f"{customer}-nps", "2025-06-02 09:00", customer, "", latest, ""])
        expected.append(means | {"nps": latest})
    columns = ["response_id", "ts", "customer", "touchpoint", "nps", "csat"]
    _ingest(workspace, tmp_path, pd.DataFrame(rows, columns=columns))
    report = index_report(workspace, MetricsQuery(), resamples=100).to_dict()
    assert isinstance(report, dict)
    assert report["weights"]["touchpoints"] == "derived"
    derivation = report["weights"]["derivation"]
    assert derivation["source"] == "per-customer CSAT"
    assert (derivation["rows"], derivation["customers"]) == (50, 50)
    assert derivation["imputed"] == ["app_delivery"]
    assert derivation["note"] == (
        "app_delivery has only 17 customers paired with NPS; each correlation needs 30: "
        "they take the mean derived weight"
    )
    reference = relative_weights_from_data(pd.DataFrame(expected), outcome="nps", drivers=IDS[:2])
    assert derivation["r2"] == pytest.approx(reference.r2)
    assert derivation["n_min"] == 40
    for i, driver in enumerate(reference.drivers):
        found = derivation["drivers"][driver]
        assert found["share"] == pytest.approx(reference.share[i])
        assert found["n"] == reference.n[driver]
        assert found["low"] <= found["share"] <= found["high"]


def test_usable_drops_the_thinnest_drivers_by_hand() -> None:
    """min_n 30, pairs by hand (all correlations 0.3, one undefined):

        pairs   a   b   c   d   e   nps
        a       90  31  40  60  50  80
        b       31  70  25  50  50  60
        c       40  25  50  45  40  45
        d       60  50  45  60  50  12
        e       50  50  40  50  50  50       r(e, nps) undefined

    d has 12 pairs with NPS and e no defined correlation with it: both go first. Of a, b, c
    only b~c is thin (25): b and c each have one thin pair; c has fewer pairs among the three
    (40 + 25 + 50 = 115 against 31 + 70 + 25 = 126 for b), so c goes, leaving a and b."""
    names = ["a", "b", "c", "d", "e", "nps"]
    pairs = [
        [90, 31, 40, 60, 50, 80],
        [31, 70, 25, 50, 50, 60],
        [40, 25, 50, 45, 40, 45],
        [60, 50, 45, 60, 50, 12],
        [50, 50, 40, 50, 50, 50],
        [80, 60, 45, 12, 50, 90],
    ]
    counts = pd.DataFrame(pairs, index=names, columns=names)
    corr = pd.DataFrame(np.full((6, 6), 0.3), index=names, columns=names)
    corr.loc["e", "nps"] = corr.loc["nps", "e"] = np.nan
    drivers, why = _usable(corr, counts, 30, "customer")
    assert drivers == ["a", "b"]
    assert why == [
        "d has only 12 customers paired with NPS",
        "e's correlation with NPS is undefined (no variation)",
        "c shares only 25 customers with b",
    ]


def test_a_note_names_five_reasons_and_counts_the_rest() -> None:
    reasons = [f"t{i} has only 3 customers paired with NPS" for i in range(7)]
    assert _reasons(reasons) == "; ".join(reasons[:5]) + "; and 2 more touchpoints"
    assert _reasons(reasons[:5]) == "; ".join(reasons[:5])
