"""Writing a file's outcome: refused rows into the quarantine, records into their tables.

Both run inside the ingest's single transaction, over the temporary tables the pipeline
built (``_final``, ``_mapped``, ``_pseudo``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyarrow as pa

from touchpoints.core.privacy import mask_text
from touchpoints.ingest.kinds import Kind, item_rule
from touchpoints.ingest.mapping import ColumnPlan
from touchpoints.ingest.readers import RawTable
from touchpoints.ingest.validate import key_sql
from touchpoints.storage.sql import ident, lit

# Stored as they are in accepted records too: ids, labels and names are not masked there.
_AS_STORED = ("id", "language", "brand")


def _text_and_mask(plan: ColumnPlan, kind: Kind) -> str:
    """SQL of (text to keep, whether it needs masking) for one mapped column of a refused row.

    Identifiers keep their pseudonym; a value that validated as a date, number, code or known
    name cannot hold personal data; free text, and any value that failed, is masked.
    """
    column = ident(plan.name)
    role = kind.column(plan.name).role if plan.name in kind.names else None
    if role == "identifier":
        return f"COALESCE(f.{column}, m.{column}), false"
    if role in _AS_STORED:
        return f"m.{column}, false"
    if role == "free_text" or (role is None and item_rule(plan.name) is None):
        return f"m.{column}, true"
    return f"m.{column}, f.{column} IS NULL"


def quarantine_rows(
    con: Any, kind: Kind, plans: list[ColumnPlan], raw: RawTable, file: str, ingest: int
) -> pa.Table:
    """Refused rows as stored in the quarantine: source names, identifiers pseudonymised,
    free text and failed values masked (:func:`_text_and_mask`), reasons masked. The last
    refusal of a key in the file wins."""
    sourced = [p for p in plans if p.source is not None]
    identifiers = {c.name for c in kind.columns if c.role == "identifier"}
    select = "".join(f", {_text_and_mask(p, kind)}" for p in sourced)
    # A record refused and then stored later in the same file is not refused any more.
    later = (
        "SELECT 1 FROM _final g WHERE g._key = f._key AND g._row > f._row "
        "AND g._status IN ('accepted', 'updated')"
    )
    # A row sent back from a quarantine export replaces its own entry.
    query = (
        f"SELECT f._row, COALESCE(m._qkey, f._key), f.reasons{select} "
        "FROM _final f JOIN _mapped m USING (_row) "
        f"WHERE f._status = 'quarantined' AND NOT EXISTS ({later}) ORDER BY f._row"
    )
    masked: dict[str, str] = {}  # refused rows repeat values: mask each distinct one once

    def mask(value: str) -> str:
        if value not in masked:
            masked[value] = mask_text(value)
        return masked[value]

    entries: dict[str, tuple[int, str, list[str]]] = {}
    for row, key, reasons, *values in con.execute(query).fetchall():
        data: dict[str, tuple[int, str]] = {}
        for p, text, needs_mask in zip(sourced, values[::2], values[1::2], strict=True):
            if text is None or p.source is None:
                continue
            # A source mapped to several columns keeps its safest form: the pseudonym of an
            # identifier, else the masked text, else the text.
            rank = 2 if p.name in identifiers else int(needs_mask)
            if rank >= data.get(p.source, (-1, ""))[0]:
                data[p.source] = (rank, mask(text) if needs_mask else text)
        kept = {source: text for source, (_, text) in data.items()}
        entries[key] = (row, json.dumps(kept, ensure_ascii=False), [mask(r) for r in reasons])
    for bad in raw.bad_rows:
        # A row that could not be split has no columns to map: nothing of it is kept (it may
        # hold unmapped columns and raw identifiers), only where it is and why.
        key = "row_" + hashlib.md5(f"{file}:{bad.row}:{bad.text}".encode()).hexdigest()
        entries[key] = (bad.row, "{}", [mask(bad.reason)])
    return pa.table(
        {
            "kind": pa.array([kind.name] * len(entries), pa.string()),
            "key": pa.array(list(entries), pa.string()),
            "file": pa.array([file] * len(entries), pa.string()),
            "row": pa.array([e[0] for e in entries.values()], pa.int64()),
            "data": pa.array([e[1] for e in entries.values()], pa.string()),
            "reasons": pa.array([e[2] for e in entries.values()], pa.list_(pa.string())),
            "ingest": pa.array([ingest] * len(entries), pa.int32()),
        }
    )


def store(con: Any, kind: Kind, plans: list[ColumnPlan], quarantine: pa.Table, ingest: int) -> None:
    """Write the file's outcome; runs inside the caller's transaction."""
    names = ", ".join(ident(n) for n in kind.names)
    written = "_status IN ('accepted', 'updated')"
    table, key = ident(kind.table), key_sql(kind, ident(kind.table))
    if not kind.event:  # replaced records and superseded versions go to the history
        replaced = f"{key} IN (SELECT _id FROM _final WHERE _status = 'updated')"
        history = ident(kind.history_table)
        con.execute(
            f"INSERT INTO {history} SELECT *, now(), {ingest} FROM {table} WHERE {replaced}"
        )
        con.execute(f"DELETE FROM {table} WHERE {replaced}")
        if kind.items_table:  # their items go with them
            items = ident(kind.items_table)
            gone = (
                f"CAST({ident(kind.id_column)} AS VARCHAR) IN "
                "(SELECT _id FROM _final WHERE _status = 'updated')"
            )
            con.execute(
                f"INSERT INTO {ident(kind.items_table + '_history')} "
                f"SELECT *, now(), {ingest} FROM {items} WHERE {gone}"
            )
            con.execute(f"DELETE FROM {items} WHERE {gone}")
        con.execute(
            f"INSERT INTO {history} SELECT {names}, {ingest}, now(), {ingest} "
            f"FROM _final WHERE {written} AND NOT _keep"
        )
    con.execute(
        f"INSERT INTO {table} ({names}, _ingest) "
        f"SELECT {names}, {ingest} FROM _final WHERE {written} AND _keep"
    )
    if kind.items_table:
        for item in (p.name for p in plans if p.name not in kind.names):
            column = ident(item)
            value, text = ("NULL", column) if item_rule(item) is None else (column, "NULL")
            rows = f"SELECT {ident(kind.id_column)}, {lit(item)}, {value}, {text}"
            where = f"FROM _final WHERE {written} AND {column} IS NOT NULL"
            con.execute(f"INSERT INTO {ident(kind.items_table)} {rows} {where} AND _keep")
            if not kind.event:  # versions a later row of the file replaced
                con.execute(
                    f"INSERT INTO {ident(kind.items_table + '_history')} "
                    f"{rows}, now(), {ingest} {where} AND NOT _keep"
                )
    con.execute(
        f"INSERT INTO identities SELECT DISTINCT pseudonym, pseudonym, {ingest} FROM _pseudo "
        "WHERE pseudonym IS NOT NULL AND pseudonym NOT IN (SELECT pseudonym FROM identities)"
    )
    linked = [c.name for c in kind.columns if c.role == "identifier"]
    if kind.name == "customers":  # a customer row links its identifiers to one customer
        con.execute(
            f"""
            UPDATE identities SET customer_key = l.customer_key FROM (
                SELECT DISTINCT unnest([{", ".join(ident(n) for n in linked)}]) AS pseudonym,
                       customer AS customer_key
                FROM _final WHERE {written} AND _keep
            ) l WHERE identities.pseudonym = l.pseudonym
            """
        )
    con.register("_quarantine_new", quarantine)
    con.execute(
        "DELETE FROM quarantine WHERE kind = ? AND key IN (SELECT _key FROM _final "
        "UNION ALL SELECT key FROM _quarantine_new "
        "UNION ALL SELECT m._qkey FROM _final f JOIN _mapped m USING (_row) "
        "WHERE f._status <> 'quarantined')",
        [kind.name],
    )
    con.execute("INSERT INTO quarantine SELECT * FROM _quarantine_new")
