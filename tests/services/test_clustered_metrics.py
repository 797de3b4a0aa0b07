"""`touchpoints metrics` treats customers as clusters: by hand on a small table, and on the
demo against statsmodels' cluster-robust OLS over the raw answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from conftest import ingest, query, write_csv
from touchpoints.services.metrics import metrics_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "customer", "touchpoint", "csat"]


def test_customers_are_counted_and_answers_without_one_stand_alone(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Customer a answers 5, 5; customer b 1, 1; two answers without a customer, 3 and 3.
    n = 6, customers = 4 (a, b and the two lone answers). Mean 3; cluster residual totals
    e = 4, −4, 0, 0; Σe² = 32; clustered var = 4/3 × 32/36 = 1.1852. Independent: s² = 16/5
    = 3.2, s²/n = 0.5333: design effect 2.2222. Interval 3 ± t(3, 97.5 %) 3.182446 ×
    √1.1852 = 3 ± 3.4645, clipped to the 1–5 scale."""
    rows = [
        ["r1", "2025-05-06 12:00", "a@example.com", "web_checkout", "5"],
        ["r2", "2025-05-07 12:00", "a@example.com", "web_checkout", "5"],
        ["r3", "2025-05-06 12:00", "b@example.com", "web_checkout", "1"],
        ["r4", "2025-05-07 12:00", "b@example.com", "web_checkout", "1"],
        ["r5", "2025-05-06 12:00", "", "web_checkout", "3"],
        ["r6", "2025-05-07 12:00", "", "web_checkout", "3"],
    ]
    assert ingest(workspace, write_csv(tmp_path / "r.csv", HEADER, rows)).accepted == 6
    (row,) = metrics_report(workspace, MetricsQuery()).to_dict()
    assert (row["n"], row["customers"]) == (6, 4)
    assert row["design_effect"]["csat_mean"] == pytest.approx(1.1852 / 0.5333, rel=1e-3)
    assert row["method"]["csat_mean"] == "t"
    assert (row["csat_mean_low"], row["csat_mean_high"]) == (1.0, 5.0)
    assert row["clipped"] == ["csat_mean"]
    assert row["survey"] == "all"


def test_the_demo_intervals_are_statsmodels_cluster_robust_ones(demo: Workspace) -> None:
    """Per region, the CSAT mean's interval is statsmodels' cluster-robust t interval over
    the raw answers (clusters: the linked customer), and the NPS interval the clustered
    Wald one of the +1/0/−1 scores."""
    rows = query(
        demo,
        "SELECT r.region, r.csat, r.nps, "
        "COALESCE(i.customer_key, r.customer, r.response_id) FROM responses r "
        "LEFT JOIN identities i ON i.pseudonym = r.customer "
        "WHERE r.region IS NOT NULL AND (r.brand IS NULL OR r.brand = 'YueGou 悦购')",
    )
    found = {r["region"]: r for r in metrics_report(demo, MetricsQuery(by=("region",))).to_dict()}
    checked = 0
    for region in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == region]
        csat = np.array([r[1] for r in mine if r[1] is not None], float)
        groups = np.array([r[3] for r in mine if r[1] is not None])
        fit = sm.OLS(csat, np.ones(len(csat))).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
        )
        low, high = fit.conf_int(0.05)[0]
        row = found[region]
        assert row["design_effect"]["csat_mean"] > 1
        assert (row["csat_mean_low"], row["csat_mean_high"]) == (
            pytest.approx(low, rel=1e-9),
            pytest.approx(high, rel=1e-9),
        )
        answered = [r for r in mine if r[2] is not None]
        scores = np.array([1.0 if r[2] >= 9 else -1.0 if r[2] <= 6 else 0.0 for r in answered])
        nps_fit = sm.OLS(scores, np.ones(len(scores))).fit(
            cov_type="cluster", cov_kwds={"groups": np.array([r[3] for r in answered])}
        )
        half = 1.959963984540054 * 100 * nps_fit.bse[0]
        assert row["nps_high"] - row["nps_low"] == pytest.approx(2 * half, rel=1e-9)
        checked += 1
    assert checked >= 4
