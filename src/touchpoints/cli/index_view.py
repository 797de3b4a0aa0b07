"""How ``touchpoints index`` reads for people: the tree, then what sits beside it."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from touchpoints.cli.output import console, with_interval


def _node(label: str, node: dict[str, Any], *, share: str | None = "weight") -> str:
    """``label  72.3 [71.8, 72.9]  n=6,290  weight 47%  coverage 100%``; grey when thin."""
    if node["score"] is None:
        text = f"{escape(label)}  no data  n={node['n']:,}"
    else:
        interval = "" if node["low"] is None else f" [{node['low']:.1f}, {node['high']:.1f}]"
        text = f"{escape(label)}  [bold]{node['score']:.1f}[/]{interval}  n={node['n']:,}"
    if share:
        text += f"  {share} {node['weight']:.0%}"
    if node["coverage"] < 1:
        text += f"  coverage {node['coverage']:.0%}"
    return f"[dim]{text}[/]" if node["insufficient"] else text


def show_index(report: dict[str, Any]) -> None:
    """One period's index as a tree, the stage view, consistency, responsiveness and reach."""
    weights = report["weights"]
    overall = report["overall"]
    title = (
        f"MTSI {report.get('period', '')}".strip()
        + f" — touchpoint weights {weights['touchpoints']}, channel weights {weights['channels']}"
    )
    tree = Tree(_node("overall", overall, share=None), guide_style="dim")
    for channel in report["channels"]:
        branch = tree.add(_node(channel["id"], channel))
        for tp in report["touchpoints"]:
            if tp["channel"] == channel["id"]:
                branch.add(_node(tp["id"], tp))
    console.print(f"[bold]{escape(title)}[/]")
    console.print(tree)
    console.print(f"[dim]{report['method']}; grey: fewer answers than min_n ({report['min_n']})[/]")

    stages = Table(title="Journey stages", title_justify="left")
    for column in ("stage", "score [interval]", "n", "weight", "coverage"):
        stages.add_column(column)
    for stage in report["stages"]:
        stages.add_row(
            escape(stage["id"]),
            with_interval(stage["score"], stage["low"], stage["high"]),
            f"{stage['n']:,}",
            f"{stage['weight']:.0%}",
            f"{stage['coverage']:.0%}",
        )
    console.print(stages)
    _show_consistency(report["consistency"])
    _show_service(report["responsiveness"])
    reach = report["reach"]
    if reach:
        tps, people = reach.get("touchpoints", {}), reach.get("customers", {})
        console.print(
            f"Reach: {tps.get('with_data', 0)} of {tps.get('configured', 0)} touchpoints "
            "have data; "
            f"{people.get('multichannel', 0):,} of {people.get('total', 0):,} customers used "
            "two or more channels"
            + (f" ({people['share']:.1f}%)" if people.get("share") is not None else "")
        )


def _show_consistency(groups: list[dict[str, Any]]) -> None:
    table = Table(
        title="Cross-channel consistency (1 − CV of channel scores, with the tests)",
        title_justify="left",
    )
    for column in ("group", "consistency", "channels", "χ² p", "Kruskal–Wallis p", "differ"):
        table.add_column(column)
    for g in groups:
        channels = "\n".join(f"{c['channel']} {c['score']:.1f}" for c in g["channels"])
        table.add_row(
            escape(f"{g['group']} {g['id']}"),
            "—" if g["score"] is None else f"{g['score']:.3f}",
            escape(channels or "too few answers"),
            "—" if g.get("chi2_p") is None else f"{g['chi2_p']:.3g}",
            "—" if g.get("kruskal_p") is None else f"{g['kruskal_p']:.3g}",
            {True: "yes", False: "no", None: "—"}[g.get("differ")],
        )
    console.print(table)


def _show_service(service: dict[str, Any]) -> None:
    if not service["n"]:
        console.print("Responsiveness: no tickets in range")
        return
    table = Table(
        title=f"Responsiveness ({service['clock']} time): medians and SLA attainment",
        title_justify="left",
    )
    for column in (
        "priority",
        "tickets",
        "first response",
        "target",
        "met",
        "resolution",
        "target",
        "met",
    ):
        table.add_column(column)

    def hours(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} h"

    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}%"

    for row in [*service["priorities"], {"priority": "all"} | service]:
        table.add_row(
            escape(str(row["priority"])),
            f"{row['n']:,}",
            hours(row["first_response_median_h"]),
            hours(row.get("response_target_h")),
            percent(row["response_attainment"]),
            hours(row["resolution_median_h"]),
            hours(row.get("resolution_target_h")),
            percent(row["resolution_attainment"]),
        )
    console.print(table)


def show_index_trend(reports: list[dict[str, Any]]) -> None:
    """With ``--period``: the overall and channel indices per period, one row each."""
    channels = [c["id"] for c in reports[0]["channels"]] if reports else []
    table = Table(title="MTSI by period; grey: fewer answers than min_n", title_justify="left")
    for column in ("period", "overall", *channels):
        table.add_column(column, justify="right")
    for report in reports:
        cells = [report["overall"], *report["channels"]]
        table.add_row(
            report["period"],
            *(
                "—"
                if c["score"] is None
                else (f"[dim]{c['score']:.1f}[/]" if c["insufficient"] else f"{c['score']:.1f}")
                for c in cells
            ),
        )
    console.print(table)
