"""What keeps the pages safe: CSRF on every form that changes something, and the headers
that keep a page's scripts our own.

- A form that changes something (an upload, logging out) carries the session's CSRF token in
  a hidden field (htmx sends it as ``X-CSRF-Token``); a request without it is refused (OWASP's
  synchronizer token pattern), on top of the SameSite=Strict session cookie.
- ``Content-Security-Policy`` lets a page load scripts, styles, fonts and data only from this
  server and run no inline script: a comment that holds ``<script>`` is escaped by the
  templates, and would not run even if it were not. ``connect-src 'self'`` keeps every
  request on this host.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from touchpoints.api.auth import CSRF_HEADER
from touchpoints.web.pages import PageRefused, Viewer

PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    # Plotly sets styles on the elements it draws.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
)
POLICY = "; ".join(PARTS)
# The survey pages may be embedded in any site (an iframe on a shop's page).
SURVEY_POLICY = POLICY.replace("frame-ancestors 'self'", "frame-ancestors *")


def check_csrf(request: Request, viewer: Viewer, field: str = "") -> None:
    """Refuse a change whose form field or header does not carry the session's token."""
    sent = field or request.headers.get(CSRF_HEADER, "")
    if not secrets.compare_digest(sent.encode(), viewer.csrf.encode()):
        raise PageRefused(403, "missing or wrong CSRF token: reload the page and try again")


async def headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Security headers on every answer of the pages (the API's JSON needs none of them)."""
    response = await call_next(request)
    if not request.url.path.startswith("/api/"):
        survey = request.url.path.startswith("/s/")
        response.headers.setdefault("Content-Security-Policy", SURVEY_POLICY if survey else POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
