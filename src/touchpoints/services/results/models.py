"""``touchpoints analyze``: the experience models' results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Note, Result, TableView, View, cells


def _number(value: float | None, spec: str) -> str | None:
    return None if value is None else format(value, spec)


@dataclass(frozen=True, repr=False)
class KanoResult(Result):
    """One row per attribute (and group): its category, Better, Worse, strength, counts and
    n, whether R or Q answers outnumber its category (a badly worded question), and whether
    it rests on fewer than ``metrics.min_n`` answer pairs (``insufficient``)."""

    rows: tuple[dict[str, Any], ...]
    keys: tuple[str, ...]

    def to_dict(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in r.items() if k != "counts"}
            | {f"count_{c}": k for c, k in r["counts"].items()}
            for r in self.rows
        ]

    def views(self) -> list[View]:
        columns = (
            *self.keys,
            "attribute",
            "category",
            "better",
            "worse",
            "strength",
            "n",
            "A/O/M/I/R/Q",
        )
        body = tuple(
            cells(
                [
                    *(r.get(k) for k in self.keys),
                    r["attribute"],
                    r["category"] + (" (R/Q!)" if r["flagged"] else ""),
                    _number(r["better"], ".2f"),
                    _number(r["worse"], ".2f"),
                    _number(r["strength"], ".2f"),
                    r["n"],
                    "/".join(str(v) for v in r["counts"].values()),
                ],
                dim=bool(r.get("insufficient")),
            )
            for r in self.rows
        )
        align = ("left",) * (len(self.keys) + 2) + ("right",) * 5
        return [
            TableView("KANO categories", columns, body, align),
            Note(
                "Category: most frequent of A, O, M, I (ties M > O > A > I); R/Q! when reverse "
                "or questionable answers outnumber it. Better = (A+O)/(A+O+M+I), "
                "Worse = −(O+M)/(A+O+M+I) (Berger et al. 1993).",
                dim=True,
            ),
        ]
