"""Charts as Plotly figure specifications (plain JSON), drawn in the browser by plotly.min.js.

A figure is a dict of ``data`` and ``layout`` that the page embeds in a ``data-figure``
attribute; ``static/touchpoints.js`` draws it and opens a point's ``customdata`` — the
drill-down link of the figure it shows — when clicked. Built as plain dicts, not with
``plotly.graph_objects``: the pages need a handful of trace types, and the dicts are what
Plotly's JSON schema documents (https://plotly.com/javascript/reference/).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from touchpoints.web.i18n import N_

# The figures every trend shows: (key in a metrics row, title (translated where shown), format).
TRENDS = (
    ("nps", N_("NPS"), ".1f"),
    ("csat", N_("CSAT (% satisfied)"), ".1f"),
    ("ces_mean", N_("CES (mean, 1–7)"), ".2f"),
)
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, system-ui, sans-serif"
BLUE, GREY, RED, GREEN = "#2563eb", "#94a3b8", "#dc2626", "#16a34a"


def plain(labels: Sequence[str]) -> list[str]:
    """Labels from data as plain text: Plotly reads a few HTML tags in labels (``<a href>``,
    ``<b>``), so a brand or item name holding one would become a link; its ``<`` is written as
    the entity Plotly shows as ``<``.

    >>> plain(['<a href="x">A</a>', "华东"])
    ['&lt;a href="x">A&lt;/a>', '华东']
    """
    return [str(label).replace("<", "&lt;") for label in labels]


def layout(title: str, *, height: int = 280, **extra: Any) -> dict[str, Any]:
    """The layout every chart shares: its title, a small margin, our font."""
    return {
        "title": {"text": plain([title])[0], "font": {"size": 14}, "x": 0},
        "height": height,
        "margin": {"l": 48, "r": 16, "t": 36, "b": 40},
        "font": {"family": FONT, "size": 12},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "hovermode": "closest",
    } | extra


def error_bars(
    values: Sequence[float | None], lows: Sequence[float | None], highs: Sequence[float | None]
) -> tuple[list[float | None], list[float | None]]:
    """The distances from each value up to its interval's high end and down to its low one.

    >>> error_bars([5.0, None], [4.0, None], [7.0, None])
    ([2.0, None], [1.0, None])
    """
    plus, minus = [], []
    for value, low, high in zip(values, lows, highs, strict=True):
        known = value is not None and low is not None and high is not None
        plus.append(high - value if known else None)  # type: ignore[operator]
        minus.append(value - low if known else None)  # type: ignore[operator]
    return plus, minus


def trend(
    title: str,
    periods: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    links: Sequence[str],
) -> dict[str, Any]:
    """A figure over periods with its interval as a band; a point opens its answers."""
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "x": list(periods)}
    return {
        "data": [
            band | {"type": "scatter", "y": list(highs)},
            band
            | {
                "type": "scatter",
                "y": list(lows),
                "fill": "tonexty",
                "fillcolor": "rgba(37,99,235,0.15)",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": list(periods),
                "y": list(values),
                "line": {"color": BLUE},
                "customdata": list(links),
                "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
            },
        ],
        "layout": layout(title, xaxis={"type": "category"}),
    }


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    links: Sequence[str],
    *,
    dim: Sequence[bool] = (),
) -> dict[str, Any]:
    """Horizontal bars with their intervals; a bar opens its answers; thin ones in grey."""
    plus, minus = error_bars(values, lows, highs)
    colours = [GREY if d else BLUE for d in (dim or [False] * len(values))]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": plain(labels),
                "x": list(values),
                "marker": {"color": colours},
                "error_x": {"type": "data", "array": plus, "arrayminus": minus},
                "customdata": list(links),
                "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
            }
        ],
        "layout": layout(
            title,
            height=max(160, 28 * len(labels) + 70),
            yaxis={"automargin": True, "autorange": "reversed"},
            margin={"l": 8, "r": 16, "t": 36, "b": 32},
        ),
    }


def heatmap(
    title: str,
    columns: Sequence[str],
    rows: Sequence[str],
    values: Sequence[Sequence[float | None]],
    texts: Sequence[Sequence[str]],
    links: Sequence[Sequence[str]],
) -> dict[str, Any]:
    """A grid of figures (rows × columns), coloured red to green; a cell opens its answers."""
    return {
        "data": [
            {
                "type": "heatmap",
                "x": plain(columns),
                "y": plain(rows),
                "z": [list(r) for r in values],
                "text": [list(r) for r in texts],
                "texttemplate": "%{text}",
                "customdata": [list(r) for r in links],
                "colorscale": "RdYlGn",
                "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
                "showscale": True,
            }
        ],
        "layout": layout(
            title,
            height=max(220, 44 * len(rows) + 90),
            yaxis={"automargin": True, "autorange": "reversed"},
            xaxis={"side": "top"},
        ),
    }


def scatter_gap(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
) -> dict[str, Any]:
    """Gaps against a reference as points with intervals around a zero line."""
    plus, minus = error_bars(values, lows, highs)
    colours = [GREEN if (v or 0) >= 0 else RED for v in values]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "y": plain(labels),
                "x": list(values),
                "marker": {"color": colours, "size": 10},
                "error_x": {"type": "data", "array": plus, "arrayminus": minus},
                "hovertemplate": "%{y}: %{x:+.1f}<extra></extra>",
            }
        ],
        "layout": layout(
            title,
            height=max(160, 28 * len(labels) + 70),
            yaxis={"automargin": True, "autorange": "reversed"},
            xaxis={"zeroline": True, "zerolinecolor": "#475569"},
            margin={"l": 8, "r": 16, "t": 36, "b": 32},
        ),
    }
