"""The index core: the MTSI tree from counts, pure (no files, databases or printing)."""

from __future__ import annotations

from touchpoints.core.index.tree import MTSI, Node, TouchpointSpec, mtsi

__all__ = ["MTSI", "Node", "TouchpointSpec", "mtsi"]
