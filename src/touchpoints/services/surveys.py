"""The survey pages' rules: signed links, the question of a touchpoint, the fatigue rule, and
answers that go through the ingest path like any file.

A link names the touchpoint and may carry the customer, hidden fields (order, channel,
variant), a prefilled score and a language: ``/s/store_staff?customer=C-1&score=9&lang=zh&
sig=…``. Those values are trusted only under a valid signature, HMAC-SHA256 over the
touchpoint and the sorted fields with a key derived from the workspace's pseudonym key (so
links survive a restart and no other secret has to be kept); an unsigned link still opens the
survey, anonymously, with none of them. The customer in a link is the company's own id: like
any file's, it is pseudonymised by the ingest before anything is stored.

Fatigue: a customer who answered at a touchpoint within ``surveys.fatigue_days`` is thanked,
not asked again (one answer per customer per touchpoint per N days). An answer is one
response record (``nps`` or ``csat`` or ``ces``, ``comment``, ``language``, ``channel`` and
``variant``; the order as the free item ``item.order``), ingested as any records are
(:meth:`~touchpoints.services.workspace.Workspace.ingest_records`): the same validation,
masking of personal data in the comment, pseudonyms and counts as ``touchpoints ingest``;
the next page view shows it (the result cache follows the warehouse).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from touchpoints.core.privacy.pseudonym import normalise_identifier, pseudonymise
from touchpoints.errors import ParameterError, TouchpointsError
from touchpoints.storage.sql import lit

if TYPE_CHECKING:
    from touchpoints.ingest import IngestResult
    from touchpoints.services.workspace import Workspace

# What a link may carry besides the touchpoint; all of them only under a valid signature.
LINK_FIELDS = ("customer", "order", "channel", "variant", "score", "lang")
MAX_COMMENT = 2000


class BadLink(TouchpointsError):
    """A link whose signature does not match what it carries (altered or forged)."""


@dataclass(frozen=True)
class Question:
    """What a touchpoint's survey asks: the metric and its scale, and the touchpoint's name
    in each language."""

    touchpoint: str
    metric: str
    low: int
    high: int
    names: dict[str, str]


def _link_key(workspace: Workspace) -> bytes:
    return hmac.digest(workspace.key, b"touchpoints survey links v1", hashlib.sha256)


def signature(workspace: Workspace, touchpoint: str, fields: dict[str, str]) -> str:
    """The signature of a link: HMAC-SHA256 over the touchpoint and its sorted fields."""
    text = touchpoint + "?" + urlencode(sorted(fields.items()))
    return hmac.new(_link_key(workspace), text.encode(), hashlib.sha256).hexdigest()[:32]


def question(workspace: Workspace, touchpoint: str) -> Question:
    """The question of a touchpoint's survey page; a touchpoint the model does not know is a
    :class:`~touchpoints.errors.ParameterError`."""
    try:
        found = workspace.model.touchpoint(touchpoint)
    except KeyError:
        raise ParameterError("touchpoint", f"no touchpoint '{touchpoint}' in the model") from None
    scales = workspace.model.metrics.scales
    low, high = {"nps": (0, 10), "csat": scales.csat, "ces": scales.ces}[found.survey]
    names = {
        "zh": found.name.zh or found.name.en or found.id,
        "en": found.name.en or found.name.zh or found.id,
    }
    return Question(found.id, found.survey, low, high, names)


def survey_link(
    workspace: Workspace,
    touchpoint: str,
    *,
    customer: str | None = None,
    lang: str | None = None,
    score: int | None = None,
    order: str | None = None,
    channel: str | None = None,
    variant: str | None = None,
    base_url: str | None = None,
) -> str:
    """A signed link to a touchpoint's survey page with what it should carry."""
    asked = question(workspace, touchpoint)
    if score is not None and not asked.low <= score <= asked.high:
        raise ParameterError("score", f"takes {asked.low}–{asked.high} for {asked.metric}")
    if lang is not None and lang not in ("zh", "en"):
        raise ParameterError("lang", "takes zh or en")
    given = {
        "customer": customer,
        "order": order,
        "channel": channel,
        "variant": variant,
        "score": None if score is None else str(score),
        "lang": lang,
    }
    fields = {k: v for k, v in given.items() if v is not None}
    base = (base_url or workspace.model.surveys.base_url).rstrip("/")
    query = urlencode({**fields, "sig": signature(workspace, touchpoint, fields)})
    return f"{base}/s/{touchpoint}?{query}"


def verified(workspace: Workspace, touchpoint: str, params: dict[str, str]) -> dict[str, str]:
    """The fields a link carries, once its signature matches; none for an unsigned link;
    :class:`BadLink` for a signature that does not match."""
    fields = {k: params[k] for k in LINK_FIELDS if params.get(k)}
    sig = params.get("sig", "")
    if not sig:
        return {}
    if not hmac.compare_digest(sig, signature(workspace, touchpoint, fields)):
        raise BadLink("this survey link was altered or is not ours: open it again from its message")
    return fields


def answered_recently(workspace: Workspace, touchpoint: str, customer: str) -> bool:
    """Whether the customer answered at the touchpoint within ``surveys.fatigue_days``."""
    days = workspace.model.surveys.fatigue_days
    normalised = normalise_identifier(customer)
    if not days or normalised is None:
        return False
    pseudonym = pseudonymise(workspace.key, normalised)
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    with workspace.warehouse() as warehouse:
        (found,) = warehouse.records(
            "SELECT count(*) AS n FROM responses WHERE touchpoint = "
            f"{lit(touchpoint)} AND customer = {lit(pseudonym)} "
            f"AND ts >= CAST({lit(since)} AS TIMESTAMPTZ)"
        )
    return bool(found["n"])


def record_answer(
    workspace: Workspace,
    touchpoint: str,
    *,
    score: int,
    comment: str,
    lang: str,
    fields: dict[str, str],
) -> IngestResult:
    """One answer of a survey page, through the ingest path (validation, masking,
    pseudonyms, counts); a score off the scale is a :class:`ParameterError`."""
    asked = question(workspace, touchpoint)
    if not asked.low <= score <= asked.high:
        raise ParameterError("score", f"takes {asked.low}–{asked.high}")
    record: dict[str, Any] = {
        "response_id": "S-" + secrets.token_hex(8),
        "ts": datetime.now(UTC).isoformat(timespec="seconds"),
        "customer": fields.get("customer"),
        "channel": fields.get("channel") or workspace.model.touchpoint(touchpoint).channel,
        "touchpoint": touchpoint,
        asked.metric: score,
        "comment": comment.strip()[:MAX_COMMENT] or None,
        "language": lang,
        "variant": fields.get("variant"),
    }
    if fields.get("order"):
        record["item.order"] = fields["order"]  # a free item: kept as text, checked for PII
    return workspace.ingest_records([record], kind="responses", source="survey")
