"""Who may do what: roles, API tokens and the audit log (issue 17).

Four roles, from most to least trusted:

- ``admin`` — everything, users and settings included;
- ``analyst`` — everything but users: figures, raw rows, ingest and exports;
- ``agent`` — figures, and later the records of their team's touchpoints; no raw rows;
- ``viewer`` — figures only.

A figure from fewer answers than ``metrics.min_n`` is shown only to analysts and admins
(min-n anonymity): to the others its value and interval are withheld, with its n, so that
a handful of answers cannot be traced back to the people who gave them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from touchpoints.core.result import Records
from touchpoints.errors import ParameterError
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.operational import OPERATIONS_FILE, OperationalStore, TokenRecord

ROLES = ("admin", "analyst", "agent", "viewer")
AUDIT_COLUMNS = ("at", "actor", "action", "detail")
# What each permission needs, as the set of roles that have it.
FIGURES = frozenset(ROLES)
RAW_ROWS = frozenset({"admin", "analyst"})
WRITE = frozenset({"admin", "analyst"})


def operations(workspace: WorkspaceFolder) -> OperationalStore:
    """The workspace's operational store (tokens, audit log)."""
    return OperationalStore(workspace.root / OPERATIONS_FILE)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the secret, shown once and never stored, and its record."""

    token: str
    record: TokenRecord


def create_token(workspace: WorkspaceFolder, role: str, team: str | None = None) -> NewToken:
    """A new bearer token for ``role`` (and ``team``, for agents); logged in the audit."""
    if role not in ROLES:
        raise ParameterError("role", f"unknown role '{role}' (roles: {', '.join(ROLES)})")
    token_id = "tok_" + secrets.token_hex(4)
    token = f"tp_{token_id[4:]}_{secrets.token_urlsafe(32)}"
    store = operations(workspace)
    record = store.add_token(token_id, token, role, team)
    store.log("cli", "token create", f"{token_id} role={role} team={team or ''}")
    return NewToken(token, record)


def may(role: str, permission: frozenset[str]) -> bool:
    return role in permission


def audit_log(workspace: WorkspaceFolder, limit: int = 100) -> Records:
    """The latest entries of the audit log (token creations, API ingests …), newest first."""
    if limit < 1:
        raise ParameterError("limit", f"takes a whole number from 1 (got {limit})")
    rows = operations(workspace).audit(limit)
    return Records(tuple(rows), f"Audit log: the latest {len(rows)} entries", AUDIT_COLUMNS)
