"""The survey pages: the question in the customer's language, a prefilled score, answers
that show in the figures at once, altered links refused, fatigue, rate limit, embedding."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from touchpoints.services.surveys import survey_link
from touchpoints.services.workspace import Workspace
from touchpoints.web import survey


@pytest.fixture
def public(app: object) -> Iterator[TestClient]:
    survey.LIMITER._seen.clear()
    with TestClient(app, base_url="http://127.0.0.1") as client:  # type: ignore[arg-type]
        yield client


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_page_asks_in_the_link_s_language_with_the_score_chosen(
    public: TestClient, site: Workspace
) -> None:
    link = survey_link(site, "store_staff", customer="C-S1", score=9, lang="en")
    page = public.get(path_of(link))
    assert page.status_code == 200
    assert "How likely are you to recommend us" in page.text
    assert re.search(r'value="9" required checked', page.text)
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    chinese = public.get("/s/store_staff", headers={"Accept-Language": "zh-CN"})
    assert "您有多大可能向朋友或同事推荐我们" in chinese.text


def test_an_answer_shows_in_the_figures_at_once(public: TestClient, site: Workspace) -> None:
    link = survey_link(
        site, "store_fitting", customer="C-S2", score=3, lang="zh", variant="B", order="O-77"
    )
    page = public.get(path_of(link))
    carried = hidden_fields(page.text)
    before = site.answers(where=["touchpoint=store_fitting"], limit=0).total
    sent = public.post("/s/store_fitting", data={**carried, "score": 2, "comment": "试衣间太少"})
    assert sent.status_code == 200
    assert "我们已收到您的回答" in sent.text
    after = site.answers(where=["touchpoint=store_fitting"], limit=1)
    assert after.total == before + 1
    newest = after.rows[0]
    assert (newest["nps"], newest["comment"], newest["variant"]) == (2, "试衣间太少", "B")
    again = public.get(path_of(link))
    assert "您最近已经评价过" in again.text  # fatigue: asked once per 30 days


def test_an_altered_link_is_refused_with_a_reason(public: TestClient, site: Workspace) -> None:
    link = survey_link(site, "store_staff", customer="C-S3", score=9)
    altered = path_of(link).replace("C-S3", "C-S4")
    page = public.get(altered)
    assert page.status_code == 400
    assert "altered" in page.text
    carried = hidden_fields(public.get(path_of(link)).text) | {"customer": "C-S4"}
    posted = public.post("/s/store_staff", data={**carried, "score": 9})
    assert posted.status_code == 400


def test_an_unknown_touchpoint_or_a_wrong_score_is_one_clear_page(public: TestClient) -> None:
    unknown = public.get("/s/fax")
    assert unknown.status_code == 404
    assert "fax" in unknown.text
    wrong = public.post("/s/store_staff", data={"score": 42})
    assert wrong.status_code == 400
    assert "0–10" in wrong.text
    assert "Traceback" not in wrong.text


def test_one_address_may_send_only_so_many_answers_a_minute(
    public: TestClient, site: Workspace
) -> None:
    limit = site.model.surveys.per_minute
    codes = [
        public.post("/s/store_window", data={"score": 42}).status_code for _ in range(limit + 1)
    ]
    assert codes[:limit] == [400] * limit
    assert codes[limit] == 429


def test_the_embed_script_makes_an_iframe_of_this_server(public: TestClient) -> None:
    script = public.get("/static/survey-embed.js")
    assert script.status_code == 200
    assert "iframe" in script.text
    assert "/s/" in script.text
