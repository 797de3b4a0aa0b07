"""Versioned warehouse schema.

Each migration is frozen once released: a change to a table is a new migration, never an
edit of an old one, so every workspace can be brought forward from whatever version it has.
"""

from __future__ import annotations

from typing import Any

import duckdb

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "ingest log, identities, quarantine, responses",
        """
        CREATE SEQUENCE ingest_ids START 1;
        CREATE TABLE ingests (
            id INTEGER NOT NULL, kind VARCHAR NOT NULL, file VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ NOT NULL, "read" BIGINT NOT NULL, accepted BIGINT NOT NULL,
            quarantined BIGINT NOT NULL, duplicates BIGINT NOT NULL, updated BIGINT NOT NULL
        );
        -- pseudonym -> the customer it belongs to; a later link of identifiers rewrites
        -- customer_key here and never the stored rows.
        CREATE TABLE identities (
            pseudonym VARCHAR NOT NULL, customer_key VARCHAR NOT NULL, first_ingest INTEGER
        );
        CREATE TABLE quarantine (
            kind VARCHAR NOT NULL, key VARCHAR NOT NULL, file VARCHAR NOT NULL, "row" BIGINT,
            data JSON NOT NULL, reasons VARCHAR[] NOT NULL, ingest INTEGER NOT NULL
        );
        CREATE TABLE responses (
            response_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, customer VARCHAR,
            channel VARCHAR, touchpoint VARCHAR, nps SMALLINT, csat SMALLINT, ces SMALLINT,
            comment VARCHAR, language VARCHAR, segment VARCHAR, region VARCHAR,
            variant VARCHAR, brand VARCHAR, _ingest INTEGER NOT NULL
        );
        -- item answers (attr.*, kano.*, servqual.*, sem.*, item.*) in long form: numeric
        -- conventions in value, free items in text.
        CREATE TABLE response_items (
            response_id VARCHAR NOT NULL, item VARCHAR NOT NULL, value DOUBLE, text VARCHAR
        );
        """,
    ),
    (
        2,
        "interactions, tickets, reviews, orders, customers, channel costs; histories of states",
        """
        CREATE TABLE interactions (
            event_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, customer VARCHAR,
            session VARCHAR, channel VARCHAR, touchpoint VARCHAR, event VARCHAR,
            outcome VARCHAR, duration_s DOUBLE, cost DOUBLE, amount DOUBLE,
            _ingest INTEGER NOT NULL
        );
        CREATE TABLE tickets (
            ticket_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL, customer VARCHAR,
            channel VARCHAR, touchpoint VARCHAR, category VARCHAR, priority VARCHAR,
            status VARCHAR, first_response_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ,
            team VARCHAR, agent VARCHAR, subject VARCHAR, body VARCHAR, csat SMALLINT,
            _ingest INTEGER NOT NULL
        );
        CREATE TABLE reviews (
            review_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, platform VARCHAR,
            channel VARCHAR, touchpoint VARCHAR, customer VARCHAR, rating SMALLINT,
            title VARCHAR, text VARCHAR, language VARCHAR, brand VARCHAR,
            _ingest INTEGER NOT NULL
        );
        CREATE TABLE orders (
            order_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, customer VARCHAR NOT NULL,
            amount DOUBLE NOT NULL, channel VARCHAR, touchpoint VARCHAR, currency VARCHAR,
            quantity DOUBLE, _ingest INTEGER NOT NULL
        );
        CREATE TABLE customers (
            customer VARCHAR NOT NULL, email VARCHAR, phone VARCHAR, member_id VARCHAR,
            join_date DATE, segment VARCHAR, region VARCHAR, _ingest INTEGER NOT NULL
        );
        CREATE TABLE customer_items (
            customer VARCHAR NOT NULL, item VARCHAR NOT NULL, value DOUBLE, text VARCHAR
        );
        CREATE TABLE channel_costs (
            channel VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
            cost DOUBLE NOT NULL, contacts BIGINT, currency VARCHAR, _ingest INTEGER NOT NULL
        );
        -- States keep every replaced version, with when and by which ingest it was replaced.
        CREATE TABLE tickets_history AS
            SELECT *, NULL::TIMESTAMPTZ AS _superseded_at, NULL::INTEGER AS _superseded_by
            FROM tickets WITH NO DATA;
        CREATE TABLE customers_history AS
            SELECT *, NULL::TIMESTAMPTZ AS _superseded_at, NULL::INTEGER AS _superseded_by
            FROM customers WITH NO DATA;
        CREATE TABLE channel_costs_history AS
            SELECT *, NULL::TIMESTAMPTZ AS _superseded_at, NULL::INTEGER AS _superseded_by
            FROM channel_costs WITH NO DATA;
        """,
    ),
    (
        3,
        "history of the item answers of replaced customer records",
        """
        CREATE TABLE customer_items_history AS
            SELECT *, NULL::TIMESTAMPTZ AS _superseded_at, NULL::INTEGER AS _superseded_by
            FROM customer_items WITH NO DATA;
        """,
    ),
)

LATEST = MIGRATIONS[-1][0]


def current_version(con: Any) -> int:
    """The applied version, 0 for a new file; reads only, so a read-only warehouse can say."""
    try:
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: Any) -> int:
    """Apply every pending migration, each in its own transaction; return the new version."""
    version = current_version(con)
    if version < LATEST:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
            "description VARCHAR, applied_at TIMESTAMPTZ DEFAULT now())"
        )
    for number, description, sql in MIGRATIONS:
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_version (version, description) VALUES (?, ?)",
                [number, description],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = number
    return version
