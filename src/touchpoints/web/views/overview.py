"""The overview: the MTSI tree, NPS/CSAT/CES trends with interval bands, the significant
changes, and reach, responsiveness and consistency."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from touchpoints.api.app import withheld_index, withheld_nodes, withheld_rows, withheld_tests
from touchpoints.core.result import with_interval
from touchpoints.services.results.changes import ChangesResult
from touchpoints.services.results.index import IndexResult
from touchpoints.services.results.metrics import MetricsResult
from touchpoints.web import charts
from touchpoints.web.charts import TRENDS
from touchpoints.web.filters import Filters
from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, page
from touchpoints.web.tables import Cell, Sheets, Table, exporter, number


def period_end(start: str, period: str) -> str:
    """The last day of the period that starts on ``start``.

    >>> period_end("2025-07-07", "week"), period_end("2025-02-01", "month")
    ('2025-07-13', '2025-02-28')
    >>> period_end("2025-10-01", "quarter"), period_end("2025-01-01", "year")
    ('2025-12-31', '2025-12-31')
    """
    first = date.fromisoformat(start)
    if period == "day":
        return start
    if period == "week":
        return (first + timedelta(days=6)).isoformat()
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    year, month = divmod(first.month - 1 + months, 12)
    return (date(first.year + year, month + 1, 1) - timedelta(days=1)).isoformat()


def in_period(filters: Filters, start: str) -> Filters:
    """The filters narrowed to one period of a trend (a drill-down from a point)."""
    return filters.spanning(start, period_end(start, filters.period))


def index_of(found: PageContext) -> IndexResult:
    span = found.filters.selection()
    return found.cached(
        ("index", span["since"], span["until"]),
        lambda: found.workspace.index(since=span["since"], until=span["until"]),
    )


def metrics_of(
    found: PageContext,
    by: str | None = None,
    filters: Filters | None = None,
    *,
    period: bool = False,
) -> MetricsResult:
    """The metrics by ``by`` for the page's filters (or ``filters``), split by the filters'
    period if ``period``: kept in the cache until the data changes."""
    chosen = (filters or found.filters).selection(period=period)
    return found.cached(
        ("metrics", by or "", repr(chosen)), lambda: found.workspace.metrics(by, **chosen)
    )


def changes_of(found: PageContext, by: str | None = None) -> ChangesResult:
    """The significant changes, period over period, of each group of ``by`` (cached)."""
    chosen = found.filters.selection(period=True)
    return found.cached(
        ("changes", by or "", repr(chosen)), lambda: found.workspace.changes(by, **chosen)
    )


def trend_rows(found: PageContext) -> list[dict[str, Any]]:
    return metrics_of(found, period=True).to_dict()


def tree_tables(found: PageContext, index: dict[str, Any]) -> list[Table]:
    """The MTSI tree as tables: overall, channels, stages, touchpoints (grouped by channel)."""
    _ = found._
    columns = (_("name"), _("MTSI [interval]"), _("n"), _("weight"), _("coverage"))

    def row(dimension: str | None, node: dict[str, Any]) -> tuple[Cell, ...]:
        name = found.label(dimension, node["id"]) if dimension else _("Overall")
        link = found.drill(**{dimension: node["id"]}) if dimension else found.drill()
        thin = bool(node.get("insufficient"))
        return (
            Cell(name, mark=node.get("mark")),
            Cell(with_interval(node["score"], node["low"], node["high"]), link, thin, True),
            Cell(f"{node['n']:,}", link, thin, True),
            Cell(number(node.get("weight"), ".2f"), number=True),
            Cell(
                number(100 * node["coverage"], ".0f") + " %"
                if node.get("coverage") is not None
                else "—",
                number=True,
            ),
        )

    overall = Table(
        _("Overall and channels"),
        columns,
        [row(None, index["overall"])] + [row("channel", c) for c in index["channels"]],
        export="index",
    )
    stages = Table(_("Stages"), columns, [row("stage", s) for s in index["stages"]], "index")
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for node in index["touchpoints"]:
        by_channel.setdefault(node["channel"], []).append(node)
    touchpoints = [
        Table(
            found.label("channel", channel),
            columns,
            [row("touchpoint", t) for t in nodes],
            "index",
        )
        for channel, nodes in by_channel.items()
    ]
    return [overall, stages, *touchpoints]


def trend_charts(
    found: PageContext, rows: list[dict[str, Any]], filters: Filters | None = None
) -> list[dict[str, Any]]:
    """The NPS, CSAT and CES trends; a point opens its period's answers under the page's
    filters (or ``filters``)."""
    periods = [r["period"] for r in rows]
    links = [found.drill(in_period(filters or found.filters, p)) for p in periods]
    return [
        charts.trend(
            found._(title),
            periods,
            [r.get(key) for r in rows],
            [r.get(f"{key}_low") for r in rows],
            [r.get(f"{key}_high") for r in rows],
            links,
        )
        for key, title, _spec in TRENDS
    ]


def change_table(found: PageContext) -> Table:
    """The significant movements of the last periods (period over period)."""
    _ = found._
    changed = withheld_tests(changes_of(found).to_dict(), found.viewer.sees_thin_figures)
    rows = []
    for change in changed:
        if change.get("kind") == "omnibus" or change.get("difference") is None:
            continue
        scope = change.get("scope", {})
        start = scope.get("period")
        link = found.drill(in_period(found.filters, start)) if start else found.drill()
        up = change["difference"] > 0
        rows.append(
            (
                Cell(str(start or "—")),
                Cell(change["metric"]),
                Cell(number(change["before"]), number=True),
                Cell(number(change["after"]), link, number=True),
                Cell(
                    with_interval(change["difference"], change["low"], change["high"], "+.1f"),
                    number=True,
                    mark="up" if up else "down",
                ),
                Cell(number(change.get("q"), ".3f"), number=True),
                Cell(f"{change.get('n_after', 0):,}", link, number=True),
            )
        )
    return Table(
        _("Significant changes"),
        (_("period"), _("metric"), _("before"), _("after"), _("change [interval]"), _("q"), _("n")),
        rows,
        export="changes",
        notes=(_("Each period against the one before; Benjamini–Hochberg q < 0.05."),),
    )


def shown_index(found: PageContext) -> dict[str, Any]:
    """The index as the viewer may see it: thin nodes withheld from viewers and agents."""
    report = cast(dict[str, Any], index_of(found).to_dict())  # one report: no period
    return withheld_index(report, found.viewer.sees_thin_figures)


@page("/", N_("Overview"), order=10)
def overview(found: PageContext) -> tuple[str, dict[str, Any]]:
    index = shown_index(found)
    rows = withheld_rows(trend_rows(found), found.viewer.sees_thin_figures)
    consistency = [
        (
            c["id"],
            number(c.get("score"), ".2f"),
            c.get("differ"),
            ", ".join(found.label("channel", ch["channel"]) for ch in c.get("channels", [])),
        )
        for c in index.get("consistency", [])
    ]
    channel_chart = charts.bars(
        found._("MTSI by channel"),
        [found.label("channel", c["id"]) for c in index["channels"]],
        [c["score"] for c in index["channels"]],
        [c["low"] for c in index["channels"]],
        [c["high"] for c in index["channels"]],
        [found.drill(channel=c["id"]) for c in index["channels"]],
        dim=[bool(c.get("insufficient")) for c in index["channels"]],
    )
    return "overview.html", {
        "index": index,
        "tree": tree_tables(found, index),
        "channel_chart": channel_chart,
        "trends": trend_charts(found, rows),
        "changes": change_table(found),
        "consistency": consistency,
        "reach": index.get("reach", {}),
        "responsiveness": index.get("responsiveness", {}),
    }


@exporter("index")
def export_index(found: PageContext) -> Sheets:
    return [("MTSI", withheld_nodes(index_of(found).records(), found.viewer.sees_thin_figures))]


@exporter("changes")
def export_changes(found: PageContext) -> Sheets:
    return [
        ("changes", withheld_tests(changes_of(found).records(), found.viewer.sees_thin_figures))
    ]


@exporter("metrics")
def export_metrics(found: PageContext) -> Sheets:
    result = metrics_of(found, period=True)
    return [("metrics", withheld_rows(result.records(), found.viewer.sees_thin_figures))]
