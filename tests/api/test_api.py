"""The REST API: the same JSON as the command line, one error body, and every endpoint
refusing a missing, malformed, unknown or under-privileged token."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from touchpoints.api.app import create_app
from touchpoints.cli.app import app as cli
from touchpoints.demo import build_demo
from touchpoints.services.access import ROLES, create_token
from touchpoints.services.workspace import Workspace
from touchpoints.storage.operational import OPERATIONS_FILE

# Each endpoint with a query that works on the demo, and the roles it admits.
FIGURES = set(ROLES)
ENDPOINTS = {
    "/api/v1/status": FIGURES,
    "/api/v1/check": FIGURES,
    "/api/v1/metrics?by=channel": FIGURES,
    "/api/v1/changes?period=quarter": FIGURES,
    "/api/v1/index?resamples=0": FIGURES,
    "/api/v1/items?resamples=0": FIGURES,
    "/api/v1/benchmark": FIGURES,
    "/api/v1/quarantine": {"admin", "analyst"},
    "/api/v1/answers?where=channel=store": {"admin", "analyst", "agent"},
    "/api/v1/analyze/kano?by=segment": FIGURES,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("api") / "ws"
    build_demo(root, customers=400, seed=3)
    return Workspace.open(root)


@pytest.fixture(scope="module")
def tokens(served: Workspace) -> dict[str, str]:
    return {role: create_token(served, role).token for role in ROLES}


@pytest.fixture(scope="module")
def client(served: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(served.root)) as test_client:
        yield test_client


def as_role(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cli_json(served: Workspace, *args: str) -> object:
    result = CliRunner().invoke(cli, [*args, "-w", str(served.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_metrics_rows_are_the_command_lines(
    client: TestClient, tokens: dict[str, str], served: Workspace
) -> None:
    found = client.get(
        "/api/v1/metrics",
        params={"by": "channel", "period": "quarter", "where": ["region=华东"]},
        headers=as_role(tokens["analyst"]),
    )
    assert found.status_code == 200
    expected = cli_json(
        served, "metrics", "--by", "channel", "--period", "quarter", "--where", "region=华东"
    )
    assert found.json() == expected
    assert found.headers["X-Total-Count"] == str(len(expected))  # type: ignore[arg-type]


def test_changes_and_index_are_the_command_lines(
    client: TestClient, tokens: dict[str, str], served: Workspace
) -> None:
    analyst = as_role(tokens["analyst"])
    changes = client.get("/api/v1/changes", params={"by": "region", "all": "true"}, headers=analyst)
    assert changes.json() == cli_json(served, "changes", "--by", "region", "--all")
    index = client.get("/api/v1/index", params={"resamples": 50}, headers=analyst)
    assert index.json() == cli_json(served, "index", "--resamples", "50")


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_every_endpoint_refuses_a_missing_malformed_or_unknown_token(
    client: TestClient, path: str
) -> None:
    cases = {
        "missing": {},
        "not bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "malformed": {"Authorization": "Bearer nonsense"},
        "unknown": {"Authorization": "Bearer tp_00000000_" + "A" * 43},
    }
    for case, headers in cases.items():
        found = client.get(path, headers=headers)
        assert found.status_code == 401, (case, found.text)
        assert found.json()["error"]["code"] == "unauthorized"
        assert found.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("path", "role"), [(p, r) for p in sorted(ENDPOINTS) for r in ROLES])
def test_each_role_gets_what_it_may(
    client: TestClient, tokens: dict[str, str], path: str, role: str
) -> None:
    found = client.get(path, headers=as_role(tokens[role]))
    if role in ENDPOINTS[path]:
        assert found.status_code == 200, found.text
    else:
        assert found.status_code == 403
        assert found.json()["error"]["code"] == "forbidden"


def test_a_bad_parameter_is_one_error_body_naming_it(
    client: TestClient, tokens: dict[str, str]
) -> None:
    viewer = as_role(tokens["viewer"])
    found = client.get("/api/v1/metrics", params={"by": "shop"}, headers=viewer)
    assert found.status_code == 400
    assert found.json() == {
        "error": {
            "status": 400,
            "code": "parameter",
            "message": found.json()["error"]["message"],
            "param": "by",
        }
    }
    assert "unknown dimension 'shop'" in found.json()["error"]["message"]
    typed = client.get("/api/v1/metrics", params={"page": "zero"}, headers=viewer)
    assert (typed.status_code, typed.json()["error"]["param"]) == (400, "page")
    missing = client.get("/api/v1/nowhere", headers=viewer)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


def test_thin_figures_are_withheld_from_viewers_not_analysts(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """min-n anonymity: a figure from fewer than min n answers keeps its n but loses its
    value and interval for viewers and agents."""
    query = {"by": "touchpoint,region,segment"}
    analyst = client.get("/api/v1/metrics", params=query, headers=as_role(tokens["analyst"]))
    viewer = client.get("/api/v1/metrics", params=query, headers=as_role(tokens["viewer"]))
    thin = [(a, v) for a, v in zip(analyst.json(), viewer.json(), strict=True) if a["insufficient"]]
    assert thin
    for seen, hidden in thin:
        assert seen["n"] == hidden["n"]
        for name in seen["insufficient"]:
            assert seen[name] is not None
            assert (hidden[name], hidden.get(f"{name}_low")) == (None, None)


def test_list_results_are_paged_by_headers(client: TestClient, tokens: dict[str, str]) -> None:
    analyst = as_role(tokens["analyst"])
    every = client.get("/api/v1/quarantine", headers=analyst).json()
    first = client.get("/api/v1/quarantine", params={"per_page": 2}, headers=analyst)
    second = client.get("/api/v1/quarantine", params={"per_page": 2, "page": 2}, headers=analyst)
    assert len(every) > 2
    assert first.json() + second.json() == every[:4]
    assert first.headers["X-Total-Count"] == str(len(every))
    assert first.headers["Link"] == '<?page=2&per_page=2>; rel="next"'


def test_openapi_lists_every_endpoint_with_bearer_auth(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = {path.replace("{model}", "kano") for path in spec["paths"]}
    assert {p.split("?")[0] for p in ENDPOINTS} <= paths
    readers = {
        path.replace("{model}", "kano") for path, ops in spec["paths"].items() if "get" in ops
    }
    assert readers == {p.split("?")[0] for p in ENDPOINTS}, "an endpoint missing from ENDPOINTS"
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_api_kano_rows_equal_the_cli(
    client: TestClient, served: Workspace, tokens: dict[str, str]
) -> None:
    found = client.get(
        "/api/v1/analyze/kano", params={"by": "segment"}, headers=as_role(tokens["analyst"])
    )
    assert found.status_code == 200
    assert found.json() == cli_json(served, "analyze", "kano", "--by", "segment")
    unknown = client.get("/api/v1/analyze/nothing", headers=as_role(tokens["analyst"]))
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "model"


def test_the_api_answers_equal_the_cli_and_an_agent_sees_their_team_only(
    client: TestClient, served: Workspace, tokens: dict[str, str]
) -> None:
    query = {"where": "touchpoint=store_staff", "per_page": 5, "comments": "true"}
    found = client.get("/api/v1/answers", params=query, headers=as_role(tokens["analyst"]))
    assert found.status_code == 200
    expected = cli_json(
        served, "answers", "--where", "touchpoint=store_staff", "--comments", "--limit", "5"
    )
    assert found.json() == expected
    total = int(found.headers["X-Total-Count"])
    assert total == served.answers(where=["touchpoint=store_staff"], comments=True).total
    agent = create_token(served, "agent", "stores").token
    theirs = client.get("/api/v1/answers", params=query, headers=as_role(agent))
    assert theirs.json() == expected
    others = client.get(
        "/api/v1/answers", params={"where": "touchpoint=web_checkout"}, headers=as_role(agent)
    )
    assert others.json() == []
    assert others.headers["X-Total-Count"] == "0"
    csv = client.get("/api/v1/answers", params={"format": "csv"}, headers=as_role(agent))
    assert csv.status_code == 403


def test_token_create_prints_the_token_alone_and_stores_only_its_hash(
    served: Workspace,
) -> None:
    result = CliRunner().invoke(
        cli, ["token", "create", "--role", "agent", "--team", "north", "-w", str(served.root)]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("tp_")
    # the database and its write-ahead log, where recent writes still are in WAL mode
    stored = b"".join(p.read_bytes() for p in sorted(served.root.glob(OPERATIONS_FILE + "*")))
    assert token.encode() not in stored
    with sqlite3.connect(served.root / OPERATIONS_FILE) as con:
        (role, team) = con.execute(
            "SELECT role, team FROM tokens ORDER BY created_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        actions = [a for (a,) in con.execute("SELECT action FROM audit")]
    assert (role, team) == ("agent", "north")
    assert "token create" in actions


def test_an_unknown_role_is_refused(served: Workspace) -> None:
    result = CliRunner().invoke(cli, ["token", "create", "--role", "owner", "-w", str(served.root)])
    assert result.exit_code != 0
    assert not Path(served.root / "owner").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def fetch(url: str, token: str) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.mark.slow
def test_the_served_workspace_takes_an_ingest_while_it_answers(
    served: Workspace, tokens: dict[str, str], tmp_path: Path
) -> None:
    """`touchpoints serve` as a process on a real port; `touchpoints ingest` into the same
    workspace while it runs; the next request sees the new answer."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "touchpoints", "serve", "-w", str(served.root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, before = fetch(f"{base}/status", tokens["viewer"])
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert status == 200
        rows = before["kinds"]["responses"]["rows"]  # type: ignore[index]
        answers = tmp_path / "late.csv"
        answers.write_text(
            "response_id,ts,touchpoint,csat\nlate-1,2025-12-30 10:00,web_checkout,5\n",
            encoding="utf-8",
        )
        ingest = subprocess.run(
            [
                sys.executable,
                "-m",
                "touchpoints",
                "ingest",
                str(answers),
                "--kind",
                "responses",
                "-w",
                str(served.root),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        status, after = fetch(f"{base}/status", tokens["viewer"])
        assert (status, after["kinds"]["responses"]["rows"]) == (200, rows + 1)  # type: ignore[index]
        assert fetch(f"{base}/status", "tp_bad")[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_records_posted_go_through_the_ingest_path(
    client: TestClient, tokens: dict[str, str], served: Workspace
) -> None:
    """One valid answer and one with a CSAT off the scale: stored and quarantined with its
    reason, as `touchpoints ingest` would; the customer's e-mail is pseudonymised."""
    records = [
        {
            "response_id": "api-1",
            "ts": "2025-12-31 09:00",
            "customer": "posted@example.com",
            "touchpoint": "web_checkout",
            "csat": 5,
        },
        {"response_id": "api-2", "ts": "2025-12-31 09:05", "touchpoint": "web_checkout", "csat": 9},
    ]
    analyst = as_role(tokens["analyst"])
    asked = {"where": "touchpoint=web_checkout"}
    before = client.get("/api/v1/metrics", params=asked, headers=analyst).json()[0]["n"]
    again = client.get("/api/v1/metrics", params=asked, headers=analyst).json()[0]["n"]
    assert again == before  # the second answer came from the cache
    found = client.post("/api/v1/ingest/responses", json=records, headers=analyst)
    assert found.status_code == 200, found.text
    after = client.get("/api/v1/metrics", params=asked, headers=analyst).json()[0]["n"]
    assert after == before + 1  # the cached figures follow the ingest at once
    counts = found.json()
    assert (counts["read"], counts["accepted"], counts["quarantined"]) == (2, 1, 1)
    refused = client.get("/api/v1/quarantine", params={"kind": "responses"}, headers=analyst)
    assert any("csat" in " ".join(r["reasons"]) for r in refused.json() if r["key"] == "api-2")
    assert b"posted@example.com" not in (served.root / "touchpoints.duckdb").read_bytes()
    assert not list((served.root / ".scratch").glob("api-*"))  # the staged file is gone


def test_ingest_refuses_viewers_bad_bodies_and_unknown_kinds(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = [{"response_id": "x", "ts": "2025-12-31 09:00", "touchpoint": "web_checkout"}]
    viewer = client.post("/api/v1/ingest/responses", json=body, headers=as_role(tokens["viewer"]))
    assert viewer.status_code == 403
    analyst = as_role(tokens["analyst"])
    not_a_list = client.post("/api/v1/ingest/responses", json={"a": 1}, headers=analyst)
    assert (not_a_list.status_code, not_a_list.json()["error"]["code"]) == (400, "parameter")
    unknown = client.post("/api/v1/ingest/shoes", json=body, headers=analyst)
    assert unknown.status_code == 400
    assert "shoes" in unknown.json()["error"]["message"]


def test_the_audit_log_shows_token_creations_and_api_ingests(
    client: TestClient, tokens: dict[str, str], served: Workspace
) -> None:
    body = [{"response_id": "audit-1", "ts": "2025-12-31 10:00", "touchpoint": "web_checkout"}]
    client.post("/api/v1/ingest/responses", json=body, headers=as_role(tokens["admin"]))
    entries = cli_json(served, "audit", "--limit", "50")
    assert isinstance(entries, list)
    actions = {(e["action"], e["actor"].startswith("tok_")) for e in entries}
    assert ("ingest", True) in actions  # the token's id, never its secret
    assert ("token create", False) in actions
    assert not any(t in json.dumps(entries) for t in tokens.values())


def test_csv_exports_neutralise_formulas_and_are_audited(
    client: TestClient, tokens: dict[str, str], served: Workspace
) -> None:
    """A refused row whose id is a formula comes back as text a spreadsheet will not run;
    the export is written to the audit log under the token's id."""
    analyst = as_role(tokens["analyst"])
    hostile = [{"response_id": '=HYPERLINK("http://evil")', "ts": "not a date", "csat": 3}]
    client.post("/api/v1/ingest/responses", json=hostile, headers=analyst)
    found = client.get("/api/v1/quarantine", params={"format": "csv"}, headers=analyst)
    assert found.status_code == 200
    assert found.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK" in found.text
    for unsafe in ("\n=HYPERLINK", ",=HYPERLINK", '"=HYPERLINK'):
        assert unsafe not in found.text
    metrics = client.get(
        "/api/v1/metrics", params={"by": "channel", "format": "csv"}, headers=analyst
    )
    header = metrics.text.splitlines()[0].split(",")
    assert {"channel", "nps", "method.nps", "design_effect.nps"} <= set(header)
    entries = cli_json(served, "audit", "--limit", "20")
    assert isinstance(entries, list)
    assert {"quarantine", "metrics"} <= {e["detail"] for e in entries if e["action"] == "export"}


def test_a_revoked_token_is_refused_at_its_next_request(
    client: TestClient, served: Workspace
) -> None:
    made = create_token(served, "viewer")
    assert client.get("/api/v1/status", headers=as_role(made.token)).status_code == 200
    listed = cli_json(served, "token", "list")
    assert isinstance(listed, list)
    assert {"id": made.record.id, "role": "viewer"}.items() <= next(
        t for t in listed if t["id"] == made.record.id
    ).items()
    assert made.token not in json.dumps(listed)
    revoked = CliRunner().invoke(cli, ["token", "revoke", made.record.id, "-w", str(served.root)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/status", headers=as_role(made.token)).status_code == 401
    again = CliRunner().invoke(cli, ["token", "revoke", made.record.id, "-w", str(served.root)])
    assert again.exit_code == 1
    assert "no live token" in again.output


def test_a_body_over_the_limit_is_refused_before_it_is_held(
    served: Workspace, tokens: dict[str, str]
) -> None:
    """With a 2 KiB limit: a declared 4 KiB body and a chunked one (no length declared)
    are both refused with 413 and the one error body; a small one goes through."""
    with TestClient(create_app(served.root, max_body=2048)) as small:
        analyst = as_role(tokens["analyst"])
        big = [{"response_id": f"big-{i}", "ts": "2025-12-31 09:00"} for i in range(80)]
        declared = small.post("/api/v1/ingest/responses", json=big, headers=analyst)
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "too_large"
        chunks = (json.dumps(big)[i : i + 512].encode() for i in range(0, 4096, 512))
        chunked = small.post(
            "/api/v1/ingest/responses",
            content=chunks,
            headers={**analyst, "Content-Type": "application/json"},
        )
        assert chunked.status_code == 413
        fine = small.post("/api/v1/ingest/responses", json=big[:2], headers=analyst)
        assert fine.status_code == 200
