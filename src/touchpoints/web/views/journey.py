"""The journey map: the stages as columns, each touchpoint coloured by its score with its n;
the weakest touchpoint and the most improved one marked."""

from __future__ import annotations

from typing import Any

from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, page
from touchpoints.web.views.overview import changes_of, in_period, shown_index


def colour(score: float | None, low: float, high: float) -> str:
    """Red (worst of the map) to green (best), as an HSL background; grey without a score.

    >>> colour(50.0, 50.0, 90.0), colour(90.0, 50.0, 90.0), colour(None, 0, 1)
    ('hsl(0, 70%, 80%)', 'hsl(120, 70%, 80%)', '#e2e8f0')
    """
    if score is None:
        return "#e2e8f0"
    share = 0.5 if high <= low else (score - low) / (high - low)
    return f"hsl({round(120 * min(max(share, 0.0), 1.0))}, 70%, 80%)"


def most_improved(found: PageContext) -> dict[str, Any] | None:
    """The touchpoint whose NPS rose most, significantly and on enough answers (min n on
    both sides), into the last period compared."""
    changed = changes_of(found, "touchpoint").to_dict()
    rises = [
        c
        for c in changed
        if c.get("metric") == "nps"
        and c.get("significant")
        and not c.get("insufficient")
        and (c.get("difference") or 0) > 0
        and c.get("scope", {}).get("touchpoint")
    ]
    if not rises:
        return None
    last = max(c["scope"].get("period") or "" for c in rises)
    latest = [c for c in rises if (c["scope"].get("period") or "") == last]
    return max(latest, key=lambda c: c["difference"])


@page("/journey", N_("Journey map"), order=20)
def journey(found: PageContext) -> tuple[str, dict[str, Any]]:
    index = shown_index(found)
    nodes = {n["id"]: n for n in index["touchpoints"]}
    scored = [n for n in nodes.values() if n.get("score") is not None and not n["insufficient"]]
    low = min((n["score"] for n in scored), default=0.0)
    high = max((n["score"] for n in scored), default=100.0)
    weakest = min(scored, key=lambda n: n["score"])["id"] if scored else None
    improved = most_improved(found)
    improved_id = improved["scope"]["touchpoint"] if improved else None
    stages = []
    for stage in found.workspace.model.stages:
        cells = []
        for touchpoint in found.workspace.model.touchpoints:
            if touchpoint.stage != stage.id:
                continue
            node = nodes.get(touchpoint.id, {})
            score = node.get("score")
            cells.append(
                {
                    "id": touchpoint.id,
                    "name": found.label("touchpoint", touchpoint.id),
                    "channel": found.label("channel", touchpoint.channel),
                    "score": score,
                    "n": node.get("n", 0),
                    "thin": bool(node.get("insufficient")),
                    "colour": colour(score, low, high),
                    "link": found.link(f"/touchpoints/{touchpoint.id}"),
                    "marks": [
                        m
                        for m, hit in (
                            ("weakest", touchpoint.id == weakest),
                            ("improved", touchpoint.id == improved_id),
                        )
                        if hit
                    ],
                }
            )
        stages.append({"name": found.label("stage", stage.id), "touchpoints": cells})
    return "journey.html", {
        "stages": stages,
        "improved": improved,
        "improved_link": (
            found.drill(
                in_period(found.filters, improved["scope"]["period"]), touchpoint=improved_id
            )
            if improved and improved["scope"].get("period")
            else None
        ),
        "method": index.get("method"),
    }
