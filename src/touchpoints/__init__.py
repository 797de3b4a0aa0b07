"""touchpoints: open multi-channel customer-experience management.

``import touchpoints as tp`` gives the library; the ``touchpoints`` command line calls the same
functions. See the README for the two set-up commands and ``docs/`` for the guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from touchpoints.errors import (
    FileFormatError,
    MappingError,
    ModelError,
    TouchpointsError,
    UserInputError,
    WorkspaceError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from touchpoints import index, metrics


def __getattr__(name: str) -> Any:
    """``tp.metrics`` and ``tp.index`` load on first use: the command line starts faster."""
    if name in ("index", "metrics"):
        import importlib

        return importlib.import_module(f"touchpoints.{name}")
    raise AttributeError(f"module 'touchpoints' has no attribute {name!r}")


__all__ = [
    "FileFormatError",
    "MappingError",
    "ModelError",
    "TouchpointsError",
    "UserInputError",
    "WorkspaceError",
    "__version__",
    "index",
    "metrics",
]
