"""The survey pages: ``/s/{touchpoint}``, a micro-survey for a phone, in the customer's language.

One question — NPS, CSAT or CES as the touchpoint's ``survey`` says — as a row of buttons, a
comment, and a send button: a plain form that works without JavaScript. A signed link
(``touchpoints survey link``) carries the customer, hidden fields and a prefilled score, so an
e-mail or SMS can open the page with the score already chosen; its language comes from the
link, else the browser. The page may be embedded in another site (an iframe, or
``/static/survey-embed.js``); it needs no login. Each address may send
``surveys.per_minute`` answers a minute; a customer is asked once per touchpoint per
``surveys.fatigue_days`` (:mod:`touchpoints.services.surveys`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from touchpoints.errors import ParameterError
from touchpoints.services.surveys import (
    LINK_FIELDS,
    MAX_COMMENT,
    BadLink,
    Question,
    answered_recently,
    question,
    record_answer,
    verified,
)
from touchpoints.services.workspace import Workspace
from touchpoints.web.i18n import choose
from touchpoints.web.pages import PageRefused
from touchpoints.web.session import bare

router = APIRouter(include_in_schema=False)


class PerMinute:
    """At most ``limit`` events a minute per key (a client's address): a sliding window."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] > 60:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            return True


LIMITER = PerMinute()


def _language(request: Request, workspace: Workspace, fields: dict[str, str]) -> str:
    languages = workspace.model.languages
    return choose(
        fields.get("lang") or request.query_params.get("lang"),
        None,
        request.headers.get("accept-language"),
        languages[0] if languages else "en",
    )


def _link_params(source: dict[str, str]) -> dict[str, str]:
    """What a link carried, to send back with the answer (the signature re-checked then)."""
    return {k: source[k] for k in (*LINK_FIELDS, "sig") if source.get(k)}


def _asked(request: Request, touchpoint: str) -> tuple[Workspace, Question]:
    workspace: Workspace = request.app.state.workspace
    try:
        return workspace, question(workspace, touchpoint)
    except ParameterError as unknown:
        raise PageRefused(404, unknown.render(lambda n: n)) from None


@router.get("/s/{touchpoint}")
def survey(request: Request, touchpoint: str) -> HTMLResponse:
    workspace, asked = _asked(request, touchpoint)
    params = dict(request.query_params)
    try:
        fields = verified(workspace, touchpoint, params)
    except BadLink as bad:
        lang = _language(request, workspace, {})
        return bare(request, "survey_done.html", 400, lang, message=bad.message, ok=False)
    lang = _language(request, workspace, fields)
    if fields.get("customer") and answered_recently(workspace, touchpoint, fields["customer"]):
        return bare(request, "survey_done.html", lang=lang, already=True, ok=True)
    chosen = fields.get("score")
    return bare(
        request,
        "survey.html",
        lang=lang,
        asked=asked,
        name=asked.names[lang],
        scores=list(range(asked.low, asked.high + 1)),
        chosen=int(chosen) if chosen and chosen.isdigit() else None,
        carried=_link_params(params) if fields else {},
        action=f"/s/{touchpoint}",
        max_comment=MAX_COMMENT,
        effort=workspace.model.metrics.ces_direction == "effort",
    )


@router.post("/s/{touchpoint}")
def answer(
    request: Request,
    touchpoint: str,
    score: Annotated[int, Form(ge=-1000, le=1000)],
    comment: Annotated[str, Form(max_length=MAX_COMMENT)] = "",
    customer: Annotated[str, Form(max_length=200)] = "",
    order: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=200)] = "",
    variant: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str, Form(max_length=10)] = "",
    sig: Annotated[str, Form(max_length=200)] = "",
    preset: Annotated[str, Form(alias="score_link", max_length=10)] = "",
) -> HTMLResponse:
    workspace, _ = _asked(request, touchpoint)
    carried = {
        "customer": customer,
        "order": order,
        "channel": channel,
        "variant": variant,
        "lang": lang,
        "score": preset,
        "sig": sig,
    }
    language = _language(request, workspace, {"lang": lang} if lang else {})
    client = request.client.host if request.client else "unknown"
    if not LIMITER.allow(client, workspace.model.surveys.per_minute):
        return bare(request, "survey_done.html", 429, language, ok=False, limited=True)
    try:
        fields = verified(workspace, touchpoint, {k: v for k, v in carried.items() if v})
    except BadLink as bad:
        return bare(request, "survey_done.html", 400, language, message=bad.message, ok=False)
    if fields.get("customer") and answered_recently(workspace, touchpoint, fields["customer"]):
        return bare(request, "survey_done.html", lang=language, already=True, ok=True)
    try:
        record_answer(
            workspace, touchpoint, score=score, comment=comment, lang=language, fields=fields
        )
    except ParameterError as wrong:
        message = wrong.render(lambda n: n)
        return bare(request, "survey_done.html", 400, language, ok=False, message=message)
    return bare(request, "survey_done.html", lang=language, ok=True)
