"""Which valid rows are new, duplicates, conflicts (events) or updates (states).

Content is compared only for rows whose key repeats in the file or is already stored, so the
usual file of new records costs two hash joins, not a hash of every row. Both sides of a
comparison go through the same SQL expression (:func:`content_sql`), so equal content is
equal text under any engine version.

The result, ``_status``, holds only the rows that are not simply new: ``status`` (for events
``duplicate``, ``conflict_stored``, ``conflict_file``; for states ``duplicate`` or
``updated``) and ``final`` (false for a version that a later row of the file supersedes).
"""

from __future__ import annotations

from touchpoints.ingest.kinds import Kind
from touchpoints.ingest.validate import STORED_ITEMS, content_sql, key_sql
from touchpoints.storage.sql import ident, lit


def _common(kind: Kind, items: list[str]) -> str:
    """CTEs: valid rows, repeated and stored keys, candidates and stored content."""
    table = ident(kind.table)
    stored_items = "NULL"
    items_join = ""
    if kind.items_table:
        rid = ident(kind.id_column)
        stored_items = "i.items"
        items_join = (
            f"LEFT JOIN (SELECT {rid}, {STORED_ITEMS} AS items FROM {ident(kind.items_table)} "
            f"WHERE CAST({rid} AS VARCHAR) IN (SELECT _id FROM known) GROUP BY ALL) i "
            f"USING ({rid})"
        )
    return f"""
        valid AS (SELECT _row, _id FROM _stage WHERE len(reasons) = 0),
        repeated AS (SELECT _id FROM valid GROUP BY _id HAVING count(*) > 1),
        known AS (
            SELECT DISTINCT {key_sql(kind, "t")} AS _id FROM {table} t
            WHERE {key_sql(kind, "t")} IN (SELECT _id FROM valid)
        ),
        candidates AS (
            SELECT s._row, s._id, {content_sql(kind, items, "s")} AS content FROM _stage s
            WHERE len(s.reasons) = 0
              AND (s._id IN (SELECT _id FROM repeated) OR s._id IN (SELECT _id FROM known))
        ),
        stored AS (
            SELECT {key_sql(kind, "t")} AS _id,
                   {content_sql(kind, [], "t", stored_items)} AS content
            FROM {table} t {items_join}
            WHERE {key_sql(kind, "t")} IN (SELECT _id FROM known)
        )
    """


def _event_status(kind: Kind, items: list[str]) -> str:
    """An event never changes: a known key with other content is a conflict."""
    return f"""
        WITH {_common(kind, items)},
        ranked AS (
            SELECT *, row_number() OVER w AS rn, first_value(content) OVER w AS first_content,
                   first_value(_row) OVER w AS first_row
            FROM candidates WINDOW w AS (PARTITION BY _id ORDER BY _row)
        )
        SELECT r._row, r.first_row, true AS final,
            CASE WHEN s.content = r.content THEN 'duplicate'
                 WHEN s.content IS NOT NULL THEN 'conflict_stored'
                 WHEN r.rn > 1 AND r.content = r.first_content THEN 'duplicate'
                 WHEN r.rn > 1 THEN 'conflict_file' END AS status
        FROM ranked r LEFT JOIN stored s USING (_id)
        WHERE s._id IS NOT NULL OR r.rn > 1
    """


def _state_status(kind: Kind, items: list[str]) -> str:
    """A state ends as the file's last row for its key. If that is what is stored already,
    every row of the key is a duplicate (so a file ingested twice changes nothing); else the
    last row is stored, and each earlier distinct version goes to the history."""
    return f"""
        WITH {_common(kind, items)},
        ranked AS (
            SELECT *,
                arg_max(content, _row) OVER (PARTITION BY _id) AS final_content,
                max(_row) OVER (PARTITION BY _id) AS last_row,
                row_number() OVER (PARTITION BY _id, content ORDER BY _row) AS copy,
                count(DISTINCT content) OVER (
                    PARTITION BY _id ORDER BY _row ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                ) AS seen
            FROM candidates
        )
        SELECT r._row, NULL::BIGINT AS first_row, r._row = r.last_row AS final,
            CASE WHEN s.content = r.final_content THEN 'duplicate'
                 WHEN r._row <> r.last_row AND (r.content = r.final_content OR r.copy > 1)
                     THEN 'duplicate'
                 WHEN s.content IS NULL AND r.seen = 1 THEN 'accepted'
                 ELSE 'updated' END AS status
        FROM ranked r LEFT JOIN stored s USING (_id)
    """


def status_sql(kind: Kind, items: list[str]) -> str:
    """SELECT of ``_row, first_row, final, status`` for the rows that are not simply new."""
    return _event_status(kind, items) if kind.event else _state_status(kind, items)


def final_sql(kind: Kind) -> str:
    """Every staged row with its outcome ``_status`` (accepted, updated, duplicate,
    quarantined), its ``reasons`` and ``_keep`` (whether it is the version stored)."""
    said = f"{lit(', '.join(kind.key) + ': ')} || s._id"
    return f"""
        SELECT s.* EXCLUDE (reasons),
            CASE st.status
                WHEN 'conflict_stored' THEN [{said} || ' already stored with different content']
                WHEN 'conflict_file' THEN [{said} || ' appears earlier in this file (row '
                                           || st.first_row || ') with different content']
                ELSE s.reasons END AS reasons,
            CASE WHEN len(s.reasons) > 0 OR st.status LIKE 'conflict%' THEN 'quarantined'
                 ELSE COALESCE(st.status, 'accepted') END AS _status,
            COALESCE(st.final, true) AS _keep
        FROM _stage s LEFT JOIN _status st USING (_row)
    """
