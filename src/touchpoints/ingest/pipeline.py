"""Ingest one file: read → map → pseudonymise and mask → validate → dedupe → store.

Every row read ends in exactly one place — stored, quarantined (with every reason) or counted
as a duplicate of a stored row — so ``read = accepted + quarantined + duplicates``. All
writes happen in one warehouse transaction at the end: a process killed mid-file leaves the
warehouse as it was, and running the same file again completes it.

The heavy steps are SQL over the whole file in DuckDB; Python only sees distinct identifiers
(to hash them), texts that may hold personal data (to mask them) and refused rows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa

from touchpoints.core.privacy import (
    MAYBE_PII_PATTERN,
    mask_text,
    personal_value_sql,
    record_pseudonym,
)
from touchpoints.core.privacy.pseudonym import (
    PSEUDONYM_PATTERN,
    hmac_pads,
    normalise_sql,
    pseudonym_sql,
)
from touchpoints.core.result import Note, Result, View
from touchpoints.errors import MappingError
from touchpoints.ingest.dedupe import final_sql, status_sql
from touchpoints.ingest.kinds import Kind
from touchpoints.ingest.mapping import (
    ColumnPlan,
    Mapping,
    load_mapping,
    plan_columns,
    resolve_kind,
    used_headers,
)
from touchpoints.ingest.quarantine import QUARANTINE_KEY
from touchpoints.ingest.readers import format_for, open_file
from touchpoints.ingest.staging import release, stage_file
from touchpoints.ingest.store import quarantine_rows, store
from touchpoints.ingest.validate import (
    SCREENED,
    StageSettings,
    content_ids_sql,
    free_items,
    mapped_select,
    stage_select,
    value_table,
)
from touchpoints.model import CXModel
from touchpoints.storage.folder import WorkspaceFolder
from touchpoints.storage.sql import ident, lit, scalar

Progress = Callable[[str], None]
STEPS = ("reading", "validating", "checking duplicates", "storing")


@dataclass(repr=False)
class IngestResult(Result):
    """What happened to a file; the first six keys are the pinned ``--format json`` output."""

    read: int
    accepted: int
    quarantined: int
    duplicates: int
    kind: str
    file: str
    updated: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def records(self) -> list[dict[str, Any]]:
        return [self.to_dict()]

    def views(self) -> list[View]:
        found: list[View] = [
            Note(
                f"{self.file} → {self.kind}: read {self.read:,}, accepted {self.accepted:,}, "
                f"quarantined {self.quarantined:,}, duplicates {self.duplicates:,} "
                f"({self.seconds:.2f} s)"
            )
        ]
        if self.ignored_columns:
            found.append(Note(f"Not mapped, dropped: {', '.join(self.ignored_columns)}"))
        if self.quarantined:
            found.append(Note("See why: `touchpoints quarantine list`"))
        return found


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _lookup_tables(model: CXModel) -> tuple[pa.Table, pa.Table]:
    """Lower-cased id, names and aliases → id, for channels and touchpoints."""
    channels: dict[str, str] = {}
    for ch in model.channels:
        for key in ch.spellings():
            channels.setdefault(key.strip().lower(), ch.id)
    touchpoints: dict[str, tuple[str, str]] = {}
    for tp in model.touchpoints:
        for key in tp.spellings():
            touchpoints.setdefault(key.strip().lower(), (tp.id, tp.channel))
    return (
        pa.table({"key": list(channels), "id": list(channels.values())}),
        pa.table(
            {
                "key": list(touchpoints),
                "id": [v[0] for v in touchpoints.values()],
                "channel": [v[1] for v in touchpoints.values()],
            }
        ),
    )


def _pseudonyms(con: Any, kind: Kind, key: bytes) -> None:
    """``_pseudo``: raw → pseudonym for every distinct identifier in ``_mapped``, in the engine.

    A value that already looks like a pseudonym is kept only if this workspace issued it;
    otherwise its pseudonym is missing and validation refuses the row.
    """
    union = " UNION ".join(
        f"SELECT {ident(c.name)} AS v FROM _mapped" for c in kind.columns if c.role == "identifier"
    )
    if not union:  # a kind without identifiers (channel costs)
        union = "SELECT NULL::VARCHAR AS v"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pseudo AS
        WITH raw AS (SELECT DISTINCT v AS raw FROM ({union}) WHERE v IS NOT NULL),
        normal AS (SELECT raw, {normalise_sql("raw")} AS normal FROM raw)
        SELECT raw, CASE
            WHEN regexp_full_match(raw, {lit(PSEUDONYM_PATTERN)}) THEN issued
            WHEN normal IS NOT NULL THEN {pseudonym_sql("normal", "$1::BLOB", "$2::BLOB")}
            END AS pseudonym
        FROM normal LEFT JOIN (SELECT DISTINCT pseudonym AS issued FROM identities) ON issued = raw
        """,
        list(hmac_pads(key)),
    )


def _masked_texts(con: Any, kind: Kind, items: list[str], key: bytes) -> pa.Table:
    """raw → what is stored instead: for each distinct free text, free item or label that
    masking changes, the masked text (free text is stored masked; a label that holds personal
    data is refused); for each record id that is personal data, its record pseudonym."""
    cols: list[str] = []
    raws: list[str] = []
    texts: list[str] = []
    for column in [*(c.name for c in kind.columns if c.role in SCREENED), *items]:
        found = con.execute(
            f"SELECT DISTINCT {ident(column)} FROM _mapped "
            f"WHERE regexp_matches({ident(column)}, {lit(MAYBE_PII_PATTERN)})"
        ).fetchall()
        for (text,) in found:
            masked = mask_text(text)
            if masked != text:
                cols.append(column)
                raws.append(text)
                texts.append(masked)
    for column in (c.name for c in kind.columns if c.role == "id"):
        found = con.execute(
            f"SELECT DISTINCT {ident(column)} FROM _mapped "
            f"WHERE {personal_value_sql(ident(column))} IS NOT NULL"
        ).fetchall()
        for (raw,) in found:
            cols.append(column)
            raws.append(raw)
            texts.append(record_pseudonym(key, raw))
    return pa.table(
        {
            "col": pa.array(cols, pa.string()),
            "raw": pa.array(raws, pa.string()),
            "text": pa.array(texts, pa.string()),
        }
    )


def _settings(model: CXModel, mapping: Mapping) -> StageSettings:
    timezone = mapping.timezone or model.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"timezone: unknown time zone '{timezone}'") from None
    return StageSettings(timezone, mapping.dayfirst, mapping.ids == "content", mapping.decimal)


def _check(
    con: Any, kind: Kind, plans: list[ColumnPlan], model: CXModel, settings: StageSettings,
    key: bytes,
) -> dict[str, int]:  # fmt: skip
    """Pseudonyms, validation and the duplicate check: the steps that read stored data
    (issued pseudonyms, stored records). Returns how many rows end in each status."""
    _pseudonyms(con, kind, key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _stage AS {stage_select(kind, plans, model, settings)}"
    )
    items = [p.name for p in plans if p.name not in kind.names]
    if settings.content_ids:
        con.execute(content_ids_sql(kind, items))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _status AS {status_sql(kind, items)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW _final AS {final_sql(kind)}")
    return dict(con.execute("SELECT _status, count(*) FROM _final GROUP BY ALL").fetchall())


def ingest_file(
    workspace: WorkspaceFolder,
    path: Path,
    *,
    kind: str | None = None,
    mapping_path: Path | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest ``path`` into the workspace; see the module docstring for the guarantees."""
    step = progress or (lambda _: None)
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    mapping = load_mapping(mapping_path) if mapping_path else Mapping()
    chosen = resolve_kind(kind, mapping)
    settings = _settings(workspace.model, mapping)
    stream = open_file(
        path,
        format_for(path, mapping.format),
        encoding=mapping.encoding,
        sheet=mapping.sheet,
        delimiter=mapping.delimiter,
    )
    key = workspace.key
    # The file's digest (for the ingest log) is computed beside the engine's work: hashing
    # releases the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool, workspace.staging() as warehouse:
        digest = pool.submit(_file_sha256, path)
        con = warehouse.con
        step("reading")
        used = used_headers(mapping, chosen, workspace.model)
        staged = stage_file(
            con, stream, lambda h: h == QUARANTINE_KEY or used(h), warehouse.scratch
        )
        plans = plan_columns(mapping, chosen, staged.headers, workspace.model, str(path))
        sources = {p.source for p in plans}
        # A quarantine export carries its key and the reasons back: neither is a data column.
        returned = {QUARANTINE_KEY, "reasons"} if QUARANTINE_KEY in staged.headers else set()
        step("validating")
        located = [replace(p, source=staged.positions[p.source]) if p.source else p for p in plans]
        qkey = staged.positions.get(QUARANTINE_KEY)
        ids = frozenset(c.name for c in chosen.columns if c.role == "id")
        con.register("_values", value_table(located))
        con.execute(f"CREATE TEMP TABLE _mapped AS {mapped_select(located, qkey, ids)}")
        release(con, staged, warehouse.scratch)
        channels, touchpoints = _lookup_tables(workspace.model)
        con.register("_channels", channels)
        con.register("_touchpoints", touchpoints)
        masked = _masked_texts(con, chosen, free_items(chosen, plans), key)
        con.register("_masked", masked)
        checked_at = warehouse.version()
        step("checking duplicates")
        counts = _check(con, chosen, plans, workspace.model, settings, key)
        step("storing")
        sha = digest.result()
        with warehouse.transaction() as con:
            if warehouse.version() != checked_at:  # another ingest stored a file meanwhile
                counts = _check(con, chosen, plans, workspace.model, settings, key)
            ingest = int(scalar(con, "SELECT nextval('ingest_ids')"))
            quarantine_rows(con, chosen, plans, staged, str(path), ingest)
            store(con, chosen, plans, ingest)
            result = IngestResult(
                read=staged.read,
                accepted=counts.get("accepted", 0) + counts.get("updated", 0),
                quarantined=counts.get("quarantined", 0) + len(staged.bad_rows),
                duplicates=counts.get("duplicate", 0),
                updated=counts.get("updated", 0),
                kind=chosen.name,
                file=str(path),
                ignored_columns=[h for h in staged.headers if h not in sources | returned],
                encoding=staged.encoding,
            )
            con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?)",
                [
                    ingest,
                    chosen.name,
                    str(path),
                    sha,
                    started_at,
                    result.read,
                    result.accepted,
                    result.quarantined,
                    result.duplicates,
                    result.updated,
                ],
            )
    result.seconds = round(time.perf_counter() - started, 3)
    return result
