"""The ``touchpoints`` command line: thin wrappers over the service functions."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from touchpoints import __version__
from touchpoints.cli.output import Format, FormatOpt, console, emit, errors, reporting
from touchpoints.services.query import DIMENSIONS

if TYPE_CHECKING:
    from touchpoints.services.workspace import Workspace

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
token_app = typer.Typer(help="Bearer tokens for the REST API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
user_app = typer.Typer(help="The people who log in to the pages.", no_args_is_help=True)
app.add_typer(user_app, name="user")
survey_app = typer.Typer(help="The survey pages of the touchpoints.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")
analyze_app = typer.Typer(help="Experience models: KANO (more to come).", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")

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


def _open(root: Path) -> Workspace:
    """The workspace in ``root`` (imported here: ``--help`` needs neither pydantic nor DuckDB)."""
    from touchpoints.services.workspace import Workspace

    return Workspace.open(root)


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
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a workspace: a commented touchpoints.yaml, a pseudonym key and a warehouse."""
    from touchpoints.services.workspace import init_workspace

    with reporting(fmt):
        result = init_workspace(directory, force=force).check()
    emit(result, fmt)
    if fmt is Format.table:
        console.print(f"Edit {escape(result.model)}, then `touchpoints check`.")


@app.command()
def check(
    workspace: WorkspaceOpt = Path("."),
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Also check a mapping file.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate touchpoints.yaml (and a mapping): one line per problem, with its path."""
    from touchpoints.ingest.mapping import load_mapping

    with reporting(fmt):
        ws = _open(workspace)
        if map_file is not None:
            load_mapping(map_file)
    emit(ws.check(), fmt)


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
    fmt: FormatOpt = Format.table,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each step with its time to stderr.")
    ] = False,
) -> None:
    """Load a file: valid rows are stored, bad rows quarantined with reasons, duplicates counted."""
    from touchpoints.ingest import STEPS

    with reporting(fmt), _steps(errors.is_terminal and fmt is Format.table) as progress:
        ws = _open(workspace)
        task = progress.add_task(f"{file.name}: starting", total=len(STEPS))
        started = time.perf_counter()

        def advance(step: str) -> None:
            progress.update(task, description=f"{file.name}: {step}", completed=STEPS.index(step))
            if verbose:
                sys.stderr.write(f"{time.perf_counter() - started:7.2f}s {step}\n")
                sys.stderr.flush()

        result = ws.ingest(file, kind=kind, mapping=map_file, progress=advance)
    emit(result, fmt)


@app.command()
def status(workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = Format.table) -> None:
    """Rows and date range per kind of data, and the size of the quarantine."""
    with reporting(fmt):
        result = _open(workspace).status()
    emit(result, fmt)


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
        bool, typer.Option("--no-serve", help="Build only: do not start the dashboard.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the dashboard.")] = 8000,
    fmt: FormatOpt = Format.table,
) -> None:
    """Build a complete example workspace of a fictional retailer, with planted effects,
    then serve its dashboard with a demo login (--no-serve: build only)."""
    from touchpoints.demo import build_demo

    with reporting(fmt), _steps(errors.is_terminal and fmt is Format.table) as progress:
        task = progress.add_task("demo", total=None)
        summary = build_demo(
            directory,
            lang=lang.value,
            customers=customers,
            seed=seed,
            force=force,
            progress=lambda step: progress.update(task, description=step),
        )
    emit(summary, fmt)
    if no_serve:
        if fmt is Format.table:
            console.print(
                f"Next: `touchpoints status -w {escape(str(directory))}`; the dashboard: "
                f"`touchpoints user add demo --role admin --generate-password -w "
                f"{escape(str(directory))}`, then `touchpoints serve -w {escape(str(directory))}`"
            )
        return
    _serve_demo(directory, port)


DEMO_USER = "demo"


def _serve_demo(directory: Path, port: int) -> None:
    """Serve a demo with a login made for it: the user ``demo`` (admin) with a new password."""
    from touchpoints.services.access import add_user, new_password
    from touchpoints.web.app import serve as run

    password = new_password()
    with reporting():
        ws = _open(directory)
        add_user(ws, DEMO_USER, password, "admin")
    console.print(f"Dashboard login: {DEMO_USER} / {password}  (admin; shown once)")
    run(ws.root, "127.0.0.1", port, lambda line: console.print(line))


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


ByOpt = Annotated[
    str | None, typer.Option(help="Dimensions, comma-separated: " + ", ".join(DIMENSIONS))
]
SinceOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (inclusive).")
]
UntilOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (inclusive).")
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Keep only DIMENSION=VALUE; a dimension repeated means any of its values, "
        "different dimensions must all hold."
    ),
]


class Survey(StrEnum):
    all = "all"
    transactional = "transactional"
    relationship = "relationship"


SurveyOpt = Annotated[
    Survey,
    typer.Option(
        help="Which answers to pool: touchpoint (transactional) surveys, relationship "
        "surveys, or all of them."
    ),
]


def _period(period: Period | None) -> str | None:
    return period.value if period else None


@app.command()
def metrics(
    by: ByOpt = None,
    period: Annotated[Period | None, typer.Option(help="Group by calendar period too.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    survey: SurveyOpt = Survey.all,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """NPS, CSAT and CES with n and intervals, by any dimensions and period.

    Intervals treat each customer as a cluster: a customer's answers count together, so a
    figure is as certain as its customers make it, not its answers."""
    with reporting(fmt):
        result = _open(workspace).metrics(
            by,
            period=_period(period),
            since=since,
            until=until,
            where=where,
            survey=survey.value,
        )
    emit(result, fmt)


@app.command()
def changes(
    by: ByOpt = None,
    period: Annotated[
        Period | None, typer.Option(help="Compare each period with the last.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    survey: SurveyOpt = Survey.all,
    pairwise: Annotated[
        bool,
        typer.Option(
            "--pairwise", help="Compare every pair of groups instead of each with the rest."
        ),
    ] = False,
    all_changes: Annotated[
        bool, typer.Option("--all", help="Show every comparison, not only significant ones.")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """The significant movements: period over period, or each group against the rest.

    A group is compared with the other groups that have a value ("the rest"), or with each
    of them (--pairwise); an omnibus test per metric says whether the groups differ at all.
    Each customer is a cluster, and one false-discovery family covers the whole call."""
    with reporting(fmt):
        result = _open(workspace).changes(
            by,
            period=_period(period),
            since=since,
            until=until,
            where=where,
            survey=survey.value,
            all_changes=all_changes,
            pairwise=pairwise,
        )
    emit(result, fmt)


@app.command()
def items(
    item: Annotated[
        list[str] | None,
        typer.Option(help="Items to rate, glob patterns; repeat (default: attr.*)."),
    ] = None,
    by: ByOpt = None,
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
    fmt: FormatOpt = Format.table,
) -> None:
    """Rated items (attributes): mean, top- and bottom-box per group, and the CSI."""
    with reporting(fmt):
        result = _open(workspace).items(
            item or ["attr.*"],
            by=by,
            period=_period(period),
            since=since,
            until=until,
            where=where,
            weights=weight,
            scale=scale,
            resamples=resamples,
            seed=seed,
        )
    emit(result, fmt)


@app.command()
def benchmark(
    by: ByOpt = None,
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
    fmt: FormatOpt = Format.table,
) -> None:
    """Our figures beside competitors' (benchmark surveys) and outside reference values."""
    with reporting(fmt):
        result = _open(workspace).benchmark(
            by, period=_period(period), since=since, until=until, where=where, references=reference
        )
    emit(result, fmt)


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
    fmt: FormatOpt = Format.table,
) -> None:
    """The multi-channel touchpoint satisfaction index (MTSI) with consistency,
    responsiveness and reach."""
    with reporting(fmt):
        result = _open(workspace).index(
            period=_period(period), since=since, until=until, resamples=resamples, seed=seed
        )
    emit(result, fmt)


@app.command()
def report(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.", dir_okay=False)
    ],
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Also write every table to this XLSX file.", dir_okay=False),
    ] = None,
    lang: Annotated[
        Language | None, typer.Option("--lang", help="Language (default: the model's first).")
    ] = None,
    period: Annotated[Period, typer.Option(help="Period of the trends.")] = Period.month,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Write the report for management: one self-contained HTML file (charts inside, opens
    offline) with the summary, MTSI, trends, changes, benchmark and items; --xlsx adds a
    workbook with every table."""
    from touchpoints.services.query import parse_filters
    from touchpoints.web.filters import Filters
    from touchpoints.web.report import report_data, report_html, report_xlsx

    with reporting():
        ws = _open(workspace)
        chosen = Filters(
            period=period.value,
            since=since.date().isoformat() if since else None,
            until=until.date().isoformat() if until else None,
            where={k: v[-1] for k, v in parse_filters("where", where).items()},
        )
        language = lang.value if lang else (ws.model.languages or ["en"])[0]
        data = report_data(ws, chosen, language)
        _write_atomically(out, report_html(data).encode("utf-8"))
        if xlsx is not None:
            _write_atomically(xlsx, report_xlsx(data))
    console.print(
        f"Report written: {escape(str(out))}" + (f", {escape(str(xlsx))}" if xlsx else "")
    )


def _write_atomically(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then renamed."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)


@analyze_app.command("kano")
def analyze_kano(
    by: ByOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    survey: SurveyOpt = Survey.all,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """KANO categories of every attribute asked as a kano.<attribute>.f / .d pair: the
    category (A, O, M, I; R/Q flagged), Better, Worse, strength and the counts."""
    with reporting(fmt):
        result = _open(workspace).analyze(
            "kano", by, since=since, until=until, where=where, survey=survey.value
        )
    emit(result, fmt)


@app.command()
def answers(
    since: SinceOpt = None,
    until: UntilOpt = None,
    where: WhereOpt = None,
    survey: SurveyOpt = Survey.all,
    comments: Annotated[
        bool, typer.Option("--comments", help="Only answers that carry a comment.")
    ] = False,
    limit: Annotated[int, typer.Option(min=0, max=10_000, help="Rows to show.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows first.")] = 0,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """The answers behind a figure, newest first, with their comments: the drill-down.

    Select them as the figure was (--where, --since, --until); --limit and --offset page
    through them."""
    with reporting(fmt):
        result = _open(workspace).answers(
            since=since,
            until=until,
            where=where,
            survey=survey.value,
            comments=comments,
            limit=limit,
            offset=offset,
        )
    emit(result, fmt)


@quarantine_app.command("list")
def quarantine_list(
    kind: KindOpt = None,
    limit: Annotated[
        int | None, typer.Option(min=0, help="Show at most this many rows (default: all).")
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows first.")] = 0,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """What is still refused, with every reason; --limit and --offset page through it."""
    with reporting(fmt):
        result = _open(workspace).quarantine(kind, limit=limit, offset=offset)
    emit(result, fmt)


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.", dir_okay=False)],
    kind: KindOpt = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """Write the refused rows as CSV under their canonical column names, plus
    `_quarantine_key` and `reasons`."""
    with reporting(fmt):
        result = _open(workspace).export_quarantine(out, kind)
    emit(result, fmt)


class Role(StrEnum):
    admin = "admin"
    analyst = "analyst"
    agent = "agent"
    viewer = "viewer"


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="What the token may do.")],
    team: Annotated[
        str | None, typer.Option(help="The team whose records an agent's token may see.")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Make a bearer token for the API and print it, alone, on the last line.

    Only its SHA-256 is stored: the token is shown this once. The creation is logged in the
    workspace's audit log."""
    from touchpoints.services.access import create_token

    with reporting():
        made = create_token(_open(workspace), role.value, team)
    console.print(
        f"Token {made.record.id} for role {made.record.role}"
        + (f", team {made.record.team}" if made.record.team else "")
        + ". Send it as: Authorization: Bearer <token>",
        style="dim",
    )
    print(made.token)


@token_app.command("list")
def token_list(workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = Format.table) -> None:
    """Every token made: id, role, team, created and revoked (the secrets are not kept)."""
    from touchpoints.services.access import token_list as listed

    with reporting(fmt):
        result = listed(_open(workspace))
    emit(result, fmt)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id, tok_… (see token list).")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Revoke a token: its next request is refused (401)."""
    from touchpoints.services.access import revoke_token

    with reporting():
        revoke_token(_open(workspace), token_id)
    console.print(f"Token {token_id} revoked.")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The login name.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    team: Annotated[
        str | None, typer.Option(help="The team whose records an agent may see.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    generate_password: Annotated[
        bool,
        typer.Option("--generate-password", help="Make a random password and print it once."),
    ] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Add a user; the password is asked for twice (or read from standard input, or made
    at random and printed once) and stored as its Argon2id hash only."""
    from touchpoints.services.access import add_user, new_password

    if generate_password:
        password = new_password()
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with reporting():
        add_user(_open(workspace), name, password, role.value, team)
    console.print(f"User {name} added with role {role.value}.")
    if generate_password:
        console.print(f"Password: {password}  (shown once)")


@user_app.command("list")
def user_list(workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = Format.table) -> None:
    """Every user: name, role, team and when added (passwords are kept as hashes only)."""
    from touchpoints.services.access import user_list as listed

    with reporting(fmt):
        result = listed(_open(workspace))
    emit(result, fmt)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The login name.")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Remove a user: their sessions end at once (the last admin stays)."""
    from touchpoints.services.access import remove_user

    with reporting():
        remove_user(_open(workspace), name)
    console.print(f"User {name} removed.")


@survey_app.command("link")
def survey_link(
    touchpoint: Annotated[str, typer.Argument(help="The touchpoint's id.")],
    customer: Annotated[
        str | None, typer.Option(help="The customer's id (pseudonymised when answered).")
    ] = None,
    lang: Annotated[Language | None, typer.Option("--lang", help="The page's language.")] = None,
    score: Annotated[int | None, typer.Option(help="A prefilled score.")] = None,
    order: Annotated[str | None, typer.Option(help="A hidden field: the order.")] = None,
    channel: Annotated[str | None, typer.Option(help="A hidden field: the channel.")] = None,
    variant: Annotated[str | None, typer.Option(help="A hidden field: the variant.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="The server's address (default: surveys.base_url).")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Print a signed link to a touchpoint's survey page, carrying the customer, hidden
    fields and a prefilled score (for an e-mail or SMS)."""
    from touchpoints.services.surveys import survey_link as link

    with reporting():
        made = link(
            _open(workspace),
            touchpoint,
            customer=customer,
            lang=lang.value if lang else None,
            score=score,
            order=order,
            channel=channel,
            variant=variant,
            base_url=base_url,
        )
    print(made)


@app.command()
def audit(
    limit: Annotated[int, typer.Option(help="How many of the latest entries.")] = 100,
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = Format.table,
) -> None:
    """The audit log: who made a token, ingested through the API …, newest first."""
    from touchpoints.services.access import audit_log

    with reporting(fmt):
        result = audit_log(_open(workspace), limit)
    emit(result, fmt)


@app.command()
def serve(
    workspace: WorkspaceOpt = Path("."),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the dashboard and the REST API (/api/v1, documentation at /docs) until
    interrupted.

    Every request opens the warehouse read-only and closes it, so `touchpoints ingest`
    can write to a served workspace between requests."""
    from touchpoints.web.app import serve as run

    with reporting():
        _open(workspace)  # a missing or invalid workspace is one clear line, not a traceback
        run(workspace, host, port, lambda line: console.print(line))


def main() -> None:
    try:
        app()
    finally:
        # The command has written its output and closed its files. Freezing the objects
        # alive now spares the interpreter collecting them one by one at exit: with Ibis
        # loaded that alone takes a fifth of a second (benchmarks/RESULTS.md, start-up).
        gc.freeze()
