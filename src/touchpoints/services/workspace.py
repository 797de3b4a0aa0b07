"""The library: a workspace whose methods return the results the command line renders.

``tp.open("demo-workspace").metrics(by="channel", period="quarter")`` returns the result
that ``touchpoints metrics --by channel --period quarter`` prints.
Every method takes the same parameters as its command (``by``, ``period``, ``since``,
``until``, ``where`` …) as Python values or as the strings a person types, checks them in
one place (:meth:`touchpoints.services.query.MetricsQuery.parse`) and raises a
:class:`~touchpoints.errors.ParameterError` naming the parameter when one is wrong. The
engine is imported by the first method that needs it, not by ``import touchpoints``.
Later capabilities add their method here. ``docs/library.md`` has runnable examples.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypedDict, Unpack

from touchpoints.errors import ParameterError
from touchpoints.model import MODEL_FILE
from touchpoints.services.query import (
    DIMENSIONS,
    MetricsQuery,
    Words,
    parse_names,
    parse_numbers,
    parse_scale,
)
from touchpoints.services.results.status import CheckResult, ExportResult, QuarantineResult
from touchpoints.storage.folder import WorkspaceFolder, init_folder

if TYPE_CHECKING:
    from touchpoints.ingest import IngestResult
    from touchpoints.model.schema import Reference
    from touchpoints.services.results.answers import AnswersResult
    from touchpoints.services.results.benchmark import BenchmarkResult
    from touchpoints.services.results.changes import ChangesResult
    from touchpoints.services.results.index import IndexResult
    from touchpoints.services.results.items import ItemsResult
    from touchpoints.services.results.metrics import MetricsResult
    from touchpoints.services.results.models import KanoResult
    from touchpoints.services.results.status import StatusResult

Day = date | datetime | str | None
Pairs = Mapping[str, str] | Sequence[str] | None


class Span(TypedDict, total=False):
    """The dates and period every analysis takes: ``period`` (day … year) splits by calendar
    period; ``since`` and ``until`` are inclusive local dates."""

    period: str | None
    since: Day
    until: Day


class Selection(Span, total=False):
    """A span and ``where``: keep only answers whose dimensions have these values; and
    ``survey``: ``all`` answers (the default), ``transactional`` (touchpoint) or
    ``relationship`` ones."""

    where: Pairs
    survey: str | None


class Workspace(WorkspaceFolder):
    """A workspace folder, opened: its model, key and warehouse, and every analysis on them."""

    def check(self) -> CheckResult:
        """The model is valid (opening the workspace checked it): what it describes."""
        return CheckResult(
            model=str(self.root / MODEL_FILE),
            channels=len(self.model.channels),
            touchpoints=len(self.model.touchpoints),
            stages=len(self.model.stages),
        )

    def ingest(
        self,
        path: str | Path,
        *,
        kind: str | None = None,
        mapping: str | Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> IngestResult:
        """Load a file: valid rows stored, bad rows quarantined with reasons, duplicates
        counted (``read = accepted + quarantined + duplicates``)."""
        from touchpoints.ingest import ingest_file

        return ingest_file(
            self,
            Path(path),
            kind=kind,
            mapping_path=None if mapping is None else Path(mapping),
            progress=progress,
        )

    def ingest_records(
        self, records: Iterable[Mapping[str, Any]], *, kind: str, source: str
    ) -> IngestResult:
        """Canonical records (an API body, a survey answer) through the same ingest path as
        a file: written as JSON lines to a scratch file named for ``source``, then ingested."""
        with self.scratch_file(source, kind, ".jsonl") as path:
            with path.open("w", encoding="utf-8") as out:
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            return self.ingest(path, kind=kind)

    def ingest_stream(
        self, stream: BinaryIO, *, kind: str, suffix: str, source: str
    ) -> IngestResult:
        """An uploaded file (its bytes, and its suffix for the format) through the ingest."""
        with self.scratch_file(source, kind, suffix) as path:
            with path.open("wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
            return self.ingest(path, kind=kind)

    def status(self) -> StatusResult:
        """Rows and time range per kind, and the quarantine's size."""
        from touchpoints.services.status import status_report

        return status_report(self)

    def quarantine(
        self, kind: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> QuarantineResult:
        """The rows still refused, each with every reason; a page of ``limit`` rows from
        ``offset`` on (all of them by default)."""
        from touchpoints.ingest import list_quarantine

        entries = list_quarantine(self, kind, limit=limit, offset=offset)
        with self.warehouse() as warehouse:
            per_kind = warehouse.counts("quarantine", "kind")
        total = per_kind.get(kind, 0) if kind else sum(per_kind.values())
        shown = (
            f"rows {offset + 1:,}–{offset + len(entries):,} of {total:,}"
            if entries and len(entries) < total
            else f"{total:,} rows"
        )
        columns = ("kind", "file", "row", "key", "reasons")
        return QuarantineResult(tuple(entries), f"Quarantine: {shown}", columns)

    def export_quarantine(self, out: str | Path, kind: str | None = None) -> ExportResult:
        """Write the refused rows as CSV (``reasons`` and ``_quarantine_key`` added), ready to
        fix in a spreadsheet and ingest again; cells that would run as formulas are text."""
        from touchpoints.ingest import export_quarantine

        rows = export_quarantine(self, Path(out), kind)
        return ExportResult(rows=rows, out=str(out))

    def metrics(
        self,
        by: Words = None,
        **selection: Unpack[Selection],
    ) -> MetricsResult:
        """NPS, CSAT and CES with n and intervals, by any dimensions and period."""
        from touchpoints.services.metrics import metrics_report

        return metrics_report(self, MetricsQuery.parse(by, **selection))

    def changes(
        self,
        by: Words = None,
        *,
        all_changes: bool = False,
        pairwise: bool = False,
        **selection: Unpack[Selection],
    ) -> ChangesResult:
        """Period over period, or each group against the rest (``pairwise``: against each
        other group), after FDR control."""
        from touchpoints.services.changes import changes_report

        query = MetricsQuery.parse(by, **selection)
        return changes_report(self, query, all_changes=all_changes, pairwise_groups=pairwise)

    def index(
        self,
        *,
        resamples: int = 1000,
        seed: int = 0,
        **span: Unpack[Span],
    ) -> IndexResult:
        """The multi-channel touchpoint satisfaction index (MTSI) and what sits beside it."""
        from touchpoints.services.index import index_report

        query = MetricsQuery.parse(None, **span)
        return index_report(self, query, resamples=resamples, seed=seed)

    def items(
        self,
        items: Words = ("attr.*",),
        *,
        by: Words = None,
        weights: Mapping[str, float] | Sequence[str] | None = None,
        scale: str | Sequence[int] | None = None,
        resamples: int = 1000,
        seed: int = 0,
        **selection: Unpack[Selection],
    ) -> ItemsResult:
        """Rated items per group (mean, score, top and bottom box) and the CSI."""
        from touchpoints.services.items import items_report

        query = MetricsQuery.parse(by, **selection)
        return items_report(
            self,
            query,
            items=parse_names(items) or ("attr.*",),
            weights=parse_numbers("weights", weights) or None,
            scale=parse_scale("scale", scale),
            resamples=resamples,
            seed=seed,
        )

    def analyze(self, model: str, by: Words = None, **selection: Unpack[Selection]) -> KanoResult:
        """An experience model over the selected answers, per group of ``by``:
        ``ws.analyze("kano", by="segment")`` (``touchpoints analyze kano``). The models of
        issue 18 are added here as they land; today: ``kano``."""
        from touchpoints.services.models import MODELS, kano_report

        if model not in MODELS:
            raise ParameterError("model", f"unknown model '{model}' (models: {', '.join(MODELS)})")
        return kano_report(self, MetricsQuery.parse(by, **selection))

    def answers(
        self,
        *,
        touchpoints: Sequence[str] | None = None,
        comments: bool = False,
        limit: int = 50,
        offset: int = 0,
        **selection: Unpack[Selection],
    ) -> AnswersResult:
        """The answers behind a figure, newest first, ``limit`` from ``offset`` on, with the
        selection's total: the drill-down of every page (``touchpoints answers``). Only
        those at ``touchpoints`` when given; only those with a comment if ``comments``."""
        from touchpoints.services.answers import MAX_PAGE, answers_report

        if not 0 <= limit <= MAX_PAGE:
            raise ParameterError("limit", f"takes 0 to {MAX_PAGE:,} rows, got {limit}")
        if offset < 0:
            raise ParameterError("offset", f"takes 0 or more rows, got {offset}")
        query = MetricsQuery.parse(None, **selection)
        return answers_report(
            self,
            query,
            touchpoints=None if touchpoints is None else tuple(touchpoints),
            comments=comments,
            limit=limit,
            offset=offset,
        )

    def values(self, dimensions: Sequence[str]) -> dict[str, list[str]]:
        """The values our answers hold for each of ``dimensions`` (region, segment …),
        sorted: the choices a filter offers."""
        from touchpoints.services.selection import own_responses_sql
        from touchpoints.storage.sql import ident

        found: dict[str, list[str]] = {}
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            raise ParameterError("dimensions", f"unknown dimension {unknown[0]!r}")
        with self.warehouse() as warehouse:
            for dimension in dimensions:
                column = ident(dimension)
                rows = warehouse.records(
                    f"SELECT DISTINCT {column} AS v FROM ({own_responses_sql(self.model)}) "
                    f"AS own WHERE {column} IS NOT NULL ORDER BY v"
                )
                found[dimension] = [str(r["v"]) for r in rows]
        return found

    def team_touchpoints(self, team: str | None) -> tuple[str, ...]:
        """The touchpoints a team answers for (``teams:`` of each touchpoint in the model):
        the records an agent of that team may open. No team, no touchpoints."""
        return tuple(t.id for t in self.model.touchpoints if team and team in t.teams)

    def benchmark(
        self,
        by: Words = None,
        *,
        references: str | Path | Sequence[Reference] | None = None,
        **selection: Unpack[Selection],
    ) -> BenchmarkResult:
        """Our figures beside competitors' and beside reference values (a file or a list)."""
        from touchpoints.ingest.references import load_references
        from touchpoints.services.benchmark import benchmark_report

        query = MetricsQuery.parse(by, **selection)
        extra = (
            load_references(Path(references))
            if isinstance(references, str | Path)
            else list(references or [])
        )
        return benchmark_report(self, query, extra)


def open_workspace(root: str | Path) -> Workspace:
    """Open the workspace in ``root`` (``tp.open``); a missing or invalid model is a
    :class:`~touchpoints.errors.WorkspaceError` or :class:`~touchpoints.errors.ModelError`."""
    return Workspace.open(Path(root))


def init_workspace(
    root: str | Path,
    *,
    force: bool = False,
    key: bytes | None = None,
    model_text: str | None = None,
) -> Workspace:
    """Create a workspace: a commented ``touchpoints.yaml``, a new key and an empty warehouse.
    An existing model is kept unless ``force``; a key and warehouse are never replaced."""
    folder = init_folder(Path(root), force=force, key=key, model_text=model_text)
    return Workspace(folder.root, folder.model)
