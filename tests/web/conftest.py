"""A served demo for the page tests: a user of every role, and answers planted to attack it
(a comment holding a script, one holding a spreadsheet formula)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from touchpoints.demo import build_demo
from touchpoints.services.access import ROLES, add_user
from touchpoints.services.workspace import Workspace
from touchpoints.web.app import create_server

PASSWORD = "correct horse battery staple"
SCRIPT = "<script>alert('pwned')</script> 店员很好"
FORMULA = '=HYPERLINK("http://evil.example","click")'
# The demo's store touchpoints answer to the team "stores" (demo/model.yaml).
AGENT_TEAM = "stores"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("web") / "ws"
    build_demo(root, customers=400, seed=3)
    workspace = Workspace.open(root)
    for role in ROLES:
        add_user(workspace, f"{role}1", PASSWORD, role, AGENT_TEAM if role == "agent" else None)
    planted = root.parent / "attack.csv"
    with planted.open("w", encoding="utf-8", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(
            ["response_id", "ts", "customer", "channel", "touchpoint", "nps", "csat", "comment"]
        )
        rows.writerow(
            ["X1", "2025-12-30T10:00:00+08:00", "C-X1", "store", "store_staff", 3, 2, SCRIPT]
        )
        rows.writerow(
            ["X2", "2025-12-30T11:00:00+08:00", "C-X2", "store", "store_staff", 2, 1, FORMULA]
        )
    workspace.ingest(planted, kind="responses")
    return workspace


def log_in(client: TestClient, role: str) -> TestClient:
    """The client with a session of the role's user."""
    answer = client.post(
        "/login", data={"name": f"{role}1", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture(scope="module")
def app(site: Workspace) -> object:
    return create_server(site.root)


@pytest.fixture
def browser_like(app: object) -> Iterator[TestClient]:
    """A client with no session yet (each test logs in as it needs)."""
    with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def as_role(app: object) -> Iterator[dict[str, TestClient]]:
    """A logged-in client for every role."""
    clients = {role: TestClient(app, base_url="http://127.0.0.1") for role in ROLES}  # type: ignore[arg-type]
    for role, client in clients.items():
        log_in(client, role)
    yield clients
    for client in clients.values():
        client.close()
