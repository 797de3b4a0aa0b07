"""The admin page: users and tokens made and removed from the browser, every change audited
under the admin's name and guarded by CSRF; the last admin stays; only admins get in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from touchpoints.cli.app import app as cli
from touchpoints.services.access import operations
from touchpoints.services.workspace import Workspace
from web.conftest import PASSWORD


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin").text)
    assert found
    return found.group(1)


def test_only_admins_open_the_admin_page(as_role: dict[str, TestClient]) -> None:
    page = as_role["admin"].get("/admin", params={"lang": "en"})
    assert page.status_code == 200
    for part in ("Users", "API tokens", "Settings", "Audit log", "metrics.min_n"):
        assert part in page.text
    assert "/admin" in as_role["admin"].get("/").text
    for role in ("analyst", "agent", "viewer"):
        assert as_role[role].get("/admin").status_code == 403
        assert 'href="/admin' not in as_role[role].get("/").text


def test_an_admin_adds_a_user_who_logs_in_then_removes_them(
    as_role: dict[str, TestClient], app: object, site: Workspace
) -> None:
    admin = as_role["admin"]
    made = admin.post(
        "/admin/users", data={"name": "new.analyst", "role": "analyst", "csrf": csrf_of(admin)}
    )
    assert made.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", made.text)
    assert password
    with TestClient(app, base_url="http://127.0.0.1") as person:  # type: ignore[arg-type]
        logged = person.post(
            "/login",
            data={"name": "new.analyst", "password": password.group(1)},
            follow_redirects=False,
        )
        assert logged.status_code == 303
        assert person.get("/data").status_code == 200
        gone = admin.post(
            "/admin/users/remove", data={"name": "new.analyst", "csrf": csrf_of(admin)}
        )
        assert gone.status_code == 200
        assert person.get("/data", follow_redirects=False).status_code == 303  # session ended
    actions = [(e["actor"], e["action"]) for e in operations(site).audit(50)]
    assert ("user:admin1", "user add") in actions
    assert ("user:admin1", "user remove") in actions


def test_the_last_admin_stays_and_a_change_needs_the_csrf_token(
    as_role: dict[str, TestClient],
) -> None:
    admin = as_role["admin"]
    kept = admin.post("/admin/users/remove", data={"name": "admin1", "csrf": csrf_of(admin)})
    assert kept.status_code == 400
    assert "last admin" in kept.text
    forged = admin.post("/admin/users", data={"name": "x", "role": "viewer", "csrf": "no"})
    assert forged.status_code == 403


def test_an_admin_makes_and_revokes_a_token(
    as_role: dict[str, TestClient], browser_like: TestClient
) -> None:
    admin = as_role["admin"]
    made = admin.post("/admin/tokens", data={"role": "viewer", "csrf": csrf_of(admin)})
    token = re.search(r"<code>(tp_[^<]+)</code>", made.text)
    assert token
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert browser_like.get("/api/v1/status", headers=bearer).status_code == 200
    token_id = re.search(r"(tok_[0-9a-f]{8}) ·", made.text)
    assert token_id
    revoked = admin.post(
        "/admin/tokens/revoke", data={"token_id": token_id.group(1), "csrf": csrf_of(admin)}
    )
    assert revoked.status_code == 200
    assert browser_like.get("/api/v1/status", headers=bearer).status_code == 401


def test_users_are_listed_and_removed_on_the_command_line(site: Workspace) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["user", "add", "cli.viewer", "--role", "viewer", "--password-stdin", "-w", str(site.root)],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["user", "list", "-w", str(site.root), "--format", "json"])
    assert listed.exit_code == 0
    assert "cli.viewer" in listed.output
    assert "argon2" not in listed.output
    removed = runner.invoke(cli, ["user", "remove", "cli.viewer", "-w", str(site.root)])
    assert removed.exit_code == 0
    again = runner.invoke(cli, ["user", "remove", "cli.viewer", "-w", str(site.root)])
    assert again.exit_code == 1
    assert "no user" in again.stderr


def test_a_removed_user_cannot_log_in(app: object, site: Workspace) -> None:
    runner = CliRunner()
    runner.invoke(
        cli,
        [
            "user",
            "add",
            "short.lived",
            "--role",
            "viewer",
            "--password-stdin",
            "-w",
            str(site.root),
        ],
        input=PASSWORD + "\n",
    )
    runner.invoke(cli, ["user", "remove", "short.lived", "-w", str(site.root)])
    with TestClient(app, base_url="http://127.0.0.1") as person:  # type: ignore[arg-type]
        refused = person.post("/login", data={"name": "short.lived", "password": PASSWORD})
        assert refused.status_code == 401
