"""``touchpoints benchmark``: our figures beside competitors' and beside references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Note, Result, TableView, View, text, with_interval
from touchpoints.services.results.changes import q_cell
from touchpoints.services.results.metrics import MetricsRow, metrics_view


@dataclass(frozen=True, repr=False)
class BenchmarkResult(Result):
    """``brands``: metrics rows per brand; ``gaps``: ours − each competitor's, tested;
    ``references``: ours − each reference value, tested; ``unanswered``: references with no
    answers of ours to compare. One Benjamini–Hochberg adjustment covers the call."""

    keys: tuple[str, ...]
    own: str
    basis: str
    brands: tuple[MetricsRow, ...]
    gaps: tuple[dict[str, Any], ...]
    references: tuple[dict[str, Any], ...]
    unanswered: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "own": self.own,
            "basis": self.basis,
            "brands": [b.to_dict() for b in self.brands],
            "gaps": [dict(g) for g in self.gaps],
            "references": [dict(r) for r in self.references],
            "unanswered": [dict(u) for u in self.unanswered],
        }

    def records(self) -> list[dict[str, Any]]:
        """Every tested gap, to competitors then to references, with its scope as columns."""
        return [
            r["scope"]
            | {"against": r.get("brand") or r.get("reference")}
            | {k: v for k, v in r.items() if k != "scope"}
            for r in [*self.gaps, *self.references]
        ]

    def views(self) -> list[View]:
        keys = list(self.keys)
        found: list[View] = [
            Note(f"Benchmark: {self.own} — {self.basis}"),
            metrics_view(
                f"{len(self.brands)} group(s); grey: fewer answers than min_n",
                [*keys, "brand"],
                self.brands,
            ),
        ]
        for title, rows, against in (
            ("Gaps to competitors (ours − theirs)", self.gaps, "brand"),
            ("Against references (ours − reference)", self.references, "reference"),
        ):
            if not rows:
                continue
            body = tuple(
                (
                    *tuple(Cell(text(r["scope"].get(k))) for k in keys),
                    Cell(str(r[against])),
                    Cell(r["metric"]),
                    Cell(f"{r['own']:.1f}"),
                    Cell(f"{r['competitor'] if against == 'brand' else r['value']:.1f}"),
                    Cell(
                        with_interval(r["difference"], r["low"], r["high"], "+.1f"),
                        r["insufficient"],
                    ),
                    q_cell(r["q"], r["significant"]),
                )
                for r in rows
            )
            columns = (*keys, against, "metric", "ours", "theirs", "gap [interval]", "q")
            found.append(TableView(f"{title}; Benjamini–Hochberg q-values", columns, body))
        for r in self.unanswered:
            where = ", ".join(f"{k}={v}" for k, v in r.items() if k not in ("reference", "metric"))
            found.append(
                Note(
                    f"{r['reference']} ({r['metric']}): no answers of ours to compare"
                    + (f" in {where}" if where else ""),
                    dim=True,
                )
            )
        return found
