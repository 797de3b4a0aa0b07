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
    ParameterError,
    TouchpointsError,
    UserInputError,
    WorkspaceError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from touchpoints.core import index, metrics, models, privacy
    from touchpoints.services.workspace import Workspace, init_workspace
    from touchpoints.services.workspace import open_workspace as open

# name → (module, attribute or None for the module itself): loaded on first use, so that
# `import touchpoints` and the command line start without the engine.
_LAZY = {
    "metrics": ("touchpoints.core.metrics", None),
    "index": ("touchpoints.core.index", None),
    "models": ("touchpoints.core.models", None),
    "privacy": ("touchpoints.core.privacy", None),
    "open": ("touchpoints.services.workspace", "open_workspace"),
    "Workspace": ("touchpoints.services.workspace", "Workspace"),
    "init_workspace": ("touchpoints.services.workspace", "init_workspace"),
}


def __getattr__(name: str) -> Any:
    """``tp.open``, ``tp.metrics``, ``tp.index`` … load on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'touchpoints' has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    found = importlib.import_module(module)
    return found if attribute is None else getattr(found, attribute)


__all__ = [
    "FileFormatError",
    "MappingError",
    "ModelError",
    "ParameterError",
    "TouchpointsError",
    "UserInputError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "index",
    "init_workspace",
    "metrics",
    "models",
    "open",
    "privacy",
]
