"""``touchpoints index``: the MTSI tree with what sits beside it (CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from touchpoints.core.result import Cell, Note, Result, TableView, View, text, with_interval


def _node_cells(label: str, node: Node, *, share: bool = True) -> tuple[Cell, ...]:
    """``label, score [interval], n, weight, coverage``; grey when too thin."""
    dim = node.insufficient
    return (
        Cell(label, dim),
        Cell(
            "no data" if node.score is None else with_interval(node.score, node.low, node.high), dim
        ),
        Cell(f"{node.n:,}", dim),
        Cell(f"{node.weight:.0%}" if share else "", dim),
        Cell(f"{node.coverage:.0%}", dim),
    )


if TYPE_CHECKING:
    from touchpoints.core.index import Node

_NODE_COLUMNS = ("score [interval]", "n", "weight", "coverage")
_RIGHT = ("left", "right", "right", "right", "right")


@dataclass(frozen=True)
class IndexReport:
    """One period's index (``period`` is ``None`` for the whole range)."""

    period: str | None
    overall: Node
    channels: tuple[Node, ...]
    stages: tuple[Node, ...]
    touchpoints: tuple[Node, ...]
    consistency: tuple[dict[str, Any], ...]
    responsiveness: dict[str, Any]
    reach: dict[str, Any]
    weights: dict[str, Any]
    method: str
    confidence: float
    min_n: int

    def to_dict(self, *, with_period: bool = False) -> dict[str, Any]:
        report: dict[str, Any] = {"period": self.period} if with_period else {}
        return report | {
            "overall": self.overall.to_dict(),
            "channels": [n.to_dict() for n in self.channels],
            "stages": [n.to_dict() for n in self.stages],
            "touchpoints": [n.to_dict() for n in self.touchpoints],
            "consistency": [dict(c) for c in self.consistency],
            "responsiveness": self.responsiveness,
            "reach": self.reach,
            "weights": self.weights,
            "method": self.method,
            "confidence": self.confidence,
            "min_n": self.min_n,
        }

    def nodes(self) -> list[dict[str, Any]]:
        """Every node with its level, one row each (the tree, flat)."""
        levels = {
            "overall": (self.overall,),
            "channel": self.channels,
            "stage": self.stages,
            "touchpoint": self.touchpoints,
        }
        return [
            ({"period": self.period} if self.period else {}) | {"level": level} | n.to_dict()
            for level, nodes in levels.items()
            for n in nodes
        ]

    def views(self) -> list[View]:
        # The touchpoints under their channel, grouped in one pass (not one scan a channel).
        under: dict[str | None, list[Node]] = {}
        for t in self.touchpoints:
            under.setdefault(t.channel, []).append(t)
        tree = [_node_cells("overall", self.overall, share=False)]
        for channel in self.channels:
            tree.append(_node_cells(channel.id or "", channel))
            tree += [_node_cells(f"  └ {t.id}", t) for t in under.get(channel.id, [])]
        title = (
            f"MTSI {self.period or ''}".strip()
            + f" — touchpoint weights {self.weights['touchpoints']}, "
            f"channel weights {self.weights['channels']}"
        )
        found: list[View] = [
            TableView(
                title,
                ("channel / touchpoint", *_NODE_COLUMNS),
                tuple(tree),
                _RIGHT,
                notes=(f"{self.method}; grey: fewer answers than min_n ({self.min_n})",),
            ),
            TableView(
                "Journey stages",
                ("stage", *_NODE_COLUMNS),
                tuple(_node_cells(s.id or "", s) for s in self.stages),
                _RIGHT,
            ),
            self._consistency(),
            self._service(),
        ]
        tps, people = self.reach.get("touchpoints", {}), self.reach.get("customers", {})
        found.append(
            Note(
                f"Reach: {tps.get('with_data', 0)} of {tps.get('configured', 0)} touchpoints "
                f"have data; {people.get('multichannel', 0):,} of {people.get('total', 0):,} "
                "customers used two or more channels"
                + (f" ({people['share']:.1f}%)" if people.get("share") is not None else "")
            )
        )
        return found

    def _consistency(self) -> TableView:
        yes_no = {True: "yes", False: "no", None: "—"}
        rows = []
        for g in self.consistency:
            channels = "\n".join(
                f"{c['channel']} {c['mean']:.2f}" + ("" if c["sd"] is None else f" ± {c['sd']:.2f}")
                for c in g["channels"]
            )
            rows.append(
                (
                    Cell(f"{g['group']} {g['id']}"),
                    Cell("—" if g["score"] is None else f"{g['score']:.3f}"),
                    Cell(channels or "too few answers"),
                    Cell("—" if g.get("q") is None else f"{g['q']:.3g}"),
                    Cell("—" if g.get("spread_q") is None else f"{g['spread_q']:.3g}"),
                    Cell(yes_no[g.get("differ")]),
                    Cell(yes_no[g.get("spread_differs")]),
                )
            )
        return TableView(
            "Cross-channel consistency (1 − range of channel means / scale width; "
            "q: Benjamini–Hochberg)",
            (
                "group",
                "consistency",
                "channels (mean ± SD)",
                "Kruskal–Wallis q",
                "Brown–Forsythe q",
                "differ",
                "spread differs",
            ),
            tuple(rows),
        )

    def _service(self) -> View:
        service = self.responsiveness
        if not service["n"]:
            return Note("Responsiveness: no tickets in range")

        def hours(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} h"

        def percent(value: float | None) -> str:
            return "—" if value is None else f"{value:.0f}%"

        rows = tuple(
            (
                Cell(text(row["priority"])),
                Cell(f"{row['n']:,}"),
                Cell(hours(row["first_response_median_h"])),
                Cell(hours(row.get("response_target_h"))),
                Cell(percent(row["response_attainment"])),
                Cell(hours(row["resolution_median_h"])),
                Cell(hours(row.get("resolution_target_h"))),
                Cell(percent(row["resolution_attainment"])),
            )
            for row in [*service["priorities"], {"priority": "all"} | service]
        )
        columns = ("priority", "tickets", "first response", "target", "met")
        return TableView(
            f"Responsiveness ({service['clock']} time): medians and SLA attainment",
            (*columns, "resolution", "target", "met"),
            rows,
        )


@dataclass(frozen=True, repr=False)
class IndexResult(Result):
    """The index over the whole range, or one per period when split by period (then the
    JSON is a list, each with its ``period``)."""

    reports: tuple[IndexReport, ...]
    by_period: bool

    def to_dict(self) -> dict[str, Any] | list[dict[str, Any]]:
        if self.by_period:
            return [r.to_dict(with_period=True) for r in self.reports]
        return self.reports[0].to_dict()

    def records(self) -> list[dict[str, Any]]:
        """Every node of every period's tree, one row each, with its level."""
        return [row for r in self.reports for row in r.nodes()]

    def views(self) -> list[View]:
        if not self.by_period:
            return self.reports[0].views()
        channels = [c.id or "" for c in self.reports[0].channels] if self.reports else []
        rows = tuple(
            (
                Cell(r.period or ""),
                *tuple(
                    Cell("—" if n.score is None else f"{n.score:.1f}", dim=n.insufficient)
                    for n in (r.overall, *r.channels)
                ),
            )
            for r in self.reports
        )
        columns = ("period", "overall", *channels)
        return [
            TableView(
                "MTSI by period; grey: fewer answers than min_n",
                columns,
                rows,
                tuple("right" for _ in columns),
            )
        ]
