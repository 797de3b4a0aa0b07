"""A large ``touchpoints.yaml`` as parsed, kept as JSON so that later commands skip the YAML.

Every command reads the model. With libyaml, PyYAML still makes a Python node, two marks and a
resolver call for every scalar before a mapping is built: about 0.5 s of the 0.8 s that a model
of 20,000 touchpoints took to load, and no loader on PyYAML can go below it. JSON of the same
data reads in 0.03 s. Only the parse is kept: the schema, reference and spelling checks run on
every load, on the data as parsed.

The copy is keyed by the SHA-256 of the file's bytes, the SHA-256 of the loader's own source
and the PyYAML version, so an edited file, or a loader that may read it differently (a new
release, or a change while developing), parses afresh. It is kept only for files of at least
:data:`CACHE_FROM_BYTES`, below which parsing costs about what reading a copy does, and only for
data that JSON gives back exactly (a date, a number as a key or a ``!!set`` would come back
different). It lives in the workspace's ``.scratch/`` folder, which the workspace's
``.gitignore`` leaves out. Writing it is best effort: a read-only workspace loads as before,
parsing each time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

import yaml

CACHE_FROM_BYTES = 256 * 1024  # about 2,000 touchpoints; parsing them takes ~0.05 s
CACHE_DIR = ".scratch"  # git-ignored in every workspace (touchpoints.storage.folder)


def cache_path(model: Path) -> Path:
    """Where the parsed copy of the model file ``model`` is kept."""
    return model.parent / CACHE_DIR / f"{model.name}.parsed.json"


@functools.cache
def _loader() -> str | None:
    """The SHA-256 of the code that turns a file into data; ``None`` where the package has no
    sources to read (then nothing is cached)."""
    digest = hashlib.sha256()
    try:
        for module in ("load.py", "cache.py"):
            digest.update(Path(__file__).with_name(module).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _key(raw: bytes) -> dict[str, str | None]:
    return {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "loader": _loader(),
        "pyyaml": yaml.__version__,
    }


def cached(model: Path, raw: bytes) -> dict[str, Any] | None:
    """The data parsed from ``raw`` (the bytes of ``model``) last time; ``None`` when there is
    no copy for exactly these bytes, or it cannot be read."""
    if len(raw) < CACHE_FROM_BYTES or _loader() is None:
        return None
    try:
        kept = json.loads(cache_path(model).read_bytes())
    except (OSError, ValueError):  # none yet, unreadable, or not JSON (cut short, edited)
        return None
    if not isinstance(kept, dict) or kept.get("key") != _key(raw):
        return None
    data = kept.get("data")
    return data if isinstance(data, dict) else None


def keep(model: Path, raw: bytes, data: Any) -> None:
    """Keep ``data``, parsed from ``raw``, for the next load of ``model``, if JSON holds it
    exactly; written to a new file and renamed, so a reader never sees half of it."""
    if len(raw) < CACHE_FROM_BYTES or _loader() is None or not isinstance(data, dict):
        return
    try:
        text = json.dumps({"key": _key(raw), "data": data}, ensure_ascii=False)
    except (TypeError, ValueError):  # a date, bytes or a set
        return
    if json.loads(text)["data"] != data:  # a number as a key, a tuple (!!omap), NaN
        return
    path = cache_path(model)
    try:
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError:  # a read-only workspace
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes it private: whoever may read the model may read its copy.
        os.chmod(temporary, model.stat().st_mode & 0o666)
        os.replace(temporary, path)
    except OSError:  # the disk is full
        with suppress(OSError):
            os.unlink(temporary)
