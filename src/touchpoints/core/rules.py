"""The scoring rules of METRICS.md, each defined once.

They are written with comparison and arithmetic operators only, so the same function serves a
number, a numpy array and an engine (Ibis) column expression: the engine's counts and the
notebook's answers are cut and rescaled by one definition.

>>> import numpy as np
>>> answers = np.array([0, 6, 7, 8, 9, 10])
>>> int(is_promoter(answers).sum()), int(is_detractor(answers).sum())
(2, 2)
>>> [bool(x) for x in is_top_box(np.array([3, 4, 5]), (1, 5))]
[False, True, True]
>>> rescale(4.0, (1, 5))
75.0
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

PROMOTER_FROM = 9  # NPS: 9–10 promote
DETRACTOR_TO = 6  # NPS: 0–6 detract; 7–8 are passive
BOXES = 2  # top-2 and bottom-2 box unless a caller asks for another


def is_promoter(nps: Any) -> Any:
    """An NPS answer of 9 or 10 (Reichheld 2003)."""
    return nps >= PROMOTER_FROM


def is_detractor(nps: Any) -> Any:
    """An NPS answer of 0 to 6."""
    return nps <= DETRACTOR_TO


def is_top_box(answer: Any, scale: tuple[float, float], boxes: int = BOXES) -> Any:
    """An answer among the top ``boxes`` points of ``scale`` (4–5 on 1–5): CSAT satisfied,
    an item rated high. Strictly above ``high − boxes``, so a fractional answer counts only
    once it is past the cut."""
    return answer > scale[1] - boxes


def is_bottom_box(answer: Any, scale: tuple[float, float], boxes: int = BOXES) -> Any:
    """An answer among the bottom ``boxes`` points of ``scale`` (1–2 on 1–5)."""
    return answer < scale[0] + boxes


def top_box_from(scale: tuple[int, int], boxes: int = BOXES) -> int:
    """The lowest whole answer in the top box (4 on 1–5)."""
    return scale[1] - boxes + 1


def ces_agrees(answer: Any, scale: tuple[float, float], direction: str = "agree") -> Any:
    """A CES answer that says the task was easy: the top three points when the scale runs
    towards agreement ("it was easy", 5–7 on 1–7), the bottom two when it runs towards
    effort (1–2 of "how much effort")."""
    return is_top_box(answer, scale, 3) if direction == "agree" else is_bottom_box(answer, scale)


def rescale(value: T, scale: tuple[float, float]) -> T:
    """An answer (or mean) on ``scale`` as 0–100: ``(value − low) / (high − low) × 100``."""
    low, high = scale
    return (value - low) / (high - low) * 100  # type: ignore[operator, return-value]
