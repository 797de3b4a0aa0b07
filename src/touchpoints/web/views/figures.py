"""The benchmark and the rated items: the results of ``touchpoints benchmark`` and
``touchpoints items`` as charts and tables."""

from __future__ import annotations

from typing import Any

from touchpoints.api.app import withheld_benchmark, withheld_nodes
from touchpoints.errors import ParameterError
from touchpoints.services.results.benchmark import BenchmarkResult
from touchpoints.services.results.items import ItemsResult
from touchpoints.web import charts
from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, page
from touchpoints.web.tables import Sheets, exporter


def benchmark_of(found: PageContext) -> BenchmarkResult:
    chosen = found.filters.selection()
    return found.cached(("benchmark", repr(chosen)), lambda: found.workspace.benchmark(**chosen))


def items_of(found: PageContext) -> ItemsResult:
    chosen = found.filters.selection()
    return found.cached(
        ("items", repr(chosen)), lambda: found.workspace.items(by="channel", **chosen)
    )


def shown_benchmark(found: PageContext) -> dict[str, Any]:
    return withheld_benchmark(benchmark_of(found).to_dict(), found.viewer.sees_thin_figures)


@page("/benchmark", N_("Benchmark"), order=40)
def benchmark(found: PageContext) -> tuple[str, dict[str, Any]]:
    result = shown_benchmark(found)
    gaps = [
        (f"{g['metric']} · {g.get('brand') or g.get('reference')}", g)
        for g in [*result["gaps"], *result["references"]]
    ]
    figure = charts.scatter_gap(
        found._("Our figure minus theirs (interval)"),
        [label for label, _g in gaps],
        [g["difference"] for _l, g in gaps],
        [g["low"] for _l, g in gaps],
        [g["high"] for _l, g in gaps],
    )
    return "benchmark.html", {
        "figure": figure,
        "views": benchmark_of(found).views() if found.viewer.sees_thin_figures else None,
        "result": result,
    }


def no_items(found: PageContext) -> str | None:
    """Why there is nothing to rate (no ``attr.*`` item stored), or ``None``."""
    try:
        items_of(found)
    except ParameterError as missing:
        if missing.param == "items":
            return missing.render(lambda n: n)
        raise
    return None


@page("/items", N_("Items"), order=50)
def items(found: PageContext) -> tuple[str, dict[str, Any]]:
    missing = no_items(found)
    if missing is not None:
        return "items.html", {"missing": missing}
    result = items_of(found)
    data = result.to_dict()
    shown = found.viewer.sees_thin_figures
    rated = withheld_nodes(data["items"], shown)
    overall = [r for r in rated if r.get("channel") is None]
    figure = charts.bars(
        found._("Item means (all channels)"),
        [r["item"] for r in overall],
        [r.get("mean") for r in overall],
        [r.get("mean_low") for r in overall],
        [r.get("mean_high") for r in overall],
        [found.drill() for _r in overall],
        dim=[bool(r.get("insufficient")) for r in overall],
    )
    csi = withheld_nodes(data["csi"], shown)
    csi_chart = charts.bars(
        found._("CSI by channel"),
        [
            found.label("channel", r.get("channel")) if r.get("channel") else found._("Overall")
            for r in csi
        ],
        [r.get("csi") for r in csi],
        [r.get("low") for r in csi],
        [r.get("high") for r in csi],
        [found.drill(channel=r.get("channel")) for r in csi],
        dim=[bool(r.get("insufficient")) for r in csi],
    )
    return "items.html", {
        "figure": figure,
        "csi_chart": csi_chart,
        "views": result.views() if shown else None,
        "rated": rated,
        "csi": csi,
    }


@exporter("benchmark")
def export_benchmark(found: PageContext) -> Sheets:
    result = shown_benchmark(found)
    return [(part, result[part]) for part in ("brands", "gaps", "references")]


@exporter("items")
def export_items(found: PageContext) -> Sheets:
    if no_items(found) is not None:
        return [("items", []), ("csi", [])]
    data = items_of(found).to_dict()
    shown = found.viewer.sees_thin_figures
    return [
        ("items", withheld_nodes(data["items"], shown)),
        ("csi", withheld_nodes(data["csi"], shown)),
    ]
