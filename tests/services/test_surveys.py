"""Survey links and answers: signatures that catch an altered link, the fatigue rule, and
answers that go through the ingest path (pseudonyms, masked comments)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from conftest import query
from touchpoints.errors import ParameterError
from touchpoints.services.surveys import (
    BadLink,
    answered_recently,
    question,
    record_answer,
    survey_link,
    verified,
)
from touchpoints.services.workspace import Workspace


def params_of(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_a_signed_link_carries_its_fields(workspace: Workspace) -> None:
    link = survey_link(
        workspace,
        "web_checkout",
        customer="C-77",
        score=9,
        lang="en",
        order="O-1",
        variant="B",
        base_url="https://cx.example.com/",
    )
    assert link.startswith("https://cx.example.com/s/web_checkout?")
    fields = verified(workspace, "web_checkout", params_of(link))
    assert fields == {
        "customer": "C-77",
        "order": "O-1",
        "variant": "B",
        "score": "9",
        "lang": "en",
    }


@pytest.mark.parametrize(
    ("field", "value"), [("customer", "C-78"), ("score", "10"), ("variant", "A"), ("sig", "0" * 32)]
)
def test_an_altered_link_is_refused(workspace: Workspace, field: str, value: str) -> None:
    params = params_of(
        survey_link(workspace, "web_checkout", customer="C-77", score=9, variant="B")
    )
    params[field] = value
    with pytest.raises(BadLink, match="altered"):
        verified(workspace, "web_checkout", params)


def test_a_link_for_another_touchpoint_is_refused(workspace: Workspace) -> None:
    params = params_of(survey_link(workspace, "web_checkout", customer="C-77"))
    with pytest.raises(BadLink):
        verified(workspace, "store_checkout", params)


def test_an_unsigned_link_carries_nothing(workspace: Workspace) -> None:
    assert verified(workspace, "web_checkout", {"customer": "C-1", "score": "3"}) == {}


def test_the_question_follows_the_model_and_its_scales(workspace: Workspace) -> None:
    asked = question(workspace, "web_checkout")
    assert (asked.metric, asked.low, asked.high) == ("nps", 0, 10)
    with pytest.raises(ParameterError, match="no touchpoint"):
        question(workspace, "fax")
    with pytest.raises(ParameterError, match="0–10"):
        survey_link(workspace, "web_checkout", score=11)


def test_an_answer_is_ingested_with_a_pseudonym_and_a_masked_comment(
    workspace: Workspace,
) -> None:
    result = record_answer(
        workspace,
        "web_checkout",
        score=4,
        lang="zh",
        comment="付款失败，请打 13812345678 联系我",
        fields={"customer": "C-9", "order": "O-5"},
    )
    assert (result.read, result.accepted, result.quarantined) == (1, 1, 0)
    rows = query(
        workspace, "SELECT customer, channel, touchpoint, nps, comment, language FROM responses"
    )
    customer, channel, touchpoint, nps, comment, language = rows[0]
    assert customer.startswith("cx_")
    assert customer != "C-9"
    assert (channel, touchpoint, nps, language) == ("web", "web_checkout", 4, "zh")
    assert "13812345678" not in comment
    assert query(workspace, "SELECT item, text FROM response_items") == [("item.order", "O-5")]


def test_a_customer_is_asked_once_per_touchpoint_within_the_fatigue_window(
    workspace: Workspace,
) -> None:
    assert workspace.model.surveys.fatigue_days == 30
    assert not answered_recently(workspace, "web_checkout", "C-9")
    record_answer(
        workspace, "web_checkout", score=8, lang="en", comment="", fields={"customer": "C-9"}
    )
    assert answered_recently(workspace, "web_checkout", "C-9")
    assert answered_recently(workspace, "web_checkout", " C-9 ")  # the same id, spaced
    assert not answered_recently(workspace, "store_checkout", "C-9")
    assert not answered_recently(workspace, "web_checkout", "C-10")


def test_a_score_off_the_scale_is_refused(workspace: Workspace) -> None:
    with pytest.raises(ParameterError, match="score"):
        record_answer(workspace, "web_checkout", score=11, lang="en", comment="", fields={})
