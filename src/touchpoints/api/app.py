"""The REST API under ``/api/v1``: one endpoint per service of the command line.

Each endpoint takes the command's options as query parameters with the same names, calls the
same library method and returns the same JSON (``GET /api/v1/metrics?by=channel`` gives the
rows of ``touchpoints metrics --by channel --format json``). A list result is paginated by
``page`` and ``per_page`` (1,000 by default): the body stays the list, and ``X-Total-Count``
and a ``Link`` header say what else there is. OpenAPI is at ``/openapi.json``, the
interactive documentation at ``/docs``. Errors have one body (:mod:`touchpoints.api.errors`).

Endpoints are plain functions: FastAPI runs them in its thread pool, so a slow query holds
one worker, not the server. Each opens the warehouse read-only for its query and closes it,
so ``touchpoints ingest`` can write between requests (its lock wait covers a query in flight).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Body, Depends, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from touchpoints import __version__
from touchpoints.api import errors
from touchpoints.api.auth import SESSION_COOKIE, Caller, require, set_session_cookie
from touchpoints.api.errors import ApiError
from touchpoints.api.limits import MAX_BODY, BodyLimit
from touchpoints.services.access import (
    ANSWERS,
    FIGURES,
    RAW_ROWS,
    WRITE,
    LoginRefused,
    TooManyAttempts,
    Withheld,
    answers_for,
    login,
    operations,
)
from touchpoints.services.cache import ResultCache, Warmer
from touchpoints.services.render import csv_text
from touchpoints.services.workspace import Workspace

# The selection every analysis takes, as the command line spells it.
By = Annotated[str | None, Query(description="dimensions, comma-separated: channel,region")]
Period = Annotated[str | None, Query(description="day, week, month, quarter or year")]
Day = Annotated[str | None, Query(description="a local date, YYYY-MM-DD (inclusive)")]
Where = Annotated[list[str], Query(description="DIMENSION=VALUE; repeat for more")]
Survey = Annotated[str | None, Query(description="all, transactional or relationship")]
Page = Annotated[int, Query(ge=1, description="page of a list result, from 1")]
PerPage = Annotated[int, Query(ge=1, le=10_000, description="rows per page")]
Resamples = Annotated[int, Query(ge=0, le=100_000, description="bootstrap resamples")]
T = TypeVar("T")
# Records one ingest call may carry: larger loads go as files (`touchpoints ingest`).
MAX_RECORDS = 100_000


class Login(BaseModel):
    """A user's name and password."""

    name: str
    password: str


def selection(
    by: By = None,
    period: Period = None,
    since: Day = None,
    until: Day = None,
    where: Where = [],  # noqa: B006 — FastAPI reads the default, never mutates it
) -> dict[str, Any]:
    """The options every analysis takes, as the library's keyword arguments."""
    return {"by": by, "period": period, "since": since, "until": until, "where": where}


Chosen = Annotated[dict[str, Any], Depends(selection)]


Format = Annotated[
    Literal["json", "csv"],
    Query(
        alias="format",
        description="json (the default) or csv: spreadsheet-safe, formulas neutralised",
    ),
]


def flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A JSON row as one CSV line: nested objects become ``key.sub`` columns."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out |= flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def paged(rows: list[Any], page: int, per_page: int, response: Response, fmt: str = "json") -> Any:
    """One page of a list result; the total and the next page go in the headers. As CSV,
    the page's rows flattened, every cell a spreadsheet would run neutralised
    (:func:`touchpoints.services.render.csv_text`)."""
    start = (page - 1) * per_page
    headers = {"X-Total-Count": str(len(rows))}
    if start + per_page < len(rows):
        headers["Link"] = f'<?page={page + 1}&per_page={per_page}>; rel="next"'
    shown = rows[start : start + per_page]
    if fmt == "csv":
        return PlainTextResponse(
            csv_text([flat(r) for r in shown]),
            media_type="text/csv; charset=utf-8",
            headers=headers | {"Content-Disposition": "attachment"},
        )
    response.headers.update(headers)
    return shown


def _thin(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """A row with the figures in ``names`` withheld (value and interval), n kept."""
    out = dict(row)
    for name in names:
        for key in (name, f"{name}_low", f"{name}_high"):
            if key in out:
                out[key] = None
    return out


def withheld_rows(rows: list[dict[str, Any]], thin_shown: bool) -> list[dict[str, Any]]:
    """Metrics-shaped rows for a caller: figures below min n withheld unless they may see
    them (``thin_shown``; min-n anonymity, :mod:`touchpoints.services.access`)."""
    if thin_shown:
        return rows
    return [_thin(r, list(r.get("insufficient", []))) for r in rows]


def withheld_nodes(nodes: list[dict[str, Any]], thin_shown: bool) -> list[dict[str, Any]]:
    """Index nodes or item rows: those flagged insufficient lose their figures."""
    if thin_shown:
        return nodes
    figures = ["score", "low", "high", "mean", "top_box", "bottom_box", "csi"]
    figures += ["category", "better", "worse", "strength"]  # a model's row (KANO)
    return [_thin(n, figures) if n.get("insufficient") else n for n in nodes]


def withheld_tests(rows: list[dict[str, Any]], thin_shown: bool) -> list[dict[str, Any]]:
    """Comparisons (changes, benchmark gaps): those on too few answers left out unless the
    caller may see them."""
    return rows if thin_shown else [r for r in rows if not r.get("insufficient")]


def withheld_index(report: dict[str, Any], thin_shown: bool) -> dict[str, Any]:
    """An index report (``IndexResult.to_dict()`` of one period) with its thin nodes'
    figures withheld unless the caller may see them; changed in place and returned."""
    for level in ("channels", "stages", "touchpoints"):
        report[level] = withheld_nodes(report[level], thin_shown)
    (report["overall"],) = withheld_nodes([report["overall"]], thin_shown)
    return report


def withheld_benchmark(result: dict[str, Any], thin_shown: bool) -> dict[str, Any]:
    """A benchmark result as the caller may see it; changed in place and returned."""
    result["brands"] = withheld_rows(result["brands"], thin_shown)
    for part in ("gaps", "references"):
        result[part] = withheld_tests(result[part], thin_shown)
    return result


def create_app(root: Path, *, max_body: int = MAX_BODY, cache_size: int = 256) -> FastAPI:
    """The API over the workspace in ``root`` (its model is read once, at start); request
    bodies over ``max_body`` bytes are refused as they arrive (:mod:`.limits`); the latest
    ``cache_size`` results are kept until the data changes
    (:class:`~touchpoints.services.cache.ResultCache`; 0 keeps none)."""
    workspace_ = Workspace.open(root)
    cache = ResultCache(workspace_, size=cache_size)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """While the server runs, a thread answers the last questions again after an ingest."""
        warmer = Warmer(cache) if cache_size else None
        if warmer:
            warmer.start()
        yield
        if warmer:
            warmer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="touchpoints",
        version=__version__,
        description="Multi-channel customer-experience figures: the command line's results "
        "as JSON. Every endpoint needs a bearer token (`touchpoints token create`).",
        # FastAPI's own documentation pages load Swagger UI from a CDN; the server serves
        # its copy from the installed swagger-ui-bundle instead (touchpoints.web.assets).
        docs_url=None,
        redoc_url=None,
    )
    app.state.workspace = workspace_
    app.state.cache = cache
    errors.install(app)
    app.add_middleware(BodyLimit, limit=max_body)
    figures = Depends(require(FIGURES))
    raw_rows = Depends(require(RAW_ROWS))
    answers_ = Depends(require(ANSWERS))
    write = Depends(require(WRITE))

    def workspace() -> Workspace:
        found: Workspace = app.state.workspace
        return found

    def remember(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A result of the workspace, kept until its data changes."""
        cache: ResultCache = app.state.cache
        return cache.get(key, compute)

    def _exported(fmt: str, caller: Caller, what: str) -> str:
        """An export (CSV) is written to the audit log, with who made it."""
        if fmt == "csv":
            operations(workspace()).log(caller.token, "export", what)
        return fmt

    @app.post("/api/v1/session", tags=["session"])
    def log_in(credentials: Login, request: Request, response: Response) -> dict[str, Any]:
        """Log in with a user's name and password (`touchpoints user add`): sets the session
        cookie and returns the CSRF token to send with requests that change something."""
        try:
            session = login(workspace(), credentials.name, credentials.password)
        except TooManyAttempts as refused:
            raise ApiError(429, "too_many_attempts", refused.message) from None
        except LoginRefused as refused:
            raise ApiError(401, "login_failed", refused.message) from None
        set_session_cookie(response, request, session.secret)
        return {"name": session.name, "role": session.role, "csrf": session.csrf}

    @app.delete("/api/v1/session", tags=["session"])
    def log_out(request: Request, response: Response, caller: Caller = figures) -> dict[str, Any]:
        """End the session of the cookie (it needs the CSRF token, as any change does)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            operations(workspace()).close_session(cookie)
        response.delete_cookie(SESSION_COOKIE)
        return {"ended": bool(cookie)}

    @app.get("/api/v1/status", tags=["data"])
    def status(caller: Caller = figures) -> dict[str, Any]:
        """Rows and time range per kind, the quarantine by kind, the ingests."""
        return workspace().status().to_dict()

    @app.get("/api/v1/check", tags=["data"])
    def check(caller: Caller = figures) -> dict[str, Any]:
        """The model: channels, touchpoints and stages."""
        return workspace().check().to_dict()

    @app.get("/api/v1/metrics", tags=["figures"])
    def metrics(
        response: Response,
        chosen: Chosen,
        caller: Caller = figures,
        survey: Survey = None,
        page: Page = 1,
        per_page: PerPage = 1000,
        fmt: Format = "json",
    ) -> Any:
        """NPS, CSAT and CES with n, customer-clustered intervals and design effects:
        the rows of `touchpoints metrics --format json` (or CSV)."""
        rows = remember(
            ("metrics", repr(chosen), survey), lambda: workspace().metrics(**chosen, survey=survey)
        )
        found = withheld_rows(rows.to_dict(), caller.sees_thin_figures)
        return paged(found, page, per_page, response, _exported(fmt, caller, "metrics"))

    @app.get("/api/v1/changes", tags=["figures"])
    def changes(
        response: Response,
        chosen: Chosen,
        caller: Caller = figures,
        survey: Survey = None,
        pairwise: bool = False,
        all_changes: Annotated[
            bool, Query(alias="all", description="every comparison, not only significant")
        ] = False,
        page: Page = 1,
        per_page: PerPage = 1000,
        fmt: Format = "json",
    ) -> Any:
        """Significant movements (or every comparison with `all`), each with its test,
        q-value and n: the rows of `touchpoints changes --format json` (or CSV)."""
        changed = remember(
            ("changes", repr(chosen), survey, pairwise, all_changes),
            lambda: workspace().changes(
                **chosen, survey=survey, pairwise=pairwise, all_changes=all_changes
            ),
        )
        found = withheld_tests(changed.to_dict(), caller.sees_thin_figures)
        return paged(found, page, per_page, response, _exported(fmt, caller, "changes"))

    @app.get("/api/v1/index", tags=["figures"])
    def index(
        caller: Caller = figures,
        period: Period = None,
        since: Day = None,
        until: Day = None,
        resamples: Resamples = 1000,
        seed: int = 0,
    ) -> Any:
        """The MTSI tree with consistency, responsiveness and reach: `touchpoints index`."""
        found = remember(
            ("index", period, since, until, resamples, seed),
            lambda: workspace().index(
                period=period, since=since, until=until, resamples=resamples, seed=seed
            ),
        ).to_dict()
        reports = found if isinstance(found, list) else [found]
        for report in reports:
            withheld_index(report, caller.sees_thin_figures)
        return found

    @app.get("/api/v1/items", tags=["figures"])
    def items(
        chosen: Chosen,
        caller: Caller = figures,
        item: Annotated[list[str], Query(description="item names or globs")] = [],  # noqa: B006
        weight: Annotated[list[str], Query(description="ITEM=WEIGHT")] = [],  # noqa: B006
        scale: Annotated[str | None, Query(description="LOW,HIGH")] = None,
        resamples: Resamples = 1000,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Rated items per group and the CSI: `touchpoints items --format json`."""
        rated = remember(
            ("items", tuple(item), tuple(weight), scale, resamples, seed, repr(chosen)),
            lambda: workspace().items(
                item or ("attr.*",),
                weights=weight or None,
                scale=scale,
                resamples=resamples,
                seed=seed,
                **chosen,
            ),
        )
        found = rated.to_dict()
        found["items"] = withheld_nodes(found["items"], caller.sees_thin_figures)
        found["csi"] = withheld_nodes(found["csi"], caller.sees_thin_figures)
        return found

    @app.get("/api/v1/benchmark", tags=["figures"])
    def benchmark(
        caller: Caller = figures,
        by: By = None,
        period: Period = None,
        since: Day = None,
        until: Day = None,
        where: Where = [],  # noqa: B006
    ) -> dict[str, Any]:
        """Our figures beside competitors' and the references: `touchpoints benchmark`."""
        found: dict[str, Any] = remember(
            ("benchmark", by, period, since, until, tuple(where)),
            lambda: workspace().benchmark(by, period=period, since=since, until=until, where=where),
        ).to_dict()
        return withheld_benchmark(found, caller.sees_thin_figures)

    @app.get("/api/v1/analyze/{model}", tags=["models"])
    def analyze(
        model: Annotated[Literal["kano"], PathParam(description="the model: kano")],
        chosen: Chosen,
        caller: Caller = figures,
        survey: Survey = None,
    ) -> Any:
        """An experience model: `touchpoints analyze MODEL --format json` (KANO: one object
        per attribute with its category, better, worse, strength, counts and n)."""
        found = remember(
            ("analyze", model, repr(chosen), survey),
            lambda: workspace().analyze(model, **chosen, survey=survey),
        ).to_dict()
        return withheld_nodes(found, caller.sees_thin_figures)

    @app.get("/api/v1/answers", tags=["data"])
    def answers(
        response: Response,
        caller: Caller = answers_,
        since: Day = None,
        until: Day = None,
        where: Where = [],  # noqa: B006
        survey: Survey = None,
        comments: Annotated[bool, Query(description="only answers with a comment")] = False,
        page: Page = 1,
        per_page: Annotated[int, Query(ge=1, le=1000, description="rows per page")] = 50,
        fmt: Format = "json",
    ) -> Any:
        """The answers behind a figure with their comments, newest first: `touchpoints
        answers`. Agents see their team's touchpoints only, never as CSV, and no selection
        of fewer than min n answers."""
        if fmt == "csv" and not caller.sees_thin_figures:
            raise ApiError(403, "forbidden", f"role {caller.role} may not export answers")
        try:
            found = answers_for(
                workspace(),
                caller.role,
                caller.team,
                page=page,
                per_page=per_page,
                since=since,
                until=until,
                where=where,
                survey=survey,
                comments=comments,
            )
        except Withheld as refused:
            raise ApiError(403, "withheld", refused.message) from None
        headers = {"X-Total-Count": str(found.total)}
        if page * per_page < found.total:
            headers["Link"] = f'<?page={page + 1}&per_page={per_page}>; rel="next"'
        if fmt == "csv":
            _exported(fmt, caller, "answers")
            return PlainTextResponse(
                csv_text(found.records()),
                media_type="text/csv; charset=utf-8",
                headers=headers | {"Content-Disposition": "attachment"},
            )
        response.headers.update(headers)
        return found.to_dict()

    @app.post("/api/v1/ingest/{kind}", tags=["data"])
    def ingest(
        kind: str,
        records: Annotated[
            list[dict[str, Any]],
            Body(description="canonical records of the kind, as `touchpoints ingest` reads them"),
        ],
        caller: Caller = write,
    ) -> dict[str, Any]:
        """Records through the ingest path: the same validation, quarantine with reasons,
        pseudonyms and counts as `touchpoints ingest FILE --kind KIND --format json`."""
        if len(records) > MAX_RECORDS:
            raise ApiError(
                413, "too_large", f"{len(records):,} records: send at most {MAX_RECORDS:,} a call"
            )
        found = workspace()
        result = found.ingest_records(records, kind=kind, source="api").to_dict()
        counts = " ".join(f"{k}={result[k]}" for k in ("read", "accepted", "quarantined"))
        operations(found).log(caller.token, "ingest", f"{kind} {counts}")
        return result

    @app.get("/api/v1/quarantine", tags=["data"])
    def quarantine(
        response: Response,
        caller: Caller = raw_rows,
        kind: str | None = None,
        page: Page = 1,
        per_page: PerPage = 1000,
        fmt: Format = "json",
    ) -> Any:
        """The refused rows with every reason (masked as stored): `touchpoints quarantine
        list` (or CSV); analysts and admins only."""
        everything = workspace().quarantine(kind).to_dict()
        return paged(everything, page, per_page, response, _exported(fmt, caller, "quarantine"))

    return app
