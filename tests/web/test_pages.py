"""The pages in-process: every page for every role in both languages, what each role may see,
the filters carried by every drill-down, no outside host, no script from a comment, CSRF,
spreadsheet-safe exports, and figures that follow an upload at once."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from touchpoints.services.access import ROLES, add_user, operations
from touchpoints.services.workspace import Workspace
from touchpoints.web.pages import NAVIGATION
from web.conftest import AGENT_TEAM, FORMULA, SCRIPT, log_in

PAGES = [
    "/",
    "/journey",
    "/touchpoints",
    "/touchpoints/store_staff",
    "/benchmark",
    "/items",
    "/data",
]


class Links(HTMLParser):
    """Every URL a page refers to (src, href, action, data-*), and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "action", "hx-get", "hx-post", "poster"):
            if found.get(name):
                self.urls.append(str(found[name]))
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1

    def handle_starttag_end(self) -> None:  # pragma: no cover - HTMLParser hook unused
        pass


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_opens_for_every_role_in_both_languages(
    as_role: dict[str, TestClient], role: str, lang: str
) -> None:
    client = as_role[role]
    for path in PAGES:
        answer = client.get(path, params={"lang": lang})
        assert answer.status_code == 200, (path, answer.text[:300])
        assert answer.headers["content-type"].startswith("text/html")
        html = answer.text
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
        words = {"zh": "总览", "en": "Overview"}[lang]
        assert words in html, path


def test_the_navigation_is_in_order() -> None:
    assert [e.path for e in NAVIGATION][:6] == [
        "/",
        "/journey",
        "/touchpoints",
        "/benchmark",
        "/items",
        "/data",
    ]


def test_a_page_without_a_session_goes_to_the_login_and_back(browser_like: TestClient) -> None:
    answer = browser_like.get("/touchpoints?region=华东", follow_redirects=False)
    assert answer.status_code == 303
    target = answer.headers["location"]
    assert target.startswith("/login?then=")
    then = parse_qs(urlsplit(target).query)["then"][0]
    assert then == "/touchpoints?region=%E5%8D%8E%E4%B8%9C" or then == "/touchpoints?region=华东"
    back = browser_like.post(
        "/login",
        data={"name": "analyst1", "password": "correct horse battery staple", "then": then},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert back.headers["location"] == then


def test_the_login_refuses_a_redirect_to_another_host(browser_like: TestClient) -> None:
    back = browser_like.post(
        "/login",
        data={
            "name": "analyst1",
            "password": "correct horse battery staple",
            "then": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert back.headers["location"] == "/"


@pytest.mark.parametrize("path", [*PAGES, "/answers?touchpoint=store_staff", "/login", "/docs"])
def test_no_page_refers_to_another_host_or_runs_inline_script(
    as_role: dict[str, TestClient], path: str
) -> None:
    answer = as_role["analyst"].get(path)
    assert answer.status_code == 200
    found = links_of(answer.text)
    assert found.urls, path
    for url in found.urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{path} refers to {url}"
    assert found.inline_scripts == 0
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy


@pytest.mark.parametrize("name", ["touchpoints.css", "touchpoints.js", "htmx.min.js"])
def test_our_assets_load_nothing_from_another_host(
    as_role: dict[str, TestClient], name: str
) -> None:
    text = as_role["viewer"].get(f"/static/{name}").text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert "@import" not in text
    if name == "touchpoints.js":
        assert "http" not in text


def test_plotly_is_served_from_the_installed_wheel(as_role: dict[str, TestClient]) -> None:
    from importlib.resources import files

    served = as_role["viewer"].get("/static/plotly.min.js")
    assert served.status_code == 200
    assert served.content == files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


@pytest.mark.parametrize("path", ["/touchpoints/store_staff", "/answers?touchpoint=store_staff"])
def test_a_script_in_a_comment_is_shown_as_text(as_role: dict[str, TestClient], path: str) -> None:
    html = as_role["analyst"].get(path).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html


def test_a_drill_down_keeps_the_page_filters(as_role: dict[str, TestClient]) -> None:
    html = (
        as_role["analyst"]
        .get("/touchpoints", params={"region": "华东", "since": "2025-07-01"})
        .text
    )
    drills = [u for u in links_of(html).urls if u.startswith("/answers")]
    assert drills
    for url in drills:
        query = parse_qs(urlsplit(url).query)
        assert (query["region"], query["since"]) == (["华东"], ["2025-07-01"]), url
    one = next(u for u in drills if "touchpoint=store_staff" in u)
    answers = as_role["analyst"].get(one).text
    assert "华东" in answers
    assert not re.search(r"<td>(华北|华南|西部|东北)</td>", answers)


def test_the_drill_down_pages_on_the_server(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    total = site.answers(where=["channel=store"], limit=0).total
    assert total > 50
    first = as_role["analyst"].get("/answers", params={"channel": "store"}).text
    second = as_role["analyst"].get("/answers", params={"channel": "store", "page": 2}).text
    assert f"1 / {-(-total // 50)}" in first
    assert f"2 / {-(-total // 50)}" in second
    rows = re.compile(r'<td class="num">(\d{4}-\d\d-\d\d \d\d:\d\d)</td>')
    assert len(rows.findall(first)) == 50
    assert not set(rows.findall(first)[:1]) & set(rows.findall(second)[-1:])


def test_a_viewer_sees_figures_but_no_answers(as_role: dict[str, TestClient]) -> None:
    viewer = as_role["viewer"]
    refused = viewer.get("/answers", params={"touchpoint": "store_staff"})
    assert refused.status_code == 403
    page = viewer.get("/touchpoints/store_staff").text
    assert SCRIPT.split()[1] not in page
    assert "pwned" not in page
    assert viewer.get("/export/answers.csv").status_code == 403
    data = viewer.get("/data").text
    assert "/export/quarantine.csv" not in data
    assert 'name="file"' not in data


def test_an_agent_sees_the_answers_of_their_team_only(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    agent = as_role["agent"]
    theirs = agent.get("/answers", params={"touchpoint": "store_staff"})
    assert theirs.status_code == 200
    assert "pwned" in theirs.text
    team = set(site.team_touchpoints(AGENT_TEAM))
    assert "store_staff" in team
    assert "web_checkout" not in team
    others = agent.get("/answers", params={"touchpoint": "web_checkout"}).text
    assert 'data-total="0"' in others
    assert not re.search(r"<td>(官网结账|Web checkout)</td>", others)
    assert agent.get("/export/answers.csv").status_code == 403


def test_a_drill_down_below_min_n_is_withheld_from_non_analysts(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    thin = {"touchpoint": "store_staff", "since": "2025-12-30", "until": "2025-12-30"}
    total = site.answers(
        where=["touchpoint=store_staff"], since="2025-12-30", until="2025-12-30", limit=0
    ).total
    assert 0 < total < site.model.metrics.min_n
    assert as_role["agent"].get("/answers", params=thin).status_code == 403
    assert as_role["analyst"].get("/answers", params=thin).status_code == 200


def test_exports_neutralise_formulas_and_are_audited(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    analyst = as_role["analyst"]
    text = analyst.get("/export/answers.csv", params={"touchpoint": "store_staff"}).text
    assert "'" + FORMULA.replace('"', '""') in text
    book = analyst.get("/export/answers.xlsx", params={"touchpoint": "store_staff"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells
    assert all(c.data_type == "s" for c in cells)
    for name in ("index", "changes", "touchpoints", "benchmark", "items", "quarantine"):
        for fmt in ("csv", "xlsx"):
            assert analyst.get(f"/export/{name}.{fmt}").status_code == 200, (name, fmt)
    actions = [e["detail"] for e in operations(site).audit(200) if e["action"] == "export"]
    assert "answers.csv" in actions
    assert "answers.xlsx" in actions


def test_a_form_without_the_csrf_token_is_refused(as_role: dict[str, TestClient]) -> None:
    analyst = as_role["analyst"]
    upload = analyst.post(
        "/data", data={"kind": "responses"}, files={"file": ("x.csv", b"response_id,ts\n")}
    )
    assert upload.status_code == 403
    assert analyst.post("/logout", follow_redirects=False).status_code == 403
    assert analyst.get("/").status_code == 200  # still logged in


def test_an_upload_shows_its_report_and_the_figures_follow(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    """The figures a page shows are cached; an upload changes them at once."""
    analyst = as_role["analyst"]
    before = analyst.get("/answers", params={"touchpoint": "store_window"}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', analyst.get("/data").text)
    assert csrf
    body = (
        "response_id,ts,customer,channel,touchpoint,nps,csat,comment\n"
        + "".join(
            f"U{i},2025-12-31T09:00:00+08:00,C-U{i},store,store_window,10,5,新橱窗很漂亮\n"
            for i in range(40)
        )
        + "U-bad,not a date,C-U,store,store_window,11,5,\n"
    )
    answer = analyst.post(
        "/data",
        data={"kind": "responses", "csrf": csrf.group(1)},
        files={"file": ("new.csv", body.encode())},
    )
    assert answer.status_code == 200
    assert "read 41, accepted 40, quarantined 1" in answer.text
    after = analyst.get("/answers", params={"touchpoint": "store_window"}).text
    assert "新橱窗很漂亮" in after
    assert "新橱窗很漂亮" not in before
    uploads = [e for e in operations(site).audit(50) if e["action"] == "upload"]
    assert uploads
    assert "accepted=40" in uploads[0]["detail"]


def test_an_upload_of_an_unknown_format_is_one_clear_line(as_role: dict[str, TestClient]) -> None:
    analyst = as_role["analyst"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', analyst.get("/data").text)
    assert csrf
    answer = analyst.post(
        "/data",
        data={"kind": "responses", "csrf": csrf.group(1)},
        files={"file": ("notes.docx", b"PK\x03\x04")},
    )
    assert answer.status_code == 400
    assert "Traceback" not in answer.text
    assert ".csv" in answer.text


def test_the_language_is_remembered_and_follows_the_browser(app: object) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        log_in(client, "viewer")
        assert "Journey map" in client.get("/journey", params={"lang": "en"}).text
        assert "Journey map" in client.get("/journey").text  # the cookie remembers
    with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        log_in(client, "viewer")
        chinese = client.get("/journey", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert "旅程地图" in chinese.text
        english = client.get("/journey", headers={"Accept-Language": "en-US,en;q=0.9"})
        assert "Journey map" in english.text


def test_the_login_limit_holds_on_the_page(browser_like: TestClient, site: Workspace) -> None:
    add_user(site, "guessed", "correct horse battery staple", "viewer")
    for _ in range(5):
        wrong = browser_like.post("/login", data={"name": "guessed", "password": "wrong"})
        assert wrong.status_code == 401
    locked = browser_like.post(
        "/login", data={"name": "guessed", "password": "correct horse battery staple"}
    )
    assert locked.status_code == 429


def test_a_wrong_filter_is_a_message_on_the_page(as_role: dict[str, TestClient]) -> None:
    answer = as_role["analyst"].get("/", params={"since": "yesterday"})
    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.text
    assert "Traceback" not in answer.text
    unknown = as_role["analyst"].get("/", params={"channel": "fax"})
    assert unknown.status_code == 400
    assert "fax" in unknown.text
