"""Logging in and out of the pages.

The login form posts a user's name and password (``touchpoints user add``) to ``/login``;
the same rules as the API's ``POST /api/v1/session`` apply (Argon2id, five failures in fifteen
minutes lock the name out, every attempt audited). The session cookie is HttpOnly and
SameSite=Strict; logging out is a form with the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from touchpoints.api.auth import SESSION_COOKIE, set_session_cookie
from touchpoints.services.access import (
    LoginRefused,
    TooManyAttempts,
    login,
    operations,
)
from touchpoints.services.workspace import Workspace
from touchpoints.web.pages import environment, language, viewer_of
from touchpoints.web.security import POLICY, SURVEY_POLICY, check_csrf

router = APIRouter(include_in_schema=False)


def local_target(then: str | None) -> str:
    """Where to go after logging in: a path of this site only (never ``//host`` or
    ``https://…``: an open redirect would let a link send people elsewhere).

    >>> local_target("/touchpoints?region=华东"), local_target("//evil.example/")
    ('/touchpoints?region=华东', '/')
    >>> local_target("https://evil.example/"), local_target(None)
    ('/', '/')
    """
    if not then or not then.startswith("/") or then.startswith(("//", "/\\")):
        return "/"
    return then


def bare(
    request: Request, template: str, code: int = 200, lang: str | None = None, **data: object
) -> HTMLResponse:
    """A page outside the frame of a session (login, errors, surveys), in ``lang`` or the
    request's language."""
    workspace: Workspace = request.app.state.workspace
    lang = lang or language(request, workspace)
    html = environment(lang).get_template(template).render(page=None, lang=lang, **data)
    # The security headers here too: an error page may be answered outside the middleware.
    policy = SURVEY_POLICY if request.url.path.startswith("/s/") else POLICY
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(html, status_code=code, headers=headers)


@router.get("/login")
def login_page(request: Request, then: str = "/") -> HTMLResponse:
    return bare(request, "login.html", then=local_target(then), message=None)


@router.post("/login")
def log_in(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    then: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    workspace: Workspace = request.app.state.workspace
    try:
        session = login(workspace, name, password)
    except TooManyAttempts as refused:
        return bare(request, "login.html", 429, then=local_target(then), message=refused.message)
    except LoginRefused as refused:
        return bare(request, "login.html", 401, then=local_target(then), message=refused.message)
    response = RedirectResponse(local_target(then), status_code=303)
    set_session_cookie(response, request, session.secret)
    return response


@router.post("/logout")
def log_out(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    workspace: Workspace = request.app.state.workspace
    viewer = viewer_of(request, workspace)
    check_csrf(request, viewer, csrf)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        operations(workspace).close_session(cookie)
    response = RedirectResponse("/login?then=" + quote("/"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
