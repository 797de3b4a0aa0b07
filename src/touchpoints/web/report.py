"""The report: one self-contained HTML file for management, and an XLSX workbook with every
table (``touchpoints report``; the overview page downloads the same).

The HTML holds its charts' library (the plotly.min.js of the installed plotly wheel) and their
data inline, so the file opens offline, from an e-mail or a shared drive, with nothing fetched.
Its sections: the summary (MTSI with its interval, NPS, CSAT and CES of the period), the MTSI
tree, the trends, the significant changes, the benchmark, the rated items, and — for readers
who may see answers — the latest comments of detractors. Every text from the data is escaped
by the templates (a comment holding a script shows as text); the chart data is embedded with
``tojson``, which escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from touchpoints import __version__
from touchpoints.api.app import withheld_index, withheld_nodes, withheld_rows
from touchpoints.errors import ParameterError
from touchpoints.services.render import xlsx_bytes
from touchpoints.services.results.items import ItemsResult
from touchpoints.services.workspace import Workspace
from touchpoints.web import charts
from touchpoints.web.assets import asset
from touchpoints.web.charts import TRENDS
from touchpoints.web.filters import Filters
from touchpoints.web.i18n import translations
from touchpoints.web.pages import environment, names_in


@dataclass(frozen=True)
class Reader:
    """Who the report is for: whether thin figures and comments may be shown."""

    thin_figures: bool = True
    comments: bool = True


def _labeller(workspace: Workspace, lang: str) -> Any:
    names = names_in(workspace.model, lang)
    return lambda dimension, value: names.get(dimension, {}).get(value, str(value))


def report_data(
    workspace: Workspace, filters: Filters, lang: str, reader: Reader = Reader()
) -> dict[str, Any]:
    """Everything the report shows, computed once for the HTML and the workbook."""
    _ = translations(lang).gettext
    label = _labeller(workspace, lang)
    span = filters.selection()
    chosen = filters.selection(period=True)
    index = workspace.index(since=span["since"], until=span["until"])
    tree = withheld_index(cast(dict[str, Any], index.to_dict()), reader.thin_figures)
    overall = withheld_rows(workspace.metrics(**span).to_dict(), reader.thin_figures)
    trend = withheld_rows(workspace.metrics(**chosen).to_dict(), reader.thin_figures)
    changes = workspace.changes(**chosen)
    if not reader.thin_figures:  # min-n anonymity, as on the pages and in the exports
        changes = replace(changes, changes=tuple(c for c in changes.changes if not c.insufficient))
    benchmark = workspace.benchmark(**span)
    try:
        items: ItemsResult | None = workspace.items(by="channel", **span)
    except ParameterError as missing:  # no rated items stored: the report goes without them
        if missing.param != "items":
            raise
        items = None
    periods = [r["period"] for r in trend]
    figures = [
        charts.trend(
            _(title),
            periods,
            [r.get(k) for r in trend],
            [r.get(f"{k}_low") for r in trend],
            [r.get(f"{k}_high") for r in trend],
            ["" for _r in trend],
        )
        for k, title, _spec in TRENDS
    ]
    figures.append(
        charts.bars(
            _("MTSI by channel"),
            [label("channel", c["id"]) for c in tree["channels"]],
            [c["score"] for c in tree["channels"]],
            [c["low"] for c in tree["channels"]],
            [c["high"] for c in tree["channels"]],
            ["" for _c in tree["channels"]],
            dim=[bool(c.get("insufficient")) for c in tree["channels"]],
        )
    )
    comments = []
    if reader.comments:
        found = workspace.answers(comments=True, limit=200, **span)
        comments = [r for r in found.rows if r.get("nps") is not None and r["nps"] <= 6][:20]
    return {
        "lang": lang,
        "name": workspace.model.name,
        "filters": filters,
        "made": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "overall": overall[0] if overall else {},
        "tree": tree,
        "label": label,
        "fmt": format,
        "summary": [(key, _(title), spec) for key, title, spec in TRENDS],
        "figures": figures,
        "changes": changes.views(),
        "benchmark": benchmark.views() if reader.thin_figures else None,
        "items": items.views() if items is not None and reader.thin_figures else None,
        "comments": comments,
        "sheets": [
            ("MTSI", withheld_nodes(index.records(), reader.thin_figures)),
            ("metrics", trend),
            ("changes", changes.records()),
            ("benchmark", benchmark.records() if reader.thin_figures else []),
            ("items", items.records() if items is not None and reader.thin_figures else []),
        ],
    }


def report_html(data: dict[str, Any]) -> str:
    """The report as one HTML file: styles, chart library and data inline."""
    page = environment(data["lang"]).get_template("report.html")
    return page.render(
        page=None,
        plotly=asset("plotly.min.js").decode("utf-8"),
        style=asset("touchpoints.css").decode("utf-8"),
        **data,
    )


def report_xlsx(data: dict[str, Any]) -> bytes:
    """Every table of the report, one sheet each, formulas neutralised."""
    return xlsx_bytes(data["sheets"])
