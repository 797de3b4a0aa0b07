"""The CX model (``touchpoints.yaml``): channels, stages, touchpoints and settings."""

from __future__ import annotations

from importlib.resources import files

from touchpoints.model.load import MODEL_FILE, load_model, parse_model
from touchpoints.model.schema import Channel, CXModel, Stage, Touchpoint


def template_text() -> str:
    """The commented ``touchpoints.yaml`` that ``touchpoints init`` writes."""
    return files("touchpoints.model").joinpath("template.yaml").read_text(encoding="utf-8")


__all__ = [
    "MODEL_FILE",
    "CXModel",
    "Channel",
    "Stage",
    "Touchpoint",
    "load_model",
    "parse_model",
    "template_text",
]
