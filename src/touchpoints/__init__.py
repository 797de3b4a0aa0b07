"""touchpoints: open multi-channel customer-experience management.

``import touchpoints as tp`` gives the library; the ``touchpoints`` command line calls the same
functions. See the README for the two set-up commands and ``docs/`` for the guide.
"""

from __future__ import annotations

from touchpoints import index, metrics
from touchpoints.errors import (
    FileFormatError,
    MappingError,
    ModelError,
    TouchpointsError,
    UserInputError,
    WorkspaceError,
)

__version__ = "0.1.0"

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
