"""The touchpoints: a channel × stage heatmap, and a page per touchpoint with its trend, its
answers by segment and region, and its comments."""

from __future__ import annotations

from typing import Any

from touchpoints.api.app import withheld_rows
from touchpoints.core.result import with_interval
from touchpoints.services.access import ANSWERS, Withheld, answers_for
from touchpoints.web import charts
from touchpoints.web.charts import TRENDS
from touchpoints.web.filters import Filters
from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, PageRefused, page
from touchpoints.web.tables import Cell, Sheets, Table, exporter
from touchpoints.web.views.overview import metrics_of, trend_charts

# The figures a heatmap may colour by: (key, title, format).
FIGURES = {key: (title, spec) for key, title, spec in TRENDS}


def metrics_rows(
    found: PageContext, by: str | None, filters: Filters | None = None, *, period: bool = False
) -> list[dict[str, Any]]:
    """Metrics rows by ``by`` for the filters (or ``filters``), as the viewer may see them."""
    rows = metrics_of(found, by, filters, period=period).to_dict()
    return withheld_rows(rows, found.viewer.sees_thin_figures)


def figure_table(
    found: PageContext,
    title: str,
    by: str,
    rows: list[dict[str, Any]],
    filters: Filters,
    export: str,
) -> Table:
    """Metrics rows as a table: each group's n and figures, each opening its answers."""
    _ = found._
    body = []
    for row in rows:
        link = found.drill(filters, **{by: row.get(by)}) if row.get(by) is not None else None
        thin = set(row.get("insufficient", []))
        body.append(
            (
                Cell(found.label(by, row.get(by))),
                Cell(f"{row['n']:,}", link, number=True),
                *(
                    Cell(
                        with_interval(row.get(k), row.get(f"{k}_low"), row.get(f"{k}_high"), s),
                        link,
                        k in thin,
                        True,
                    )
                    for k, _t, s in TRENDS
                ),
            )
        )
    columns = (_(by), _("n"), *(_(t) for _k, t, _s in TRENDS))
    return Table(title, columns, body, export, query=filters.query())


@page("/touchpoints", N_("Touchpoints"), order=30)
def heatmap(found: PageContext) -> tuple[str, dict[str, Any]]:
    metric = found.request.query_params.get("metric", "nps")
    if metric not in FIGURES:
        metric = "nps"
    title, spec = FIGURES[metric]
    rows = metrics_rows(found, "channel,stage")
    model = found.workspace.model
    channels = [c.id for c in model.channels]
    stages = [s.id for s in model.stages]
    cell = {(r["channel"], r["stage"]): r for r in rows}
    values, texts, links = [], [], []
    for channel in channels:
        line_v, line_t, line_l = [], [], []
        for stage in stages:
            row = cell.get((channel, stage))
            value = row.get(metric) if row else None
            line_v.append(value)
            line_t.append(
                f"{format(value, spec)}<br>n={row['n']:,}"
                if row and value is not None
                else (f"— n={row['n']:,}" if row else "")
            )
            line_l.append(found.drill(channel=channel, stage=stage))
        values.append(line_v)
        texts.append(line_t)
        links.append(line_l)
    figure = charts.heatmap(
        f"{found._(title)} · {found._('channel')} × {found._('stage')}",
        [found.label("stage", s) for s in stages],
        [found.label("channel", c) for c in channels],
        values,
        texts,
        links,
    )
    table = figure_table(
        found,
        found._("By touchpoint"),
        "touchpoint",
        metrics_rows(found, "touchpoint"),
        found.filters,
        "touchpoints",
    )
    pages = [
        (found.label("touchpoint", t.id), found.link(f"/touchpoints/{t.id}"))
        for t in model.touchpoints
    ]
    choices = [(k, found._(t), k == metric) for k, (t, _s) in FIGURES.items()]
    return "touchpoints.html", {
        "figure": figure,
        "by_touchpoint": table,
        "pages": pages,
        "choices": choices,
    }


@page("/touchpoints/{touchpoint}")
def touchpoint(found: PageContext) -> tuple[str, dict[str, Any]]:
    tid = found.request.path_params["touchpoint"]
    ids = {t.id for t in found.workspace.model.touchpoints}
    if tid not in ids:
        raise PageRefused(404, found._("No such touchpoint."))
    here = found.filters.narrowed(touchpoint=tid)
    trend = metrics_rows(found, None, here, period=True)
    by_segment = figure_table(
        found,
        found._("By segment"),
        "segment",
        metrics_rows(found, "segment", here),
        here,
        "segments",
    )
    by_region = figure_table(
        found, found._("By region"), "region", metrics_rows(found, "region", here), here, "regions"
    )
    comments, note = None, None
    if found.viewer.may(ANSWERS):
        try:
            comments = answers_for(
                found.workspace,
                found.viewer.role,
                found.viewer.team,
                per_page=20,
                comments=True,
                **here.selection(),
            )
        except Withheld as refused:
            note = refused.message
    charts_ = trend_charts(found, trend, here)
    return "touchpoint.html", {
        "name": found.label("touchpoint", tid),
        "id": tid,
        "trends": charts_,
        "tables": [by_segment, by_region],
        "comments": comments,
        "comments_link": found.link("/answers", here, comments="1"),
        "note": note,
    }


def _rows(found: PageContext, by: str) -> Sheets:
    return [(by, metrics_rows(found, by))]


@exporter("touchpoints")
def export_touchpoints(found: PageContext) -> Sheets:
    return _rows(found, "touchpoint")


@exporter("segments")
def export_segments(found: PageContext) -> Sheets:
    return _rows(found, "segment")


@exporter("regions")
def export_regions(found: PageContext) -> Sheets:
    return _rows(found, "region")
