"""The server: the REST API and the pages in one app, over one workspace.

``touchpoints serve`` runs this app; ``touchpoints demo`` builds the demo and runs it. The
API (:mod:`touchpoints.api`) answers under ``/api/v1`` with JSON; the pages answer everywhere
else with HTML, in the viewer's language. Both share the workspace, the operational store
(users, sessions, audit log) and a :class:`~touchpoints.services.cache.ResultCache` that
forgets its results when the data changes.

Serving and ingesting at once: every request opens the DuckDB warehouse read-only for its
query and closes it, so an upload, an API ingest or ``touchpoints ingest`` in another process
takes the write lock between queries (the ingest's lock wait covers a query in flight), and
the pages go on answering from the cache meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from touchpoints.api import errors
from touchpoints.api.app import create_app
from touchpoints.api.limits import MAX_BODY
from touchpoints.errors import ParameterError, TouchpointsError
from touchpoints.web import assets, pages, security, session, survey, tables, views
from touchpoints.web.session import bare

__all__ = ["create_server", "serve", "views"]
UNEXPECTED = "an unexpected error; the server log has the details"


def create_server(root: Path, *, max_body: int = MAX_BODY, cache_size: int = 256) -> FastAPI:
    """The API and the pages over the workspace in ``root``, sharing one result cache of
    ``cache_size`` results (0: none, as ``benchmarks/web.py`` measures)."""
    app = create_app(root, max_body=max_body, cache_size=cache_size)
    for router in (assets.router, session.router, survey.router, tables.router, pages.router):
        app.include_router(router)
    app.middleware("http")(security.headers)
    install_errors(app)
    return app


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def install_errors(app: FastAPI) -> None:
    """Pages answer errors with a page, the API with its one error body."""

    @app.exception_handler(pages.LoginNeeded)
    async def login_needed(_: Request, exc: pages.LoginNeeded) -> Response:
        return RedirectResponse("/login?then=" + quote(exc.then, safe=""), status_code=303)

    @app.exception_handler(pages.PageRefused)
    async def refused(request: Request, exc: pages.PageRefused) -> Response:
        return bare(request, "error.html", exc.status, status=exc.status, message=exc.message)

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or isinstance(exc, errors.ApiError):
            code = getattr(exc, "code", None) or {404: "not_found", 405: "method_not_allowed"}.get(
                exc.status_code, "http"
            )
            return errors.answer(exc.status_code, code, str(exc.detail))
        return bare(
            request, "error.html", exc.status_code, status=exc.status_code, message=str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        errors.log.exception("unexpected error on %s", request.url.path)
        if is_api(request):
            return errors.answer(500, "internal", UNEXPECTED)
        return bare(
            request,
            "error.html",
            500,
            status=500,
            message=UNEXPECTED,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        message, param = errors.invalid_request(exc)
        if is_api(request):
            return errors.answer(400, "parameter", message, param)
        return bare(request, "error.html", 400, status=400, message=message)

    @app.exception_handler(TouchpointsError)
    async def wrong_input(request: Request, exc: TouchpointsError) -> Response:
        param = exc.param if isinstance(exc, ParameterError) else None
        message = exc.render(lambda n: n)
        if is_api(request):
            return errors.answer(400, "parameter" if param else "input", message, param)
        return bare(request, "error.html", 400, status=400, message=message)


def serve(root: Path, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Run the pages and the API with uvicorn until interrupted."""
    import uvicorn

    app = create_server(root)
    announce(f"touchpoints on http://{host}:{port}/ (API: /api/v1, documentation: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
