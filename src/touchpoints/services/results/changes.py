"""``touchpoints changes``: the comparisons made, each with its test and q-value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Cell, Note, Result, Row, TableView, View, text, with_interval


@dataclass(frozen=True)
class Tested(Row):
    """A tested difference: its interval, p and Benjamini–Hochberg q, and whether q is
    below 1 − confidence; the test's ``method`` and the ``design_effect`` of the clustered
    variance of the difference. Shared by ``changes`` and ``benchmark`` rows."""

    difference: float
    low: float
    high: float
    p: float
    q: float
    significant: bool
    method: str
    design_effect: float | None

    def cells(self) -> tuple[Cell, Cell]:
        """``+3.2 [1.0, 5.4]`` and the q-value, ``(n.s.)`` when not significant."""
        q = f"{self.q:.3g}" + ("" if self.significant else " (n.s.)")
        return Cell(with_interval(self.difference, self.low, self.high, "+.1f")), Cell(q)


@dataclass(frozen=True)
class Change(Row):
    """One comparison: ``after − before`` within ``scope`` (the group, and the period with
    what it is compared with), with its test; the answers on each side, and whether either
    side has fewer than min n. A group against the rest also names its sides ``n_group``
    and ``n_rest``."""

    scope: dict[str, Any]
    metric: str
    before: float
    after: float
    test: Tested
    n_before: int
    n_after: int
    insufficient: bool
    kind: str  # "period", "rest" or "pair"
    n_group: int | None = None
    n_rest: int | None = None

    def to_dict(self) -> dict[str, Any]:
        found = super().to_dict()
        for name in ("n_group", "n_rest"):
            if found[name] is None:
                del found[name]
        return found


@dataclass(frozen=True)
class Omnibus(Row):
    """Whether the groups of a dimension differ at all in ``metric``: one test across all of
    them, with its q-value in the omnibus tests' own Benjamini–Hochberg family.

    The row carries every pinned key of a change (CONTRACTS.md), those that have no meaning
    for it (``before``, ``after``, ``difference``, ``low``, ``high``) as ``null``, and its
    scope names each dimension (``null``: all of its groups), so a script reading the rows of
    ``changes`` meets no missing key."""

    scope: dict[str, Any]
    metric: str
    statistic: float
    df: int
    p: float
    q: float
    significant: bool
    method: str
    design_effect: float
    n: int
    groups: int
    kind: str = "omnibus"

    def to_dict(self) -> dict[str, Any]:
        found = super().to_dict()
        pinned = dict.fromkeys(("before", "after", "difference", "low", "high"))
        head = {"scope": found.pop("scope"), "metric": found.pop("metric")}
        return head | pinned | found


@dataclass(frozen=True, repr=False)
class ChangesResult(Result):
    """The movements found; only the significant ones unless every one was asked for;
    then, comparing groups, the omnibus test of each metric (always listed)."""

    changes: tuple[Change, ...]
    omnibus: tuple[Omnibus, ...] = ()

    def to_dict(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in (*self.changes, *self.omnibus)]

    def records(self) -> list[dict[str, Any]]:
        """The scope's keys as columns of their own (a compared group as ``key=value``)."""
        return [
            {k: text(v) if isinstance(v, dict | list) else v for k, v in r["scope"].items()}
            | {k: v for k, v in r.items() if k != "scope"}
            for r in self.to_dict()
        ]

    def views(self) -> list[View]:
        rows = tuple(
            (
                Cell(text(c.scope)),
                Cell(c.metric),
                Cell(f"{c.n_before}/{c.n_after}", dim=c.insufficient),
                Cell(f"{c.before:.1f}"),
                Cell(f"{c.after:.1f}"),
                *c.test.cells(),
            )
            for c in self.changes
        )
        columns = (
            "scope",
            "metric",
            "n before/after",
            "before",
            "after",
            "difference [interval]",
            "q",
        )
        title = f"{len(self.changes)} change(s), Benjamini–Hochberg q-values"
        views: list[View] = [TableView(title, columns, rows)]
        if self.omnibus:
            views.append(
                TableView(
                    "Do the groups differ at all? (one test per metric across the groups)",
                    ("metric", "groups", "n", "statistic (df)", "q", "test"),
                    tuple(
                        (
                            Cell(o.metric),
                            Cell(str(o.groups)),
                            Cell(str(o.n)),
                            Cell(f"{o.statistic:.1f} ({o.df})"),
                            Cell(f"{o.q:.3g}" + ("" if o.significant else " (n.s.)")),
                            Cell(o.method),
                        )
                        for o in self.omnibus
                    ),
                )
            )
        views.append(
            Note(
                "Tests treat each customer as a cluster (variances from customer totals; a "
                "difference between sides that share customers keeps their covariance). "
                "Grey n: a side has fewer answers than min_n.",
                dim=True,
            )
        )
        return views
