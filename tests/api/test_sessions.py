"""People log in: users with Argon2id hashes, session cookies, CSRF on changes, and the
login limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from touchpoints.api.app import create_app
from touchpoints.cli.app import app as cli
from touchpoints.services.access import MAX_FAILURES
from touchpoints.services.workspace import Workspace, init_workspace
from touchpoints.storage.operational import OPERATIONS_FILE

PASSWORD = "correct horse battery"


@pytest.fixture
def workspace_with_users(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("sessions") / "ws"
    init_workspace(root)
    for name, role in (("ana", "analyst"), ("vic", "viewer")):
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", role, "--password-stdin", "-w", str(root)],
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
    return Workspace.open(root)


@pytest.fixture
def client(workspace_with_users: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace_with_users.root)) as test_client:
        yield test_client


def stored_bytes(workspace: Workspace) -> bytes:
    """Everything the operational store holds on disk: the database and its write-ahead log
    (in WAL mode recent writes are still in ``-wal``)."""
    files = workspace.root.glob(OPERATIONS_FILE + "*")
    return b"".join(path.read_bytes() for path in sorted(files))


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    found = client.post("/api/v1/session", json={"name": name, "password": password})
    assert found.status_code == 200, found.text
    csrf: str = found.json()["csrf"]
    return csrf


def test_passwords_are_stored_as_argon2id_hashes_only(workspace_with_users: Workspace) -> None:
    with sqlite3.connect(workspace_with_users.root / OPERATIONS_FILE) as con:
        stored = [p for (p,) in con.execute("SELECT password FROM users")]
    assert all(p.startswith("$argon2id$") for p in stored)
    assert PASSWORD.encode() not in stored_bytes(workspace_with_users)


def test_a_session_cookie_opens_the_endpoints_its_role_may_use(client: TestClient) -> None:
    log_in(client, "vic")
    cookie = client.cookies.get("tp_session")
    assert cookie
    assert client.get("/api/v1/status").status_code == 200
    assert client.get("/api/v1/quarantine").status_code == 403  # a viewer sees no raw rows


def test_a_change_by_cookie_needs_the_csrf_token(client: TestClient) -> None:
    csrf = log_in(client, "ana")
    body = [{"response_id": "r1", "ts": "2025-06-01 10:00", "touchpoint": "web_checkout"}]
    forged = client.post("/api/v1/ingest/responses", json=body)
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "csrf")
    wrong = client.post("/api/v1/ingest/responses", json=body, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    sent = client.post("/api/v1/ingest/responses", json=body, headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 200, sent.text
    ended = client.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert ended.json() == {"ended": True}
    assert client.get("/api/v1/status").status_code == 401


def test_the_login_limit_holds_even_for_the_right_password(client: TestClient) -> None:
    for _ in range(MAX_FAILURES):
        failed = client.post("/api/v1/session", json={"name": "ana", "password": "guess-guess"})
        assert (failed.status_code, failed.json()["error"]["code"]) == (401, "login_failed")
    blocked = client.post("/api/v1/session", json={"name": "ana", "password": PASSWORD})
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "too_many_attempts")
    log_in(client, "vic")  # the limit is per name: another user is not locked out


def test_an_unknown_name_reads_as_a_wrong_password(client: TestClient) -> None:
    found = client.post("/api/v1/session", json={"name": "nobody", "password": PASSWORD})
    assert found.json()["error"]["message"] == "wrong name or password"


def test_users_are_checked_and_audited(workspace_with_users: Workspace) -> None:
    root = str(workspace_with_users.root)
    for args, said in (
        (["user", "add", "ana", "--role", "viewer"], "exists already"),
        (["user", "add", "short", "--role", "viewer"], "at least 12 characters"),
    ):
        password = PASSWORD if "ana" in args else "short"
        result = CliRunner().invoke(
            cli, [*args, "--password-stdin", "-w", root], input=password + "\n"
        )
        assert result.exit_code == 1
        assert said in result.output
    audit = CliRunner().invoke(cli, ["audit", "-w", root, "--format", "json"])
    assert '"user add"' in audit.stdout


def test_no_personal_data_is_kept_from_names(
    client: TestClient, workspace_with_users: Workspace
) -> None:
    """A failed login that typed a phone number or e-mail keeps neither (the failure count is
    keyed by the name's hash, the audit shows it masked); a user or team may not be one."""
    for typed in ("13912345678", "someone@example.com"):
        client.post("/api/v1/session", json={"name": typed, "password": "guess-guess"})
    raw = stored_bytes(workspace_with_users)
    assert b"13912345678" not in raw
    assert b"someone@example.com" not in raw
    root = str(workspace_with_users.root)
    for args in (
        ["user", "add", "a@example.com", "--role", "viewer"],
        ["user", "add", "ok.name", "--role", "viewer", "--team", "13912345678"],
    ):
        result = CliRunner().invoke(
            cli, [*args, "--password-stdin", "-w", root], input=PASSWORD + "\n"
        )
        assert result.exit_code == 1
        assert "choose a handle" in result.output
