"""A workspace folder: ``touchpoints.yaml``, the pseudonym key and the warehouse.

The key lives beside the warehouse, never in it: a copy of the warehouse alone cannot be used
to test whether a known phone number or e-mail is among the customers.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from touchpoints.errors import WorkspaceError
from touchpoints.model import MODEL_FILE, CXModel, load_model, template_text
from touchpoints.storage.warehouse import StagingWarehouse, Warehouse

KEY_FILE = "touchpoints.key"
SCRATCH_DIR = ".scratch"  # where an ingest spills what does not fit in memory
_GITIGNORE = """# Keep the pseudonym key and the data out of version control.
touchpoints.key
*.duckdb
*.duckdb.wal
touchpoints.sqlite*
.scratch/
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _write_key(path: Path, key: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")


@dataclass(frozen=True)
class WorkspaceFolder:
    root: Path
    model: CXModel

    @classmethod
    def open(cls, root: Path) -> Self:
        """Open the workspace in ``root``; a missing or invalid model is a user error."""
        if not (root / MODEL_FILE).is_file():
            raise WorkspaceError(
                f"no {MODEL_FILE} in {root}: create a workspace with `touchpoints init {root}` "
                "or point {workspace} at one"
            )
        return cls(root, load_model(root / MODEL_FILE))

    @property
    def warehouse_path(self) -> Path:
        return self.root / self.model.warehouse.path

    @property
    def key(self) -> bytes:
        """The HMAC key of this workspace's pseudonyms (made on first use of a new workspace)."""
        path = self.root / KEY_FILE
        if not path.exists():
            if self.warehouse_path.exists():
                raise WorkspaceError(
                    f"{path} is missing but the warehouse exists: restore the key, or new "
                    "pseudonyms will not match the stored ones"
                )
            _write_key(path, secrets.token_bytes(32))
        try:
            return bytes.fromhex(path.read_text().strip())
        except OSError as exc:
            raise WorkspaceError(f"cannot read the pseudonym key {path}: {exc.strerror}") from None
        except ValueError:
            raise WorkspaceError(f"{path} is not a key written by touchpoints") from None

    def warehouse(self, *, write: bool = False) -> Warehouse:
        """The warehouse, read-only unless ``write``: reading takes a lock that other readers
        (and an ingest still checking its file) share."""
        return Warehouse(self.warehouse_path, read_only=not write)

    @contextmanager
    def scratch_file(self, source: str, kind: str, suffix: str) -> Iterator[Path]:
        """A new file in the scratch folder, named for where its rows come from (the name an
        ingest logs and the quarantine shows), removed when done."""
        scratch = self.root / SCRATCH_DIR
        scratch.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = scratch / f"{source}-{kind}-{stamp}-{secrets.token_hex(3)}{suffix}"
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def staging(self) -> Iterator[StagingWarehouse]:
        """The warehouse as an ingest uses it, with a scratch folder of its own for what does
        not fit in memory; the folder goes when the ingest ends (and, after a kill, when the
        next ingest starts)."""
        scratch = self.root / SCRATCH_DIR
        for left in scratch.glob("*") if scratch.is_dir() else ():
            if left.name.isdigit() and not _alive(int(left.name)):
                shutil.rmtree(left, ignore_errors=True)
        mine = scratch / str(os.getpid())
        try:
            mine.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot write to the workspace {self.root} ({exc.strerror}): ingesting needs "
                "write permission there"
            ) from None
        try:
            with StagingWarehouse(self.warehouse_path, mine) as warehouse:
                yield warehouse
        finally:
            shutil.rmtree(mine, ignore_errors=True)
            with suppress(OSError):  # another ingest may still be using it
                scratch.rmdir()


def init_folder(
    root: Path, *, force: bool = False, key: bytes | None = None, model_text: str | None = None
) -> WorkspaceFolder:
    """Write a commented ``touchpoints.yaml``, a new key and an empty warehouse into ``root``.

    An existing model is kept unless ``force``; the key and warehouse of an existing workspace
    are never replaced, so stored pseudonyms stay valid.
    """
    model_path = root / MODEL_FILE
    if model_path.exists() and not force:
        raise WorkspaceError(f"{model_path} already exists (use {{force}} to overwrite the model)")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create the workspace in {root}: {exc.strerror}") from None
    model_path.write_text(model_text or template_text(), encoding="utf-8")
    if not (root / ".gitignore").exists():
        (root / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    if key is not None and not (root / KEY_FILE).exists():
        _write_key(root / KEY_FILE, key)
    workspace = WorkspaceFolder.open(root)
    _ = workspace.key
    with workspace.warehouse(write=True):
        pass
    return workspace
