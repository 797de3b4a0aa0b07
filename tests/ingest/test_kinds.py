"""The kinds beside responses: their own rules, and states that update with history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import query, reasons, write_csv
from touchpoints.core.privacy import normalise_identifier, pseudonymise
from touchpoints.ingest import IngestResult, ingest_file
from touchpoints.services.workspace import Workspace


def _ingest(workspace: Workspace, path: Path, kind: str) -> IngestResult:
    return ingest_file(workspace, path, kind=kind)


def _one(workspace: Workspace, tmp_path: Path, kind: str, row: dict[str, Any]) -> IngestResult:
    return _ingest(
        workspace, write_csv(tmp_path / f"{kind}.csv", list(row), [list(row.values())]), kind
    )


INTERACTION = {
    "event_id": "e1",
    "ts": "2025-05-04 10:00",
    "customer": "m-1",
    "session": "s1",
    "touchpoint": "web_checkout",
    "event": "pay",
    "outcome": "Abandoned",
    "duration_s": "35.5",
    "cost": "0.3",
    "amount": "¥1,299.00",
}


def test_interaction_is_stored_typed(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "interactions", INTERACTION).accepted == 1
    stored = query(workspace, "SELECT channel, outcome, duration_s, cost, amount FROM interactions")
    assert stored == [("web", "abandoned", 35.5, 0.3, 1299.0)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"outcome": "done"}, "outcome: 'done' is not one of completed, abandoned, error"),
        ({"touchpoint": ""}, "interaction: needs a channel or a touchpoint"),
        ({"duration_s": "-5"}, "duration_s: -5 is below 0"),
        ({"amount": "lots"}, "amount: 'lots' is not a number"),
        ({"event_id": ""}, "event_id: missing"),
    ],
)
def test_interaction_reasons(
    workspace: Workspace, tmp_path: Path, change: dict[str, str], reason: str
) -> None:
    assert _one(workspace, tmp_path, "interactions", INTERACTION | change).quarantined == 1
    assert list(reasons(workspace).values()) == [[reason]]


TICKET = {
    "ticket_id": "T1",
    "created_at": "2025-05-04 09:00",
    "customer": "13800138000",
    "touchpoint": "store_checkout",
    "category": "waiting",
    "priority": "",
    "status": "open",
    "first_response_at": "2025-05-04 10:30",
    "resolved_at": "",
    "team": "store-ops",
    "agent": "wang.li@example.com",
    "subject": "排队太久",
    "body": "请回电 13800138000",
    "csat": "",
}


def test_ticket_defaults_and_privacy(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "tickets", TICKET).accepted == 1
    ((priority, agent, body),) = query(workspace, "SELECT priority, agent, body FROM tickets")
    assert priority == "normal"
    assert agent.startswith("cx_")
    assert body == "请回电 [phone]"


def test_ticket_times_in_order(workspace: Workspace, tmp_path: Path) -> None:
    _one(workspace, tmp_path, "tickets", TICKET | {"first_response_at": "2025-05-04 08:00"})
    assert reasons(workspace) == {
        "T1": ["first_response_at: '2025-05-04 08:00' is before created_at '2025-05-04 09:00'"]
    }


def test_ticket_update_keeps_history(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "tickets", TICKET).accepted == 1
    resolved = TICKET | {"status": "resolved", "resolved_at": "2025-05-05 12:00", "csat": "4"}
    again = _one(workspace, tmp_path, "tickets", resolved)
    assert (again.accepted, again.updated, again.duplicates) == (1, 1, 0)
    assert query(workspace, "SELECT status, csat FROM tickets") == [("resolved", 4)]
    history = query(workspace, "SELECT status, _ingest, _superseded_by FROM tickets_history")
    assert history == [("open", 1, 2)]
    same = _one(workspace, tmp_path, "tickets", resolved)
    assert (same.accepted, same.updated, same.duplicates) == (0, 0, 1)


def test_ticket_versions_in_one_file(workspace: Workspace, tmp_path: Path) -> None:
    resolved = TICKET | {"status": "resolved", "resolved_at": "2025-05-05 12:00"}
    path = write_csv(
        tmp_path / "t.csv", list(TICKET), [list(TICKET.values()), list(resolved.values())]
    )
    result = _ingest(workspace, path, "tickets")
    assert (result.read, result.accepted, result.updated, result.duplicates) == (2, 2, 1, 0)
    assert query(workspace, "SELECT status FROM tickets") == [("resolved",)]
    assert query(workspace, "SELECT status FROM tickets_history") == [("open",)]


REVIEW = {
    "review_id": "V1",
    "ts": "2025-05-04",
    "platform": "大众点评",
    "rating": "2",
    "title": "",
    "text": "收银排队太久了",
}


def test_review_platform_names_its_channel(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "reviews", REVIEW).accepted == 1
    stored = query(workspace, "SELECT platform, channel, rating, language, brand FROM reviews")
    assert stored == [("大众点评", "social", 2, "zh", "Test Retail")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"rating": "6"}, "rating: 6 is outside 1–5"),
        ({"rating": "", "text": ""}, "review: no answer (a rating, a title or a text is needed)"),
    ],
)
def test_review_reasons(
    workspace: Workspace, tmp_path: Path, change: dict[str, str], reason: str
) -> None:
    _one(workspace, tmp_path, "reviews", REVIEW | change)
    assert reasons(workspace) == {"V1": [reason]}


ORDER = {"order_id": "O1", "ts": "2025-05-04", "customer": "m-1", "amount": "-35", "currency": ""}


def test_order_refund_and_default_currency(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "orders", ORDER).accepted == 1
    assert query(workspace, "SELECT amount, currency FROM orders") == [(-35.0, "CNY")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customer": ""}, "customer: missing"),
        ({"amount": ""}, "amount: missing"),
        ({"currency": "dollars"}, "currency: 'dollars' is not a currency code such as CNY"),
    ],
)
def test_order_reasons(
    workspace: Workspace, tmp_path: Path, change: dict[str, str], reason: str
) -> None:
    _one(workspace, tmp_path, "orders", ORDER | change)
    assert reasons(workspace) == {"O1": [reason]}


def test_customer_row_links_identifiers(workspace: Workspace, tmp_path: Path) -> None:
    """Answers from a phone and an e-mail join one customer once the CRM names both."""
    answers = write_csv(
        tmp_path / "r.csv",
        ["response_id", "ts", "customer", "nps"],
        [["r1", "2025-05-04", "138 0013 8000", "9"], ["r2", "2025-05-05", "Ann@Example.com", "3"]],
    )
    ingest_file(workspace, answers, kind="responses")
    customer = {
        "customer": "member-7",
        "email": "ann@example.com",
        "phone": "+86 13800138000",
        "member_id": "",
        "join_date": "2024年3月1日",
        "segment": "vip",
        "attr.tier_points": "1200",
    }
    assert _one(workspace, tmp_path, "customers", customer).accepted == 1
    key = pseudonymise(workspace.key, "member-7")
    linked = query(
        workspace,
        "SELECT count(DISTINCT r.response_id) FROM responses r "
        f"JOIN identities i ON i.pseudonym = r.customer WHERE i.customer_key = '{key}'",
    )
    assert linked == [(2,)]
    assert query(workspace, "SELECT strftime(join_date, '%Y-%m-%d') FROM customers") == [
        ("2024-03-01",)
    ]
    assert query(workspace, "SELECT item, value FROM customer_items") == [
        ("attr.tier_points", 1200.0)
    ]
    moved = _one(workspace, tmp_path, "customers", customer | {"segment": "regular"})
    assert (moved.accepted, moved.updated) == (1, 1)
    assert query(workspace, "SELECT segment FROM customers_history") == [("vip",)]
    assert query(workspace, "SELECT count(*) FROM customer_items") == [(1,)]
    phone = pseudonymise(workspace.key, normalise_identifier("13800138000") or "")
    assert query(workspace, f"SELECT customer_key FROM identities WHERE pseudonym = '{phone}'") == [
        (key,)
    ]


COST = {
    "channel": "门店",
    "period_start": "2025-05-01",
    "period_end": "2025-05-31",
    "cost": "120000",
    "contacts": "9600",
    "currency": "",
}


def test_channel_costs_keyed_by_channel_and_period(workspace: Workspace, tmp_path: Path) -> None:
    assert _one(workspace, tmp_path, "channel_costs", COST).accepted == 1
    june = COST | {"period_start": "2025-06-01", "period_end": "2025-06-30"}
    assert _one(workspace, tmp_path, "channel_costs", june).accepted == 1
    revised = _one(workspace, tmp_path, "channel_costs", COST | {"cost": "125000"})
    assert (revised.accepted, revised.updated) == (1, 1)
    stored = query(
        workspace,
        "SELECT channel, strftime(period_start, '%m'), cost, contacts, currency "
        "FROM channel_costs ORDER BY period_start",
    )
    assert stored == [
        ("store", "05", 125000.0, 9600, "CNY"),
        ("store", "06", 120000.0, 9600, "CNY"),
    ]
    assert query(workspace, "SELECT cost FROM channel_costs_history") == [(120000.0,)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"period_end": "2025-04-30"},
            "period_end: '2025-04-30' is before period_start '2025-05-01'",
        ),
        ({"contacts": "12.5"}, "contacts: 12.5 is not a whole number"),
        ({"cost": "-1"}, "cost: -1 is below 0"),
        ({"channel": "sotre"}, "channel: unknown 'sotre'"),
    ],
)
def test_channel_cost_reasons(
    workspace: Workspace, tmp_path: Path, change: dict[str, str], reason: str
) -> None:
    _one(workspace, tmp_path, "channel_costs", COST | change)
    assert [r for rs in reasons(workspace).values() for r in rs] == [reason]


def test_items_only_where_a_kind_has_them(workspace: Workspace, tmp_path: Path) -> None:
    from touchpoints.errors import MappingError

    with pytest.raises(MappingError, match="orders have no item columns"):
        _one(workspace, tmp_path, "orders", ORDER | {"attr.x": "1"})
