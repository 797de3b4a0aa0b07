"""``touchpoints status``, ``check`` and ``quarantine list``: what a workspace holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from touchpoints.core.result import Note, Records, Result, TableView, View, cells


@dataclass(frozen=True, repr=False)
class StatusResult(Result):
    """Rows and time range per kind, the quarantine's size and the number of ingests."""

    kinds: dict[str, dict[str, Any]]
    quarantine: dict[str, Any]
    ingests: int
    workspace: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": self.kinds,
            "quarantine": self.quarantine,
            "ingests": self.ingests,
            "workspace": self.workspace,
        }

    def records(self) -> list[dict[str, Any]]:
        return [{"kind": k, **v} for k, v in self.kinds.items()]

    def views(self) -> list[View]:
        rows = tuple(cells([r["kind"], r["rows"], r["from"], r["to"]]) for r in self.records())
        table = TableView(f"Workspace {self.workspace}", ("kind", "rows", "from", "to"), rows)
        line = f"Quarantine: {self.quarantine['rows']:,} rows; ingests: {self.ingests}"
        return [table, Note(line)]


@dataclass(frozen=True, repr=False)
class QuarantineResult(Records):
    """The rows still refused, each with every reason and the row as received (masked)."""

    def records(self) -> list[dict[str, Any]]:
        """Each entry with its stored columns flattened beside the reasons."""
        return [{k: v for k, v in e.items() if k != "data"} | e["data"] for e in self.rows]


@dataclass(frozen=True, repr=False)
class CheckResult(Result):
    """A valid model: where it is and what it describes."""

    model: str
    channels: int
    touchpoints: int
    stages: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "valid": True,
            "channels": self.channels,
            "touchpoints": self.touchpoints,
            "stages": self.stages,
        }

    def records(self) -> list[dict[str, Any]]:
        return [self.to_dict()]

    def views(self) -> list[View]:
        return [
            Note(
                f"ok {self.model}: {self.channels} channels, {self.touchpoints} touchpoints, "
                f"{self.stages} stages"
            )
        ]


@dataclass(frozen=True, repr=False)
class ExportResult(Result):
    """How many refused rows were written, and where."""

    rows: int
    out: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "out": self.out}

    def records(self) -> list[dict[str, Any]]:
        return [self.to_dict()]

    def views(self) -> list[View]:
        return [
            Note(f"Wrote {self.rows:,} rows to {self.out}; fix them and ingest the file again.")
        ]
