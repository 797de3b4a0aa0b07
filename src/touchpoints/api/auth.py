"""Who is calling: a bearer token (scripts) or a session cookie (people, from the pages).

Every endpoint names the permission it needs, and a request without a valid token or
session, or whose role lacks it, is refused before any work is done. Tokens come from
``touchpoints token create --role R``; sessions from ``POST /api/v1/session`` with a user's
name and password (:mod:`touchpoints.services.access`). A request that changes something and
authenticates by cookie must also send the session's CSRF token in ``X-CSRF-Token``: a
cookie is sent by the browser on any site's behalf, the header only by our own pages
(OWASP's synchronizer token pattern); the cookie is also ``SameSite=Strict``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from touchpoints.api.errors import ApiError
from touchpoints.services.access import (
    ROLES,
    SESSION_LIFETIME,
    may,
    operations,
    sees_thin_figures,
)

SESSION_COOKIE = "tp_session"
CSRF_HEADER = "X-CSRF-Token"
# tp_<8 hex>_<43 url-safe>: anything else is refused without a lookup.
_SHAPE = re.compile(r"tp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
bearer = HTTPBearer(auto_error=False, description="a token from `touchpoints token create`")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's id, role and team."""

    token: str
    role: str
    team: str | None

    @property
    def sees_thin_figures(self) -> bool:
        """Analysts and admins see figures below min n; the others see them withheld."""
        return sees_thin_figures(self.role)


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    """The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
    page sends it), Secure over HTTPS, for the session's lifetime."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def require(permission: frozenset[str]) -> Callable[..., Caller]:
    """A dependency: the caller, when their token is valid and their role has
    ``permission``."""

    def caller(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Caller:
        cookie = request.cookies.get(SESSION_COOKIE)
        if credentials is None and cookie:
            return _by_session(request, cookie, permission)
        if credentials is None:
            raise ApiError(401, "unauthorized", "no bearer token: send Authorization: Bearer …")
        token = credentials.credentials.strip()
        if not _SHAPE.fullmatch(token):
            raise ApiError(401, "unauthorized", "malformed token")
        record = operations(request.app.state.workspace).find_token(token)
        if record is None or record.role not in ROLES:
            raise ApiError(401, "unauthorized", "unknown or revoked token")
        _check_role(record.role, permission)
        return Caller(record.id, record.role, record.team)

    return caller


def _check_role(role: str, permission: frozenset[str]) -> None:
    if not may(role, permission):
        allowed = ", ".join(r for r in ROLES if r in permission)
        raise ApiError(403, "forbidden", f"role {role} may not do this (roles: {allowed})")


def _by_session(request: Request, cookie: str, permission: frozenset[str]) -> Caller:
    """The user of a live session; a request that changes something needs the CSRF token."""
    found = operations(request.app.state.workspace).session(cookie)
    if found is None:
        raise ApiError(401, "unauthorized", "the session has ended: log in again")
    name, csrf, role, team = found
    changes = request.method not in ("GET", "HEAD", "OPTIONS")
    if changes and not secrets.compare_digest(request.headers.get(CSRF_HEADER, ""), csrf):
        raise ApiError(403, "csrf", f"missing or wrong {CSRF_HEADER} for this session")
    _check_role(role, permission)
    return Caller(f"user:{name}", role, team)
