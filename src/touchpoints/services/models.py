"""The experience models over the warehouse (issue 18): counts in the engine, models in the
core (:mod:`touchpoints.core.models`).

KANO: each answer pair ``kano.<attribute>.f`` / ``kano.<attribute>.d`` of a response is one
(functional, dysfunctional) pair; the engine counts the pairs per attribute (and per group of
``by``), at most 25 cells an attribute, and the core classifies them. The responses are the
selection every analysis takes (dates, ``where``, survey type), our own brand only.
"""

from __future__ import annotations

from touchpoints.core.models import kano_from_counts
from touchpoints.services.metrics import as_key
from touchpoints.services.query import MetricsQuery
from touchpoints.services.results.models import KanoResult
from touchpoints.services.selection import responses_sql
from touchpoints.storage.clock import Clock
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import ident

# The models ``touchpoints analyze`` runs (SERVQUAL, IPA, drivers, moments of truth and the
# structural model join as they land).
MODELS = ("kano",)


def kano_report(workspace: WorkspaceFolder, query: MetricsQuery) -> KanoResult:
    """Every KANO attribute's category, coefficients and counts, per group of ``query.by``."""
    model = workspace.model
    with workspace.warehouse() as warehouse:
        rows, keys = responses_sql(model, query, Clock.covering(warehouse, model.timezone))
        by = ", ".join(f"r.{ident(k)}" for k in keys)
        grouped = f"{by}, " if by else ""
        counted = warehouse.records(
            f"""
            SELECT {grouped}regexp_extract(f.item, '^kano\\.(.+)\\.f$', 1) AS attribute,
                   CAST(f.value AS INTEGER) AS f, CAST(d.value AS INTEGER) AS d,
                   count(*) AS n
            FROM response_items f
            JOIN response_items d
              ON d.response_id = f.response_id
             AND d.item = regexp_replace(f.item, '\\.f$', '.d')
            JOIN ({rows}) AS r ON r.response_id = f.response_id
            WHERE f.item LIKE 'kano.%.f' AND f.value BETWEEN 1 AND 5 AND d.value BETWEEN 1 AND 5
            GROUP BY ALL
            """
        )
    groups: dict[tuple[object, ...], dict[tuple[int, int], int]] = {}
    for row in counted:
        group = (*(as_key(row[k]) for k in keys), row["attribute"])
        groups.setdefault(group, {})[(int(row["f"]), int(row["d"]))] = int(row["n"])
    out = []
    for group in sorted(groups, key=lambda g: tuple("" if v is None else str(v) for v in g)):
        found = kano_from_counts(groups[group])
        out.append(
            dict(zip(keys, group[:-1], strict=True))
            | {
                "attribute": group[-1],
                "category": found.category,
                "better": found.better,
                "worse": found.worse,
                "strength": found.strength,
                "counts": found.counts,
                "n": found.n,
                "flagged": found.flagged,
                "insufficient": found.n < model.metrics.min_n,
            }
        )
    return KanoResult(tuple(out), tuple(keys))
