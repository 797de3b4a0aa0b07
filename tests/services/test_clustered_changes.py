"""`touchpoints changes` with customers as clusters: each engine-computed difference has the
variance statsmodels' cluster-robust OLS gives the same raw answers (a group dummy, clusters
the linked customers), shared customers included."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from conftest import query
from touchpoints.services.changes import changes_report
from touchpoints.services.query import MetricsQuery
from touchpoints.services.workspace import Workspace

Z95 = 1.959963984540054


def answers(demo: Workspace) -> pd.DataFrame:
    rows = query(
        demo,
        "SELECT r.region, r.ts, r.csat, COALESCE(i.customer_key, r.customer, r.response_id) "
        "FROM responses r LEFT JOIN identities i ON i.pseudonym = r.customer "
        "WHERE (r.brand IS NULL OR r.brand = 'YueGou 悦购') AND r.csat IS NOT NULL",
    )
    frame = pd.DataFrame(rows, columns=["region", "ts", "csat", "customer"])
    frame["top"] = (frame["csat"] >= 4).astype(float)
    local = pd.to_datetime(frame["ts"], utc=True).dt.tz_convert("Asia/Shanghai")
    frame["quarter"] = local.dt.tz_localize(None).dt.to_period("Q").dt.start_time.dt.date
    return frame


def clustered_se(a: pd.DataFrame, b: pd.DataFrame, column: str) -> float:
    """The cluster-robust se of the dummy's coefficient, without statsmodels' (N−1)/(N−K)
    factor for K = 2 (ours has C/(C−1) only, as METRICS.md defines it)."""
    both = pd.concat([a.assign(d=1.0), b.assign(d=0.0)])
    x = np.column_stack([np.ones(len(both)), both["d"].to_numpy()])
    groups = both["customer"].astype("category").cat.codes.to_numpy()
    fit = sm.OLS(both[column].to_numpy(float), x).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    n = len(both)
    return float(fit.bse[1] * np.sqrt((n - 2) / (n - 1)))


def row(rows: list[dict[str, Any]], metric: str, **scope: Any) -> dict[str, Any]:
    (found,) = [
        r
        for r in rows
        if r["metric"] == metric and all(r["scope"].get(k) == v for k, v in scope.items())
    ]
    return found


def test_a_region_against_the_rest_of_the_known_regions(demo: Workspace) -> None:
    frame = answers(demo)
    rows = changes_report(demo, MetricsQuery(by=("region",)), all_changes=True).to_dict()
    known = frame[frame["region"].notna()]
    for region in ("华东", "华北"):
        group, rest = known[known["region"] == region], known[known["region"] != region]
        found = row(rows, "csat", region=region)
        se = clustered_se(group, rest, "top")
        assert found["high"] - found["low"] == pytest.approx(2 * Z95 * 100 * se, rel=1e-9)
        assert (found["n_group"], found["n_rest"]) == (len(group), len(rest))
        assert found["kind"] == "rest"


def test_a_quarter_against_the_last_keeps_the_covariance_of_its_customers(
    demo: Workspace,
) -> None:
    frame = answers(demo)
    rows = changes_report(demo, MetricsQuery(period="quarter"), all_changes=True).to_dict()
    quarters = sorted(frame["quarter"].unique())
    before, after = quarters[0], quarters[1]
    found = row(rows, "csat_mean", period=after.isoformat())
    a, b = frame[frame["quarter"] == after], frame[frame["quarter"] == before]
    shared = set(a["customer"]) & set(b["customer"])
    assert len(shared) > 100  # the covariance matters here
    se = clustered_se(a, b, "csat")
    assert found["difference"] == pytest.approx(a["csat"].mean() - b["csat"].mean())
    assert found["method"] == "welch t, customer-clustered"
    # Welch's t on the clustered se; its interval uses t with Satterthwaite's df, so compare
    # the se through the z-like width at large df (thousands of customers on each side).
    half = (found["high"] - found["low"]) / 2
    assert half == pytest.approx(Z95 * se, rel=2e-3)
