"""How metrics read for people: figures with intervals, greyed out when too thin."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from touchpoints.cli.output import console, with_interval


def metrics_table(rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Figures with their intervals; those from too few answers greyed out."""
    table = Table(
        title=f"{len(rows)} group(s); grey: fewer answers than min_n", title_justify="left"
    )
    for column in [*keys, "n", "NPS", "CSAT %", "CSAT mean", "CES mean", "CES agree %"]:
        table.add_column(column, justify="left" if column in keys else "right")

    def figure(row: dict[str, Any], name: str, interval: bool = True) -> str:
        bounds = (row.get(f"{name}_low"), row.get(f"{name}_high")) if interval else (None, None)
        text = with_interval(row[name], *bounds)
        return f"[dim]{text}[/]" if row[name] is not None and name in row["insufficient"] else text

    for row in rows:
        table.add_row(
            *(escape(str(row[k])) if row[k] is not None else "—" for k in keys),
            str(row["n"]),
            figure(row, "nps"),
            figure(row, "csat"),
            figure(row, "csat_mean", interval=False),
            figure(row, "ces_mean", interval=False),
            figure(row, "ces_agree", interval=False),
        )
    console.print(table)


def _gap(row: dict[str, Any]) -> str:
    text = with_interval(row["difference"], row["low"], row["high"], "+.1f")
    return f"[dim]{text}[/]" if row["insufficient"] else text


def show_benchmark(report: dict[str, Any], keys: list[str]) -> None:
    """Figures per brand, then our gap to each competitor and to each reference."""
    console.print(f"[bold]Benchmark: {escape(report['own'])}[/] — {escape(report['basis'])}")
    metrics_table(report["brands"], [*keys, "brand"])
    for title, rows, against in (
        ("Gaps to competitors (ours − theirs)", report["gaps"], "brand"),
        ("Against references (ours − reference)", report["references"], "reference"),
    ):
        if not rows:
            continue
        table = Table(title=f"{title}; Benjamini–Hochberg q-values", title_justify="left")
        for column in [*keys, against, "metric", "ours", "theirs", "gap [interval]", "q"]:
            table.add_column(column)
        for r in rows:
            theirs = r["competitor"] if against == "brand" else r["value"]
            table.add_row(
                *(escape(str(r["scope"].get(k))) for k in keys),
                escape(str(r[against])),
                r["metric"],
                f"{r['own']:.1f}",
                f"{theirs:.1f}",
                _gap(r),
                f"{r['q']:.3g}" + ("" if r["significant"] else " (n.s.)"),
            )
        console.print(table)
    for r in report["unanswered"]:
        where = ", ".join(f"{k}={v}" for k, v in r.items() if k not in ("reference", "metric"))
        console.print(
            f"[dim]{escape(r['reference'])} ({r['metric']}): no answers of ours to compare"
            + (f" in {escape(where)}" if where else "")
            + "[/]"
        )


def show_items(report: dict[str, Any], keys: list[str]) -> None:
    """Each item's mean, score and boxes per group, then the CSI per group."""
    low, high = report["scale"]
    table = Table(
        title=f"Items on {low}–{high}; grey: fewer answers than min_n", title_justify="left"
    )
    for column in [*keys, "item", "n", "mean [interval]", "score", "top-2 %", "bottom-2 %"]:
        table.add_column(column, justify="left" if column in (*keys, "item") else "right")
    for r in report["items"]:
        cells = [
            with_interval(r["mean"], r["mean_low"], r["mean_high"], ".2f"),
            f"{r['score']:.1f}",
            f"{r['top_box']:.1f}",
            f"{r['bottom_box']:.1f}",
        ]
        if r["insufficient"]:
            cells = [f"[dim]{c}[/]" for c in cells]
        table.add_row(
            *(escape(str(r.get(k))) for k in keys), escape(r["item"]), f"{r['n']:,}", *cells
        )
    console.print(table)
    weights = ", ".join(f"{k} {v:.0%}" for k, v in report["weights"].items())
    csi = Table(title=f"CSI (0–100), weights: {escape(weights)}", title_justify="left")
    for column in [*keys, "CSI [interval]", "respondents"]:
        csi.add_column(column)
    for r in report["csi"]:
        value = with_interval(r["csi"], r["low"], r["high"])
        csi.add_row(
            *(escape(str(r.get(k))) for k in keys),
            f"[dim]{value}[/]" if r["insufficient"] else value,
            f"{r['n']:,}",
        )
    console.print(csi)
