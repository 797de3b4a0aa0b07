"""The ``touchpoints`` command line: thin wrappers over the service functions."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from touchpoints import __version__
from touchpoints.cli.output import (
    Format,
    HumanOrJson,
    console,
    errors,
    print_csv,
    print_json,
    print_table,
    reporting,
    with_interval,
)
from touchpoints.errors import UserInputError
from touchpoints.model import MODEL_FILE
from touchpoints.services.query import DIMENSIONS, MetricsQuery
from touchpoints.workspace import Workspace, init_workspace

# The engine, pandas and scipy load inside the commands that use them, so that `--help` and
# every command start without importing what they do not need.

app = typer.Typer(
    name="touchpoints",
    help="Open multi-channel customer-experience management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
quarantine_app = typer.Typer(
    help="Show and export the rows ingestion refused.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="TOUCHPOINTS_WORKSPACE",
        help="Workspace folder (holds touchpoints.yaml).",
        file_okay=False,
    ),
]
KindOpt = Annotated[str | None, typer.Option("--kind", "-k", help="Kind of data, e.g. responses.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"touchpoints {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Open multi-channel customer-experience management."""


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the new workspace.", file_okay=False)
    ],
    force: Annotated[bool, typer.Option(help="Overwrite an existing touchpoints.yaml.")] = False,
) -> None:
    """Create a workspace: a commented touchpoints.yaml, a pseudonym key and a warehouse."""
    with reporting():
        workspace = init_workspace(directory, force=force)
    console.print(f"Workspace ready in [bold]{escape(str(workspace.root))}[/]")
    console.print(f"Edit {escape(str(workspace.root / MODEL_FILE))}, then `touchpoints check`.")


@app.command()
def check(
    workspace: WorkspaceOpt = Path("."),
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Also check a mapping file.")
    ] = None,
    fmt: Annotated[HumanOrJson, typer.Option("--format")] = HumanOrJson.table,
) -> None:
    """Validate touchpoints.yaml (and a mapping): one line per problem, with its path."""
    from touchpoints.ingest.mapping import load_mapping

    with reporting(fmt):
        ws = Workspace.open(workspace)
        if map_file is not None:
            load_mapping(map_file)
    summary: dict[str, Any] = {
        "model": str(ws.root / MODEL_FILE),
        "valid": True,
        "channels": len(ws.model.channels),
        "touchpoints": len(ws.model.touchpoints),
        "stages": len(ws.model.stages),
    }
    if fmt is HumanOrJson.json:
        print_json(summary)
    else:
        console.print(
            f"[green]ok[/] {escape(summary['model'])}: {summary['channels']} channels, "
            f"{summary['touchpoints']} touchpoints, {summary['stages']} stages"
        )


@contextmanager
def _steps(show: bool) -> Iterator[Progress]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not show,
    )
    with progress:
        yield progress


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX/XLS, JSON, JSONL or Parquet file.")],
    kind: KindOpt = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Mapping file (YAML).")] = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[HumanOrJson, typer.Option("--format")] = HumanOrJson.table,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each step with its time to stderr.")
    ] = False,
) -> None:
    """Load a file: valid rows are stored, bad rows quarantined with reasons, duplicates counted."""
    from touchpoints.ingest import STEPS, ingest_file

    with reporting(fmt), _steps(errors.is_terminal and fmt is HumanOrJson.table) as progress:
        ws = Workspace.open(workspace)
        task = progress.add_task(f"{file.name}: starting", total=len(STEPS))
        started = time.perf_counter()

        def advance(step: str) -> None:
            progress.update(task, description=f"{file.name}: {step}", completed=STEPS.index(step))
            if verbose:
                sys.stderr.write(f"{time.perf_counter() - started:7.2f}s {step}\n")
                sys.stderr.flush()

        result = ingest_file(ws, file, kind=kind, mapping_path=map_file, progress=advance)
    if fmt is HumanOrJson.json:
        print_json(result.to_dict())
        return
    console.print(
        f"[bold]{escape(result.file)}[/] → {result.kind}: read {result.read:,}, "
        f"[green]accepted {result.accepted:,}[/], "
        f"[yellow]quarantined {result.quarantined:,}[/], duplicates {result.duplicates:,} "
        f"({result.seconds:.2f} s)"
    )
    if result.ignored_columns:
        console.print(f"Not mapped, dropped: {escape(', '.join(result.ignored_columns))}")
    if result.quarantined:
        console.print("See why: `touchpoints quarantine list`")


@app.command()
def status(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[HumanOrJson, typer.Option("--format")] = HumanOrJson.table,
) -> None:
    """Rows and date range per kind of data, and the size of the quarantine."""
    from touchpoints.warehouse.status import warehouse_status

    with reporting(fmt):
        report = warehouse_status(Workspace.open(workspace))
    if fmt is HumanOrJson.json:
        print_json(report)
        return
    rows = [{"kind": k, **v} for k, v in report["kinds"].items()]
    print_table(f"Workspace {report['workspace']}", rows, ["kind", "rows", "from", "to"])
    console.print(
        f"Quarantine: {report['quarantine']['rows']:,} rows; ingests: {report['ingests']}"
    )


class Language(StrEnum):
    zh = "zh"
    en = "en"


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the demo workspace.", file_okay=False)
    ],
    lang: Annotated[Language, typer.Option("--lang", help="Main language of texts.")] = Language.zh,
    customers: Annotated[
        int, typer.Option(help="Customers; each answers ~5 surveys.", min=1)
    ] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same workspace.")] = 42,
    force: Annotated[bool, typer.Option(help="Rebuild a demo in a non-empty folder.")] = False,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Do not start the dashboard (it arrives later).")
    ] = False,
    fmt: Annotated[HumanOrJson, typer.Option("--format")] = HumanOrJson.table,
) -> None:
    """Build a complete example workspace of a fictional retailer, with planted effects."""
    from touchpoints.demo import build_demo

    with reporting(fmt), _steps(errors.is_terminal and fmt is HumanOrJson.table) as progress:
        task = progress.add_task("demo", total=None)
        summary = build_demo(
            directory,
            lang=lang.value,
            customers=customers,
            seed=seed,
            force=force,
            progress=lambda step: progress.update(task, description=step),
        )
    if fmt is HumanOrJson.json:
        print_json(summary.to_dict())
        return
    rows = [{"kind": k, **v} for k, v in summary.totals().items()]
    columns = ["kind", "files", "read", "accepted", "quarantined", "duplicates", "updated"]
    print_table(f"Demo workspace {directory} (seed {seed})", rows, columns)
    console.print(f"Planted effects: {escape(str(directory / 'planted.json'))}")
    console.print(
        f"Next: `touchpoints status -w {escape(str(directory))}`"
        + ("" if no_serve else " (the dashboard arrives with the web app)")
    )


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


ByOpt = Annotated[str, typer.Option(help="Dimensions, comma-separated: " + ", ".join(DIMENSIONS))]
SinceOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (inclusive).")
]
UntilOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (inclusive).")
]
WhereOpt = Annotated[
    list[str] | None, typer.Option(help="Keep only DIMENSION=VALUE; repeat to combine.")
]


def _query(
    by: str,
    period: Period | None,
    since: datetime | None,
    until: datetime | None,
    where: list[str] | None,
) -> MetricsQuery:
    """The options the metrics commands share, as one query."""
    pairs = _pairs(where, "--where")
    return MetricsQuery(
        by=tuple(d.strip() for d in by.split(",") if d.strip()),
        period=period.value if period else None,
        since=since.date() if since else None,
        until=until.date() if until else None,
        where=pairs,
    )


@app.command()
def metrics(
    by: ByOpt = "",
    period: Annotated[Period | None, typer.Option(help="Group by calendar period too.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """NPS, CSAT and CES with n and intervals, by any dimensions and period."""
    from touchpoints.cli.metrics_view import metrics_table
    from touchpoints.services.metrics import metrics_rows

    with reporting(fmt):
        query = _query(by, period, since, until, where)
        rows = metrics_rows(Workspace.open(workspace), query)
    if fmt is Format.json:
        print_json(rows)
    elif fmt is Format.csv:
        print_csv(rows)
    else:
        metrics_table(rows, [*query.by, *(["period"] if query.period else [])])


@app.command()
def changes(
    by: ByOpt = "",
    period: Annotated[
        Period | None, typer.Option(help="Compare each period with the last.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    all_changes: Annotated[
        bool, typer.Option("--all", help="Show every comparison, not only significant ones.")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The significant movements: period over period, or each group against the rest."""
    from touchpoints.services.changes import change_rows

    with reporting(fmt):
        query = _query(by, period, since, until, where)
        rows = change_rows(Workspace.open(workspace), query, all_changes=all_changes)
    if fmt is Format.json:
        print_json(rows)
    elif fmt is Format.csv:
        print_csv([{**r["scope"], **{k: v for k, v in r.items() if k != "scope"}} for r in rows])
    else:
        table = Table(
            title=f"{len(rows)} change(s), Benjamini–Hochberg q-values", title_justify="left"
        )
        for column in ("scope", "metric", "before", "after", "difference [interval]", "q"):
            table.add_column(column)
        for r in rows:
            scope = ", ".join(f"{k}={v}" for k, v in r["scope"].items())
            table.add_row(
                escape(scope),
                r["metric"],
                f"{r['before']:.1f}",
                f"{r['after']:.1f}",
                with_interval(r["difference"], r["low"], r["high"], "+.1f"),
                f"{r['q']:.3g}" + ("" if r["significant"] else " (n.s.)"),
            )
        console.print(table)


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``K=V`` options as a mapping, each malformed one a clear error."""
    pairs = {}
    for pair in values or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserInputError(f"{option} takes NAME=VALUE, got '{pair}'")
        pairs[key.strip()] = value.strip()
    return pairs


def _scale(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    low, sep, high = text.partition(",")
    try:
        scale = (int(low), int(high)) if sep else None
    except ValueError:
        scale = None
    if scale is None or scale[0] >= scale[1]:
        raise UserInputError(f"--scale takes LOW,HIGH with LOW < HIGH, got '{text}'")
    return scale


@app.command()
def items(
    item: Annotated[
        list[str] | None,
        typer.Option(help="Items to rate, glob patterns; repeat (default: attr.*)."),
    ] = None,
    by: ByOpt = "",
    period: Annotated[Period | None, typer.Option(help="Group by calendar period too.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    weight: Annotated[
        list[str] | None, typer.Option(help="CSI weight of an item, ITEM=W; repeat.")
    ] = None,
    scale: Annotated[
        str | None, typer.Option(help="The items' scale, LOW,HIGH (default metrics.scales.items).")
    ] = None,
    resamples: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the CSI interval (0: none).")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Rated items (attributes): mean, top- and bottom-box per group, and the CSI."""
    from touchpoints.cli.metrics_view import show_items
    from touchpoints.services.items import item_report

    with reporting(fmt):
        query = _query(by, period, since, until, where)
        try:
            weights = {k: float(v) for k, v in _pairs(weight, "--weight").items()}
        except ValueError:
            raise UserInputError("--weight takes ITEM=NUMBER") from None
        report = item_report(
            Workspace.open(workspace),
            query,
            items=item or ["attr.*"],
            weights=weights or None,
            scale=_scale(scale),
            resamples=resamples,
            seed=seed,
        )
    if fmt is Format.json:
        print_json(report)
    elif fmt is Format.csv:
        print_csv(report["items"])
    else:
        show_items(report, [*query.by, *(["period"] if query.period else [])])


@app.command()
def benchmark(
    by: ByOpt = "",
    period: Annotated[Period | None, typer.Option(help="Compare per calendar period.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            help="More reference values: a CSV, JSON or YAML file with the keys of `references:`.",
            dir_okay=False,
        ),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Our figures beside competitors' (benchmark surveys) and outside reference values."""
    from touchpoints.cli.metrics_view import show_benchmark
    from touchpoints.services.benchmark import benchmark_report, load_references

    with reporting(fmt):
        query = _query(by, period, since, until, where)
        extra = load_references(reference) if reference else []
        report = benchmark_report(Workspace.open(workspace), query, extra)
    if fmt is Format.json:
        print_json(report)
    elif fmt is Format.csv:
        print_csv(
            [
                r["scope"]
                | {"against": r.get("brand") or r.get("reference")}
                | {k: v for k, v in r.items() if k != "scope"}
                for r in [*report["gaps"], *report["references"]]
            ]
        )
    else:
        show_benchmark(report, [*query.by, *(["period"] if query.period else [])])


@app.command()
def index(
    period: Annotated[Period | None, typer.Option(help="One index per calendar period.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    resamples: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the intervals (0: none).")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[HumanOrJson, typer.Option("--format")] = HumanOrJson.table,
) -> None:
    """The multi-channel touchpoint satisfaction index (MTSI) with consistency,
    responsiveness and reach."""
    from touchpoints.cli.index_view import show_index, show_index_trend
    from touchpoints.services.index import index_report

    with reporting(fmt):
        query = _query("", period, since, until, None)
        report = index_report(Workspace.open(workspace), query, resamples=resamples, seed=seed)
    if fmt is HumanOrJson.json:
        print_json(report)
    elif isinstance(report, list):
        show_index_trend(report)
    else:
        show_index(report)


@quarantine_app.command("list")
def quarantine_list(
    kind: KindOpt = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """What is still refused, with every reason."""
    from touchpoints.ingest import list_quarantine

    with reporting(fmt):
        entries = list_quarantine(Workspace.open(workspace), kind)
    if fmt is Format.json:
        print_json(entries)
    elif fmt is Format.csv:
        print_csv([{k: v for k, v in e.items() if k != "data"} | e["data"] for e in entries])
    else:
        print_table(
            f"Quarantine: {len(entries)} rows", entries, ["kind", "file", "row", "key", "reasons"]
        )


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.", dir_okay=False)],
    kind: KindOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Write the refused rows as CSV under their source column names, plus `reasons`."""
    from touchpoints.ingest import export_quarantine

    with reporting():
        count = export_quarantine(Workspace.open(workspace), out, kind)
    console.print(
        f"Wrote {count:,} rows to {escape(str(out))}; fix them and ingest the file again."
    )


def main() -> None:
    app()
