"""The drill-down: the answers a selection holds, paged in the engine, newest first, scoped to
a team's touchpoints; and the rules of who may see them."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_csv
from touchpoints.errors import ParameterError
from touchpoints.services.access import Withheld, answers_for
from touchpoints.services.workspace import Workspace

HEADER = ["response_id", "ts", "customer", "channel", "touchpoint", "nps", "comment", "region"]
ROWS = [
    ["R1", "2025-03-01T10:00:00Z", "C1", "web", "web_checkout", 9, "fast", "north"],
    ["R2", "2025-03-02T10:00:00Z", "C2", "web", "web_checkout", 3, "", "south"],
    ["R3", "2025-03-03T10:00:00Z", "C3", "store", "store_checkout", 6, "queue", "north"],
    ["R4", "2025-03-04T10:00:00Z", "C1", "store", "store_checkout", 10, "kind staff", "north"],
    ["R5", "2025-04-01T10:00:00Z", "C4", "app", "app_delivery", 8, "", "south"],
]


@pytest.fixture
def loaded(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.ingest(write_csv(tmp_path / "r.csv", HEADER, ROWS), kind="responses")
    return workspace


def ids(found: object) -> list[str]:
    return [r["response_id"] for r in found.rows]  # type: ignore[attr-defined]


def test_answers_are_newest_first_and_paged_with_the_total(loaded: Workspace) -> None:
    first = loaded.answers(limit=2)
    assert ids(first) == ["R5", "R4"]
    assert first.total == 5
    assert ids(loaded.answers(limit=2, offset=2)) == ["R3", "R2"]
    assert ids(loaded.answers(limit=2, offset=4)) == ["R1"]
    assert loaded.answers(limit=2, offset=10).rows == ()


def test_a_selection_narrows_the_answers(loaded: Workspace) -> None:
    assert ids(loaded.answers(where=["region=north"])) == ["R4", "R3", "R1"]
    assert ids(loaded.answers(where=["channel=web"], until="2025-03-31")) == ["R2", "R1"]
    assert ids(loaded.answers(where=["stage=purchase"], comments=True)) == ["R4", "R3", "R1"]
    assert ids(loaded.answers(where=["stage=use"])) == ["R5"]
    only = loaded.answers(where=["touchpoint=store_checkout"], since="2025-03-04")
    assert only.rows[0]["stage"] == "purchase"
    assert only.rows[0]["comment"] == "kind staff"
    assert only.rows[0]["at"] == "2025-03-04 18:00"  # 10:00 UTC in the model's Asia/Shanghai


def test_a_team_sees_its_touchpoints_only(loaded: Workspace) -> None:
    assert ids(loaded.answers(touchpoints=["store_checkout", "app_delivery"])) == ["R5", "R4", "R3"]
    assert loaded.answers(touchpoints=[]).total == 0


def test_a_wrong_page_is_a_parameter_error(loaded: Workspace) -> None:
    with pytest.raises(ParameterError, match="limit"):
        loaded.answers(limit=10_001)
    with pytest.raises(ParameterError, match="offset"):
        loaded.answers(offset=-1)


def test_fewer_answers_than_min_n_are_withheld_from_agents_and_viewers(
    loaded: Workspace,
) -> None:
    """The test model's min n is above five: the five answers are too few for an agent."""
    assert loaded.model.metrics.min_n > 5
    web = loaded.model.touchpoint("web_checkout").model_copy(update={"teams": ["online"]})
    others = [t for t in loaded.model.touchpoints if t.id != "web_checkout"]
    teamed = Workspace(loaded.root, loaded.model.model_copy(update={"touchpoints": [web, *others]}))
    assert teamed.team_touchpoints("online") == ("web_checkout",)
    assert answers_for(teamed, "analyst", None).total == 5
    with pytest.raises(Withheld, match="fewer than"):
        answers_for(teamed, "agent", "online")
    assert answers_for(teamed, "agent", "nobody").total == 0  # no team touchpoints: none
