"""``touchpoints benchmark``: our figures beside competitors' and beside references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Note, Result, Row, TableView, View, text
from touchpoints.services.results.changes import Tested
from touchpoints.services.results.metrics import MetricsRow, metrics_view


@dataclass(frozen=True)
class Gap(Row):
    """Our figure minus a competitor's within ``scope``, tested, with its q-value."""

    scope: dict[str, Any]
    brand: str
    metric: str
    own: float
    test: Tested
    insufficient: bool
    competitor: float

    @property
    def against(self) -> str:
        return self.brand

    @property
    def theirs(self) -> float:
        return self.competitor


@dataclass(frozen=True)
class ReferenceGap(Row):
    """Our figure minus a published reference value, tested as a fixed value."""

    scope: dict[str, Any]
    reference: str
    metric: str
    own: float
    test: Tested
    insufficient: bool
    value: float
    sector: str | None
    source: str | None
    year: int | None

    @property
    def against(self) -> str:
        return self.reference

    @property
    def theirs(self) -> float:
        return self.value


@dataclass(frozen=True, repr=False)
class BenchmarkResult(Result):
    """``brands``: metrics rows per brand; ``gaps``: ours − each competitor's, tested;
    ``references``: ours − each reference value, tested; ``unanswered``: references with no
    answers of ours to compare. One Benjamini–Hochberg adjustment covers the call."""

    keys: tuple[str, ...]
    own: str
    basis: str
    brands: tuple[MetricsRow, ...]
    gaps: tuple[Gap, ...]
    references: tuple[ReferenceGap, ...]
    unanswered: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "own": self.own,
            "basis": self.basis,
            "brands": [b.to_dict() for b in self.brands],
            "gaps": [g.to_dict() for g in self.gaps],
            "references": [r.to_dict() for r in self.references],
            "unanswered": [dict(u) for u in self.unanswered],
        }

    def records(self) -> list[dict[str, Any]]:
        """Every tested gap, to competitors then to references, with its scope as columns."""
        tested: list[Gap | ReferenceGap] = [*self.gaps, *self.references]
        return [
            r.scope
            | {"against": r.against}
            | {k: v for k, v in r.to_dict().items() if k != "scope"}
            for r in tested
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
        tables: tuple[tuple[str, str, tuple[Gap | ReferenceGap, ...]], ...] = (
            ("Gaps to competitors (ours − theirs)", "brand", self.gaps),
            ("Against references (ours − reference)", "reference", self.references),
        )
        for title, against, rows in tables:
            if not rows:
                continue
            body = []
            for r in rows:
                gap, q = r.test.cells()
                body.append(
                    (
                        *(Cell(text(r.scope.get(k))) for k in keys),
                        Cell(r.against),
                        Cell(r.metric),
                        Cell(f"{r.own:.1f}"),
                        Cell(f"{r.theirs:.1f}"),
                        Cell(gap.text, r.insufficient),
                        q,
                    )
                )
            columns = (*keys, against, "metric", "ours", "theirs", "gap [interval]", "q")
            found.append(TableView(f"{title}; Benjamini–Hochberg q-values", columns, tuple(body)))
        for missing in self.unanswered:
            where = ", ".join(
                f"{k}={v}" for k, v in missing.items() if k not in ("reference", "metric")
            )
            found.append(
                Note(
                    f"{missing['reference']} ({missing['metric']}): no answers of ours to compare"
                    + (f" in {where}" if where else ""),
                    dim=True,
                )
            )
        return found
