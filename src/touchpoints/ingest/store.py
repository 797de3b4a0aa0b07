"""Writing a file's outcome: refused rows into the quarantine, records into their tables.

Both run inside the ingest's single transaction, over the temporary tables the pipeline
built (``_final``, ``_mapped``, ``_pseudo``).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pyarrow as pa

from touchpoints.core.privacy import mask_text
from touchpoints.ingest.kinds import Kind, item_rule
from touchpoints.ingest.mapping import ColumnPlan
from touchpoints.ingest.staging import StagedFile
from touchpoints.ingest.validate import key_sql
from touchpoints.storage.sql import ident, lit, scalar

_CHUNK = 50_000  # refused rows turned into entries at a time
_MASKED_KEPT = 200_000  # distinct masked values remembered
_ENTRY_COLUMNS = 'key VARCHAR, "row" BIGINT, data VARCHAR, reasons VARCHAR[]'
# An instant in UTC, ISO 8601 with a ``Z``: read back as the same instant under any mapping.
_UTC = "regexp_replace(strftime(timezone('UTC', {}), '%Y-%m-%dT%H:%M:%S.%f'), '[.]0{{6}}$', '')"


def _kept(plan: ColumnPlan, kind: Kind) -> str:
    """SQL of (canonical value, mapped text) for one column of a refused row.

    The entry must read back the same with no mapping, so a value that validated is kept in
    the form it was stored in: an identifier as its pseudonym, a record id as stored (its
    record pseudonym when it is personal data), a time as a UTC instant (a naive time was
    read in the mapping's ``timezone`` and ``dayfirst``), a date in ISO, a number as a
    number. Other values keep the mapped text, recoded by the mapping's ``values``, and
    masked: whether a text validated is no sign that it was stored (a row's channel may come
    from its touchpoint, an enum's from its default), and masking a valid label, code or
    name leaves it as it is.
    """
    column = f"f.{ident(plan.name)}"
    role = kind.column(plan.name).role if plan.name in kind.names else None
    if role is None and item_rule(plan.name) is not None:
        role = "number"
    canonical = {
        "id": column,
        "identifier": column,
        "timestamp": _UTC.format(column) + " || 'Z'",
        "date": f"strftime({column}, '%Y-%m-%d')",
        "score": column,
        "number": column,
    }.get(role or "", "NULL")
    return f"{canonical}, m.{ident(plan.name)}"


def _text(value: object) -> str:
    """A canonical value as text that reads back as the same value under no mapping: numbers
    without an exponent (the reader refuses ``1e+20``), whole numbers without ``.0``, and
    never three decimals after at most three digits (``1.299`` could be 1299 written with a
    thousands separator: it is written ``1.2990``)."""
    if not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    whole, fraction = text.lstrip("+-").split(".")
    return text + "0" if len(whole) <= 3 and len(fraction) == 3 else text


def _carries(entry: dict[str, str], data: dict[str, str], names: dict[str, set[str]]) -> bool:
    """Whether a refused row holds a value in every column its entry holds one in: only then is
    it the same record, not an empty or partial row (a file with columns deleted, or read
    without its mapping). An entry stored before entries were canonical names its columns by
    their source headers; ``names`` reads them through this file's mapping."""
    return all(c in data or not names.get(c, set()).isdisjoint(data) for c in entry)


def quarantine_rows(
    con: Any, kind: Kind, plans: list[ColumnPlan], raw: StagedFile, file: str, ingest: int
) -> None:
    """``_quarantine_new``: refused rows as stored in the quarantine, under canonical column
    names (:func:`_kept`), reasons masked. The last refusal of a key in the file wins.

    A row goes under its target key: the ``_quarantine_key`` it carries back from an export,
    else its own key. It replaces the entry held there only if it carries that entry's
    columns (:func:`_carries`); otherwise the entry stays, and the row, if it holds any value
    read from the file, is kept beside it under ``row_`` and the MD5 of its data.
    """
    kept = [p for p in plans if p.source is not None or p.constant is not None]
    sourced = {p.name for p in plans if p.source is not None}
    names: dict[str, set[str]] = {}
    for p in plans:
        if p.source is not None:
            names.setdefault(p.source, set()).add(p.name)
    select = "".join(f", {_kept(p, kind)}" for p in kept)
    # A record refused and then stored later in the same file is not refused any more.
    later = (
        "SELECT 1 FROM _final g WHERE g._key = f._key AND g._row > f._row "
        "AND g._status IN ('accepted', 'updated')"
    )
    # Numbered in pages, so that they are read a page at a time below.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _refused AS "
        f"SELECT (row_number() OVER (ORDER BY f._row) - 1) // {_CHUNK} AS _page, "
        f"f._row, COALESCE(m._qkey, f._key), q.data, f.reasons{select} "
        "FROM _final f JOIN _mapped m USING (_row) "
        f"LEFT JOIN quarantine q ON q.kind = {lit(kind.name)} "
        "AND q.key = COALESCE(m._qkey, f._key) "
        f"WHERE f._status = 'quarantined' AND NOT EXISTS ({later})"
    )
    masked: dict[str, str] = {}  # refused rows repeat values: mask each distinct one once

    def mask(value: str) -> str:
        if len(masked) > _MASKED_KEPT:  # the cache is a speed-up, never a memory cost
            masked.clear()
        if value not in masked:
            masked[value] = mask_text(value)
        return masked[value]

    # Refused rows are read and written a chunk at a time, so a file that is mostly refused
    # needs no more memory than one that is mostly stored.
    con.execute(f"CREATE OR REPLACE TEMP TABLE _quarantine_rows ({_ENTRY_COLUMNS})")
    pages = int(scalar(con, "SELECT COALESCE(max(_page) + 1, 0) FROM _refused"))
    for page in range(pages):
        chunk = con.execute(
            'SELECT * EXCLUDE (_page) FROM _refused WHERE _page = ? ORDER BY "_row"', [page]
        ).fetchall()
        entries: list[tuple[str, int, str, list[str]]] = []
        for row, target, held, reasons, *values in chunk:
            data: dict[str, str] = {}
            for p, value, text in zip(kept, values[::2], values[1::2], strict=True):
                if value is not None:
                    data[p.name] = _text(value)
                elif text is not None:
                    data[p.name] = mask(text)
            written = json.dumps(data, ensure_ascii=False)
            if held is None or _carries(json.loads(held), data, names):
                key = target
            elif sourced.isdisjoint(data):
                continue  # nothing of the record came in: its entry stays as it was
            else:
                key = "row_" + hashlib.md5(written.encode()).hexdigest()
            entries.append((key, row, written, [mask(r) for r in reasons]))
        _append(con, entries)
    # A row that could not be split has no columns to map: nothing of it is kept (it may hold
    # unmapped columns and raw identifiers), only where it is and why.
    _append(
        con,
        [
            (
                "row_" + hashlib.md5(f"{file}:{bad.row}:{bad.text}".encode()).hexdigest(),
                bad.row,
                "{}",
                [mask(bad.reason)],
            )
            for bad in raw.bad_rows
        ],
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _quarantine_new AS SELECT {lit(kind.name)} AS kind, key, "
        f'{lit(file)} AS file, "row", data::JSON AS data, reasons, {int(ingest)}::INTEGER AS '
        'ingest FROM _quarantine_rows QUALIFY row_number() OVER (PARTITION BY key ORDER BY "row" '
        "DESC) = 1"
    )


def _append(con: Any, entries: list[tuple[str, int, str, list[str]]]) -> None:
    if not entries:
        return
    keys, rows, data, reasons = zip(*entries, strict=True)
    con.register(
        "_entries",
        pa.table(
            {
                "key": pa.array(keys, pa.string()),
                "row": pa.array(rows, pa.int64()),
                "data": pa.array(data, pa.string()),
                "reasons": pa.array(reasons, pa.list_(pa.string())),
            }
        ),
    )
    con.execute("INSERT INTO _quarantine_rows SELECT * FROM _entries")
    con.unregister("_entries")


def store(con: Any, kind: Kind, plans: list[ColumnPlan], ingest: int) -> None:
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
    # An entry goes when its record is stored (or already was), under its key or the key it
    # carried back from an export, and when a refused row replaces it (quarantine_rows says
    # which may): a refused row never clears an entry by itself.
    con.execute(
        "DELETE FROM quarantine WHERE kind = ? AND key IN (SELECT key FROM _quarantine_new "
        "UNION ALL SELECT unnest([f._key, m._qkey]) FROM _final f JOIN _mapped m USING (_row) "
        "WHERE f._status <> 'quarantined')",
        [kind.name],
    )
    con.execute("INSERT INTO quarantine SELECT * FROM _quarantine_new")
