"""Who may do what: roles, API tokens and the audit log (issue 17).

Four roles, from most to least trusted:

- ``admin`` — everything, users and settings included;
- ``analyst`` — everything but users: figures, raw rows, ingest and exports;
- ``agent`` — figures, and the answers of their team's touchpoints (``teams:`` in the model)
  to read, not to export;
- ``viewer`` — figures only.

A figure from fewer answers than ``metrics.min_n`` is shown only to analysts and admins
(min-n anonymity): to the others its value and interval are withheld, with its n, so that
a handful of answers cannot be traced back to the people who gave them.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from touchpoints.core.privacy.masking import mask_text, personal_value
from touchpoints.core.result import Records
from touchpoints.errors import ParameterError, TouchpointsError
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.operational import OPERATIONS_FILE, OperationalStore, TokenRecord

if TYPE_CHECKING:
    from touchpoints.services.results.answers import AnswersResult
    from touchpoints.services.workspace import Workspace

ROLES = ("admin", "analyst", "agent", "viewer")
AUDIT_COLUMNS = ("at", "actor", "action", "detail")
TOKEN_COLUMNS = ("id", "role", "team", "created_at", "revoked_at")
# What each permission needs, as the set of roles that have it.
FIGURES = frozenset(ROLES)
RAW_ROWS = frozenset({"admin", "analyst"})
# The answers behind a figure: agents see those of their team's touchpoints only.
ANSWERS = frozenset({"admin", "analyst", "agent"})
WRITE = frozenset({"admin", "analyst"})
# Users, tokens and the workspace's settings: admins only.
ADMIN = frozenset({"admin"})
USER_COLUMNS = ("name", "role", "team", "created_at")


def operations(workspace: WorkspaceFolder) -> OperationalStore:
    """The workspace's operational store (tokens, audit log)."""
    return OperationalStore(workspace.root / OPERATIONS_FILE)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the secret, shown once and never stored, and its record."""

    token: str
    record: TokenRecord


def create_token(
    workspace: WorkspaceFolder, role: str, team: str | None = None, actor: str = "cli"
) -> NewToken:
    """A new bearer token for ``role`` (and ``team``, for agents); logged in the audit as
    made by ``actor``."""
    if role not in ROLES:
        raise ParameterError("role", f"unknown role '{role}' (roles: {', '.join(ROLES)})")
    if team is not None and personal_value(team) is not None:
        raise ParameterError("team", "is a phone number, e-mail address or ID number")
    token_id = "tok_" + secrets.token_hex(4)
    token = f"tp_{token_id[4:]}_{secrets.token_urlsafe(32)}"
    store = operations(workspace)
    record = store.add_token(token_id, token, role, team)
    store.log(actor, "token create", f"{token_id} role={role} team={team or ''}")
    return NewToken(token, record)


# Logins: after this many failures for one name within the window, even the right password
# is refused until the window has passed (OWASP: limit guessing per account).
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 12


class LoginRefused(TouchpointsError):
    """A name and password that do not match (which of the two is not said)."""


class TooManyAttempts(TouchpointsError):
    """Too many failed logins for one name: refused until the window has passed."""


def new_password() -> str:
    """A password made at random for a new user (16 URL-safe characters, 96 bits), to be
    shown once: the demo login, ``user add --generate-password`` and the admin page."""
    return secrets.token_urlsafe(12)


def add_user(
    workspace: WorkspaceFolder,
    name: str,
    password: str,
    role: str,
    team: str | None = None,
    actor: str = "cli",
) -> None:
    """A user who logs in to the pages with ``password`` (stored as its Argon2id hash);
    audited as added by ``actor``."""
    from argon2 import PasswordHasher

    if role not in ROLES:
        raise ParameterError("role", f"unknown role '{role}' (roles: {', '.join(ROLES)})")
    if not name.strip() or len(name) > 64:
        raise ParameterError("name", "takes 1 to 64 characters")
    for param, value in (("name", name), ("team", team)):
        if value is not None and personal_value(value) is not None:
            raise ParameterError(
                param, "is a phone number, e-mail address or ID number: choose a handle"
            )
    if len(password) < MIN_PASSWORD:
        raise ParameterError("password", f"needs at least {MIN_PASSWORD} characters")
    store = operations(workspace)
    try:
        store.add_user(name, PasswordHasher().hash(password), role, team)
    except sqlite3.IntegrityError:
        raise ParameterError("name", f"a user '{name}' exists already") from None
    store.log(actor, "user add", f"{name} role={role} team={team or ''}")


@dataclass(frozen=True)
class Session:
    """A login: the session secret (for the cookie), its CSRF token, and who it is."""

    secret: str
    csrf: str
    name: str
    role: str


def login(workspace: WorkspaceFolder, name: str, password: str) -> Session:
    """Check a name and password; a session, or :class:`LoginRefused` /
    :class:`TooManyAttempts`. Every attempt is audited."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    store = operations(workspace)
    since = (datetime.now(UTC) - FAILURE_WINDOW).isoformat(timespec="seconds")
    shown = mask_text(name)  # what a failed attempt typed may be personal data
    if store.failures_since(name, since) >= MAX_FAILURES:
        store.log(shown, "login refused", "too many failed attempts")
        raise TooManyAttempts(
            f"too many failed logins for '{name}': try again in {FAILURE_WINDOW.seconds // 60} "
            "minutes"
        )
    found = store.user(name)
    try:
        if found is None:
            raise VerificationError("no such user")
        PasswordHasher().verify(found[0], password)
    except VerificationError:
        store.fail(name)
        store.log(shown, "login failed")
        raise LoginRefused("wrong name or password") from None
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + SESSION_LIFETIME).isoformat(timespec="seconds")
    store.open_session(secret, name, csrf, expires)
    store.log(name, "login")
    return Session(secret, csrf, name, found[1])


def may(role: str, permission: frozenset[str]) -> bool:
    return role in permission


def token_list(workspace: WorkspaceFolder) -> Records:
    """Every token made: id, role, team, when it was made and revoked (never the secret)."""
    rows = [asdict(t) for t in operations(workspace).tokens()]
    return Records(tuple(rows), f"{len(rows)} token(s)", TOKEN_COLUMNS)


def revoke_token(workspace: WorkspaceFolder, token_id: str, actor: str = "cli") -> None:
    """Revoke a token by its id (``tok_…``): its next request is refused."""
    store = operations(workspace)
    if not store.revoke_token(token_id):
        raise ParameterError("token", f"no live token '{token_id}' (see `token list`)")
    store.log(actor, "token revoke", token_id)


def user_list(workspace: WorkspaceFolder) -> Records:
    """Every user: name, role, team and when added (the password hashes stay stored)."""
    rows = operations(workspace).users()
    return Records(tuple(rows), f"{len(rows)} user(s)", USER_COLUMNS)


def remove_user(workspace: WorkspaceFolder, name: str, actor: str = "cli") -> None:
    """Remove a user: their sessions end at once. The last admin stays (no one could manage
    users after), and an admin does not remove themselves from the pages."""
    store = operations(workspace)
    users = {u["name"]: u for u in store.users()}
    if name not in users:
        raise ParameterError("name", f"no user '{name}' (see `user list`)")
    admins = [u for u in users.values() if u["role"] == "admin"]
    if users[name]["role"] == "admin" and len(admins) == 1:
        raise ParameterError("name", f"'{name}' is the last admin: add another admin first")
    if actor == f"user:{name}":
        raise ParameterError("name", "you cannot remove yourself while logged in")
    store.remove_user(name)
    store.log(actor, "user remove", name)


def audit_log(workspace: WorkspaceFolder, limit: int = 100) -> Records:
    """The latest entries of the audit log (token creations, API ingests …), newest first."""
    if limit < 1:
        raise ParameterError("limit", f"takes a whole number from 1 (got {limit})")
    rows = operations(workspace).audit(limit)
    return Records(tuple(rows), f"Audit log: the latest {len(rows)} entries", AUDIT_COLUMNS)


class Withheld(TouchpointsError):
    """A drill-down a role may not open: fewer answers than min n (min-n anonymity)."""


def sees_thin_figures(role: str) -> bool:
    """Analysts and admins see figures and answers below min n; the others do not."""
    return role in ("admin", "analyst")


def answers_for(
    workspace: Workspace,
    role: str,
    team: str | None,
    *,
    page: int = 1,
    per_page: int = 50,
    **selection: Any,
) -> AnswersResult:
    """The answers behind a figure as ``role`` may see them: an agent only those of their
    team's touchpoints, and no one but analysts and admins a selection of fewer than
    ``metrics.min_n`` answers (a handful of answers could name the people who gave them)."""
    scope = None if sees_thin_figures(role) else workspace.team_touchpoints(team)
    found = workspace.answers(
        touchpoints=scope, limit=per_page, offset=(page - 1) * per_page, **selection
    )
    least = workspace.model.metrics.min_n
    if not sees_thin_figures(role) and 0 < found.total < least:
        raise Withheld(
            f"{found.total} answers: fewer than {least} (metrics.min_n) are not shown "
            f"to role {role}"
        )
    return found
