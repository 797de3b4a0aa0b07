"""A workspace folder: ``touchpoints.yaml``, the pseudonym key and the warehouse.

The key lives beside the warehouse, never in it: a copy of the warehouse alone cannot be used
to test whether a known phone number or e-mail is among the customers.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from touchpoints.errors import WorkspaceError
from touchpoints.model import MODEL_FILE, CXModel, load_model, template_text
from touchpoints.storage.warehouse import Warehouse

KEY_FILE = "touchpoints.key"
_GITIGNORE = """# Keep the pseudonym key and the data out of version control.
touchpoints.key
*.duckdb
*.duckdb.wal
"""


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
        except ValueError:
            raise WorkspaceError(f"{path} is not a key written by touchpoints") from None

    def warehouse(self) -> Warehouse:
        return Warehouse(self.warehouse_path)


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
    with workspace.warehouse():
        pass
    return workspace
