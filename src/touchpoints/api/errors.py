"""One error body for every refusal of the API.

``{"error": {"status": 401, "code": "unauthorized", "message": "…", "param": null}}``: a
script checks ``status`` and ``code``, a person reads ``message``, and ``param`` names the
query parameter at fault when there is one. No traceback ever leaves the server: an
unexpected error is logged there and answered as ``internal`` with a line that says so.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from touchpoints.errors import ParameterError, TouchpointsError

log = logging.getLogger("touchpoints.api")


class ApiError(HTTPException):
    """A refusal with its status, code and message (and the parameter at fault)."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None):
        super().__init__(status, message)
        self.code = code
        self.message = message
        self.param = param


def body(status: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "param": param}}


def answer(status: int, code: str, message: str, param: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body(status, code, message, param), status_code=status, headers=headers)


def invalid_request(exc: RequestValidationError) -> tuple[str, str | None]:
    """The first problem of a request that does not fit its endpoint, as one line, and the
    parameter at fault."""
    first = exc.errors()[0] if exc.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path")]
    param = where[0] if where else None
    return f"{param or 'request'}: {first.get('msg', 'invalid')}", param


def install(app: FastAPI) -> None:
    """Map every error the app can meet to the one body."""

    @app.exception_handler(ApiError)
    async def refused(_: Request, exc: ApiError) -> JSONResponse:
        return answer(exc.status_code, exc.code, exc.message, exc.param)

    @app.exception_handler(HTTPException)
    async def http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        return answer(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = invalid_request(exc)
        return answer(400, "parameter", message, param)

    @app.exception_handler(TouchpointsError)
    async def refused_input(_: Request, exc: TouchpointsError) -> JSONResponse:
        param = exc.param if isinstance(exc, ParameterError) else None
        return answer(400, "parameter" if param else "input", exc.render(lambda n: n), param)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return answer(500, "internal", "an unexpected error; the server log has the details")
