"""The operational store: users, sessions, API tokens and the audit log, in SQLite beside the
warehouse.

The warehouse (DuckDB) is for analysis, and DuckDB lets one process write a file at a time:
a server that kept it open for writing would lock out ``touchpoints ingest``. What a running
server writes on its own — who may call it, what they did — lives here instead, in SQLite,
which takes concurrent readers and short write transactions from several processes
(`WAL mode <https://www.sqlite.org/wal.html>`_). PostgreSQL takes its place later for a
shared deployment; the statements are plain SQL for that reason.

A token is never stored: only its SHA-256. Tokens are 256 random bits, so a fast hash is the
right tool (a slow password hash guards guessable secrets; these are not guessable), and a
stolen copy of this file lets nobody call the API.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OPERATIONS_FILE = "touchpoints.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, role TEXT NOT NULL, team TEXT,
    created_at TEXT NOT NULL, revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL, team TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_logins (name TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT ''
);
"""


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its public id, role and team (the secret itself is not kept)."""

    id: str
    role: str
    team: str | None
    created_at: str
    revoked_at: str | None


class OperationalStore:
    """The SQLite file of a workspace; each call opens, does its work and closes, so that a
    server and the command line share it without holding it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
            with con:  # one transaction: committed on success, rolled back on error
                yield con

    def add_token(self, token_id: str, token: str, role: str, team: str | None) -> TokenRecord:
        record = TokenRecord(token_id, role, team, now(), None)
        with self._connect() as con:
            con.execute(
                "INSERT INTO tokens (id, digest, role, team, created_at) VALUES (?, ?, ?, ?, ?)",
                (token_id, digest(token), role, team, record.created_at),
            )
        return record

    def tokens(self) -> list[TokenRecord]:
        """Every token made, oldest first (their secrets were never kept)."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, role, team, created_at, revoked_at FROM tokens ORDER BY rowid"
            ).fetchall()
        return [TokenRecord(*r) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        """Revoke a live token by its id; whether there was one to revoke."""
        with self._connect() as con:
            done = con.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now(), token_id),
            )
        return done.rowcount == 1

    def find_token(self, token: str) -> TokenRecord | None:
        """The live token whose secret is ``token``; ``None`` for an unknown or revoked one."""
        if not self.path.exists():
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT id, role, team, created_at, revoked_at FROM tokens "
                "WHERE digest = ? AND revoked_at IS NULL",
                (digest(token),),
            ).fetchone()
        return None if row is None else TokenRecord(*row)

    def add_user(self, name: str, password_hash: str, role: str, team: str | None) -> None:
        """A new user; an existing name is refused by the primary key (IntegrityError)."""
        with self._connect() as con:
            con.execute(
                "INSERT INTO users (name, password, role, team, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, password_hash, role, team, now()),
            )

    def user(self, name: str) -> tuple[str, str, str | None] | None:
        """``(password hash, role, team)`` of a user, or ``None``."""
        if not self.path.exists():
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT password, role, team FROM users WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def users(self) -> list[dict[str, Any]]:
        """Every user: name, role, team and when added (never the password hash)."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT name, role, team, created_at FROM users ORDER BY name"
            ).fetchall()
        return [dict(zip(("name", "role", "team", "created_at"), r, strict=True)) for r in rows]

    def remove_user(self, name: str) -> bool:
        """Remove a user and end their sessions at once; whether there was one."""
        with self._connect() as con:
            gone = con.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount
            con.execute("DELETE FROM sessions WHERE name = ?", (name,))
        return bool(gone)

    def failures_since(self, name: str, since: str) -> int:
        """Failed logins for ``name`` since ``since``. Names are kept as their SHA-256: a
        failed attempt may type anything (an e-mail address, a phone number) into the name."""
        with self._connect() as con:
            (count,) = con.execute(
                "SELECT count(*) FROM failed_logins WHERE name = ? AND at >= ?",
                (digest(name), since),
            ).fetchone()
        return int(count)

    def fail(self, name: str) -> None:
        with self._connect() as con:
            con.execute("INSERT INTO failed_logins (name, at) VALUES (?, ?)", (digest(name), now()))

    def open_session(self, session: str, name: str, csrf: str, expires_at: str) -> None:
        with self._connect() as con:
            con.execute("DELETE FROM failed_logins WHERE name = ?", (digest(name),))
            con.execute(
                "INSERT INTO sessions (digest, name, csrf, expires_at) VALUES (?, ?, ?, ?)",
                (digest(session), name, csrf, expires_at),
            )

    def session(self, session: str) -> tuple[str, str, str, str | None] | None:
        """``(user, csrf token, role, team)`` of a live session, or ``None``."""
        if not self.path.exists():
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT s.name, s.csrf, u.role, u.team FROM sessions s "
                "JOIN users u ON u.name = s.name WHERE s.digest = ? AND s.expires_at > ?",
                (digest(session), now()),
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def close_session(self, session: str) -> None:
        with self._connect() as con:
            con.execute("DELETE FROM sessions WHERE digest = ?", (digest(session),))

    def log(self, actor: str, action: str, detail: str = "") -> None:
        with self._connect() as con:
            con.execute(
                "INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                (now(), actor, action, detail),
            )

    def audit(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest entries of the audit log, newest first."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [dict(zip(("at", "actor", "action", "detail"), r, strict=True)) for r in rows]
