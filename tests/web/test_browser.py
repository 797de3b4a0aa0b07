"""The pages in a real browser: Debian's chromium driven by Playwright, headless with
``--no-sandbox`` (installed by ``scripts/browser.sh``, which ``.ci/run`` calls).

Every page loads without a console error in both languages and no request leaves localhost;
an analyst drills from a touchpoint's figure to its comments with the filters kept; a viewer
sees no raw rows. With ``TOUCHPOINTS_SCREENSHOTS=docs/screenshots`` the test saves the
screenshots of the main pages that ``docs/web.md`` shows.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn

from touchpoints.services.surveys import survey_link
from touchpoints.services.workspace import Workspace
from touchpoints.web.app import create_server
from web.conftest import PASSWORD

CHROMIUM = shutil.which("chromium")
SHOTS = os.environ.get("TOUCHPOINTS_SCREENSHOTS")
pytestmark = [
    pytest.mark.slow,
    # Outside CI a machine without chromium skips these (scripts/browser.sh installs it);
    # in CI the launch fails instead, so a missing browser cannot pass unnoticed.
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
    ),
]
PAGES = {
    "overview": "/",
    "journey": "/journey",
    "touchpoints": "/touchpoints",
    "touchpoint": "/touchpoints/store_staff",
    "benchmark": "/benchmark",
    "items": "/items",
    "data": "/data",
    "answers": "/answers?touchpoint=store_staff&comments=1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(site: Workspace) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a thread of the test."""
    port = free_port()
    config = uvicorn.Config(
        create_server(site.root), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM or "chromium", args=["--no-sandbox"], headless=True
        )
        yield browser
        browser.close()


class Visit:
    """A logged-in browser page that records console errors and every request's host."""

    def __init__(self, browser: object, base: str, role: str, lang: str, width: int = 1400):
        self.base = base
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US"
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)
        self.page.goto(f"{base}/login?lang={lang}")
        self.page.fill("input[name=name]", f"{role}1")
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def _request(self, request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if not url.startswith((self.base, "data:", "blob:")):
            self.outside.append(url)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_loads_without_errors_and_stays_on_localhost(
    chromium: object, server: str, lang: str
) -> None:
    visit = Visit(chromium, server, "analyst", lang)
    try:
        for name, path in PAGES.items():
            visit.open(path)
            assert visit.page.locator("main h1").count() == 1, name
            if name in ("overview", "touchpoints", "touchpoint", "benchmark", "items"):
                visit.page.wait_for_selector(".chart .main-svg", timeout=15_000)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                visit.page.screenshot(
                    path=f"{SHOTS}/{name}-{lang}.jpg", full_page=True, type="jpeg", quality=70
                )
        assert visit.errors == []
        assert visit.outside == []
    finally:
        visit.close()


def test_an_analyst_drills_from_a_figure_to_its_comments_with_the_filters_kept(
    chromium: object, server: str
) -> None:
    visit = Visit(chromium, server, "analyst", "en")
    try:
        visit.open("/touchpoints?region=%E5%8D%8E%E4%B8%9C&since=2025-01-01")
        row = visit.page.locator("section.table tr", has_text="Store staff")
        row.locator("a.drill").first.click()
        visit.page.wait_for_load_state("networkidle")
        query = parse_qs(urlsplit(visit.page.url).query)
        assert query["region"] == ["华东"]
        assert query["since"] == ["2025-01-01"]
        assert query["touchpoint"] == ["store_staff"]
        regions = visit.page.locator("table.answers tbody tr td:nth-child(9)").all_inner_texts()
        assert regions
        assert set(regions) == {"华东"}
        visit.page.click("text=only those with a comment")
        visit.page.wait_for_load_state("networkidle")
        comments = visit.page.locator("td.comment").all_inner_texts()
        assert comments
        assert all(c.strip() for c in comments)
        assert parse_qs(urlsplit(visit.page.url).query)["region"] == ["华东"]
        assert visit.errors == []
    finally:
        visit.close()


def test_a_viewer_sees_no_raw_rows(chromium: object, server: str) -> None:
    visit = Visit(chromium, server, "viewer", "en")
    try:
        visit.open("/touchpoints/store_staff")
        assert visit.page.locator("table.answers").count() == 0
        assert "figures only" in visit.page.inner_text("main")
        visit.open("/answers?touchpoint=store_staff")
        assert visit.page.locator("table.answers").count() == 0
        assert "403" in visit.page.inner_text("main h1")
        visit.open("/data")
        assert visit.page.locator("input[type=file]").count() == 0
    finally:
        visit.close()


def test_the_trend_points_open_their_period(chromium: object, server: str) -> None:
    """A chart's point carries the drill-down of its period (Plotly's customdata)."""
    visit = Visit(chromium, server, "analyst", "en")
    try:
        visit.open("/?period=quarter&region=%E5%8D%8E%E4%B8%9C")
        visit.page.wait_for_selector(".chart .main-svg")
        links = visit.page.evaluate(
            "() => JSON.parse(document.querySelector('.chart').dataset.figure).data[2].customdata"
        )
        assert links
        query = parse_qs(urlsplit(links[0]).query)
        assert query["region"] == ["华东"]
        assert query["since"][0].endswith("-01")
        visit.page.goto(server + links[0])
        assert visit.page.locator("table.answers").count() == 1
    finally:
        visit.close()


def test_a_survey_answered_on_a_phone_appears_in_the_metrics(
    chromium: object, server: str, site: Workspace
) -> None:
    """A signed link opens on a phone-sized screen with its score chosen; the customer picks
    another, writes a comment and sends; the figures count it at once."""
    link = survey_link(
        site, "delivery_courier", customer="C-PHONE-1", score=10, lang="zh", base_url=server
    )
    before = site.metrics(where=["touchpoint=delivery_courier"]).to_dict()[0]["n"]
    phone = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = phone.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else 0)
    try:
        page.goto(link)
        assert page.locator("input[name=score][value='10']").is_checked()
        assert "您有多大可能" in page.inner_text("legend")
        page.locator(".scale label", has_text="6").first.tap()
        assert page.locator("input[name=score][value='6']").is_checked()
        page.fill("textarea[name=comment]", "快递员送货很准时")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/survey-zh.jpg", full_page=True, type="jpeg", quality=70)
        page.locator("button[type=submit]").tap()
        page.wait_for_load_state("networkidle")
        assert "我们已收到您的回答" in page.inner_text("main")
        assert errors == []
        assert outside == []
    finally:
        phone.close()
    after = site.metrics(where=["touchpoint=delivery_courier"]).to_dict()[0]
    assert after["n"] == before + 1
    newest = site.answers(where=["touchpoint=delivery_courier"], limit=1).rows[0]
    assert (newest["nps"], newest["comment"], newest["language"]) == (6, "快递员送货很准时", "zh")


def test_the_report_opens_offline_with_its_charts(
    chromium: object, site: Workspace, tmp_path: Path
) -> None:
    """The HTML report, opened from a file with no server at all: every chart is drawn and no
    request leaves the file."""
    from touchpoints.web.filters import Filters
    from touchpoints.web.report import report_data, report_html

    path = tmp_path / "report.html"
    path.write_text(report_html(report_data(site, Filters(), "zh")), encoding="utf-8")
    page = chromium.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(path.as_uri())
        page.wait_for_selector(".chart .main-svg")
        charts = page.locator(".chart")
        assert charts.count() == 4
        for index in range(charts.count()):
            assert charts.nth(index).locator(".main-svg").count() > 0
        assert all(u.startswith(("file:", "data:", "blob:")) for u in requests)
        assert errors == []
    finally:
        page.close()


def test_a_label_holding_a_link_is_drawn_as_text(chromium: object, tmp_path: Path) -> None:
    """Plotly reads ``<a href>`` in labels; a brand or item name from the data holding one
    must stay text (charts.plain), not become a link."""
    import json

    from touchpoints.web import charts
    from touchpoints.web.assets import asset

    trap = '<a href="http://evil.example">A</a>'
    figure = charts.bars("t", [trap, "B"], [1.0, 2.0], [0.5, 1.5], [1.5, 2.5], ["", ""])
    page_file = tmp_path / "chart.html"
    page_file.write_text(
        "<html><body><div id=c></div><script>"
        + asset("plotly.min.js").decode()
        + "</script><script>Plotly.newPlot('c',"
        + json.dumps(figure["data"])
        + ","
        + json.dumps(figure["layout"])
        + ")</script></body></html>",
        encoding="utf-8",
    )
    page = chromium.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector(".main-svg")
        assert page.locator("svg a").count() == 0
        labels = page.eval_on_selector_all(".ytick text", "els => els.map(e => e.textContent)")
        assert trap in labels
    finally:
        page.close()
