"""Bearer tokens: every endpoint names the permission it needs, and a request without a
valid token, or with a token whose role lacks it, is refused before any work is done.

Tokens come from ``touchpoints token create --role R`` (:mod:`touchpoints.services.access`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from touchpoints.api.errors import ApiError
from touchpoints.services.access import ROLES, may, operations

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
        return self.role in ("admin", "analyst")


def require(permission: frozenset[str]) -> Callable[..., Caller]:
    """A dependency: the caller, when their token is valid and their role has
    ``permission``."""

    def caller(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
    ) -> Caller:
        if credentials is None:
            raise ApiError(401, "unauthorized", "no bearer token: send Authorization: Bearer …")
        token = credentials.credentials.strip()
        if not _SHAPE.fullmatch(token):
            raise ApiError(401, "unauthorized", "malformed token")
        record = operations(request.app.state.workspace).find_token(token)
        if record is None or record.role not in ROLES:
            raise ApiError(401, "unauthorized", "unknown or revoked token")
        if not may(record.role, permission):
            allowed = ", ".join(r for r in ROLES if r in permission)
            raise ApiError(
                403, "forbidden", f"role {record.role} may not do this (roles: {allowed})"
            )
        return Caller(record.id, record.role, record.team)

    return caller
