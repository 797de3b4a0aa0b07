"""What a review found and these tests keep fixed: the server writing while it reads, an empty
workspace, no rated items, a failing question in the cache's refresh, malformed forms, and
min-n in the report's changes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from touchpoints.services.access import add_user
from touchpoints.services.cache import ResultCache
from touchpoints.services.workspace import Workspace, init_workspace
from touchpoints.web import survey as limiter
from touchpoints.web.app import create_server
from touchpoints.web.filters import Filters
from touchpoints.web.report import Reader, report_data
from web.conftest import PASSWORD


def test_answers_are_stored_while_pages_are_read_in_the_same_process(app: object) -> None:
    """DuckDB refuses a read-write and a read-only handle to one file in one process; the
    server takes its own lock, so readers and writers take turns instead of failing."""
    codes: Counter[int] = Counter()
    stop = threading.Event()
    limiter.LIMITER._seen.clear()

    def reader() -> None:
        with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
            client.post("/login", data={"name": "analyst1", "password": PASSWORD})
            while not stop.is_set():
                codes[client.get("/answers", params={"touchpoint": "store_staff"}).status_code] += 1

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    posted: Counter[int] = Counter()
    deadline = time.monotonic() + 60
    while sum(codes.values()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the readers are logged in and reading
    try:
        with TestClient(app, base_url="http://127.0.0.1") as survey:  # type: ignore[arg-type]
            for _ in range(5):
                answer = survey.post(
                    "/s/returns",
                    data={"score": 8, "comment": "ok"},
                    headers={"X-Forwarded-For": "x"},
                )
                posted[answer.status_code] += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert posted == Counter({200: 5})
    assert set(codes) == {200}


def test_an_empty_workspace_shows_every_page(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "empty")
    add_user(workspace, "admin1", PASSWORD, "admin")
    with TestClient(create_server(workspace.root), base_url="http://127.0.0.1") as client:
        client.post("/login", data={"name": "admin1", "password": PASSWORD})
        for path in (
            "/",
            "/journey",
            "/touchpoints",
            "/benchmark",
            "/items",
            "/data",
            "/admin",
            "/answers",
            "/report.html",
            "/report.xlsx",
            "/export/items.csv",
        ):
            answer = client.get(path)
            assert answer.status_code in (200, 400), (path, answer.text[:200])
            assert "Traceback" not in answer.text
        assert client.get("/").status_code == 200
        assert client.get("/items").status_code == 200
        assert client.get("/report.html").status_code == 200
        assert client.get("/", params={"since": "2099-01-01"}).status_code == 200


def test_a_failing_question_does_not_stop_the_refresh(workspace: Workspace, tmp_path: Path) -> None:
    cache = ResultCache(workspace)
    with pytest.raises(ZeroDivisionError):
        cache.get("bad", lambda: 1 / 0)
    assert cache.get("good", lambda: workspace.answers(limit=0).total) == 0
    (tmp_path / "a.csv").write_text(
        "response_id,ts,channel,touchpoint,nps\nR1,2025-03-01T10:00:00Z,web,web_checkout,9\n",
        encoding="utf-8",
    )
    workspace.ingest(tmp_path / "a.csv", kind="responses")
    assert cache.refresh() == 1
    assert cache.ready("good")


def test_a_malformed_form_is_a_page_not_json(browser_like: TestClient) -> None:
    answer = browser_like.post("/s/store_staff", data={"comment": "no score"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "score" in answer.text
    assert "Content-Security-Policy" in answer.headers


def test_the_report_leaves_out_thin_changes_for_viewers(site: Workspace) -> None:
    daily = Filters(period="day")
    shown = report_data(site, daily, "en", Reader(thin_figures=False, comments=False))
    sheet = dict(shown["sheets"])["changes"]
    assert not any(r.get("insufficient") for r in sheet)
    table = shown["changes"][0]
    assert len(table.rows) == len(sheet)
