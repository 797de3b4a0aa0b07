"""The CX model: what ``touchpoints.yaml`` may say, as pydantic classes.

Structure (types, ranges, unknown keys) is checked here; references between entries (a
touchpoint's channel must exist, ids unique) are checked in :mod:`touchpoints.model.load`, so
that every problem in a file is reported in one go with its path.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
ChannelKind = Literal["online", "offline", "social", "phone", "partner", "hybrid"]
TouchpointKind = Literal["online", "offline", "product"]
DEFAULT_STAGES = ("awareness", "purchase", "use", "feedback")


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, so a typo never passes silently, and
    numbers are finite (a `weight: .inf` would turn the index into NaN)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LocalName(Strict):
    """A display name per language; at least one of them."""

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one_language(self) -> LocalName:
        if not (self.zh or self.en):
            raise ValueError("give a name in zh, en or both")
        return self

    def labels(self) -> list[str]:
        return [n for n in (self.zh, self.en) if n]


def _as_local(value: object) -> object:
    """Accept a plain string as a name in both languages."""
    return {"zh": value, "en": value} if isinstance(value, str) else value


class Named(Strict):
    id: Identifier
    name: LocalName

    _coerce_name = field_validator("name", mode="before")(_as_local)


class Stage(Named):
    pass


class Aliased(Named):
    """An entry that files may name by its id, its names or an alias (matched without case)."""

    aliases: list[str] = []

    def spellings(self) -> list[str]:
        return [self.id, *self.name.labels(), *self.aliases]


class Channel(Aliased):
    kind: ChannelKind
    cost_per_contact: Annotated[float, Field(ge=0)] | None = None
    weight: Annotated[float, Field(ge=0)] | None = None


class Touchpoint(Aliased):
    """``type`` names what the touchpoint does across channels (``order_status`` on the web, in
    the app and on the hotline): cross-channel consistency compares the touchpoints of a type."""

    channel: str
    stage: str
    kind: TouchpointKind | None = None
    type: Identifier | None = None
    weight: Annotated[float, Field(ge=0)] | None = None
    teams: list[str] = []
    """The teams that answer for the touchpoint: an agent of one of them may open its
    answers and comments in the pages and the API (roles, ``touchpoints user add``)."""
    survey: Literal["nps", "csat", "ces"] = "nps"
    """The question of its survey page (``/s/{touchpoint}``), with a comment."""


Scale = tuple[int, int]


class Scales(Strict):
    csat: Scale = (1, 5)
    ces: Scale = (1, 7)
    rating: Scale = (1, 5)
    items: Scale = (1, 5)  # attribute (attr.*) and other rated items

    @field_validator("csat", "ces", "rating", "items")
    @classmethod
    def _ordered(cls, value: Scale) -> Scale:
        if value[0] >= value[1]:
            raise ValueError(f"a scale is [low, high] with low < high, got {list(value)}")
        return value


class MetricsSettings(Strict):
    min_n: Annotated[int, Field(ge=1)] = 30
    confidence: Annotated[float, Field(gt=0, lt=1)] = 0.95
    scales: Scales = Scales()
    ces_direction: Literal["agree", "effort"] = "agree"
    practical_difference: Annotated[float, Field(ge=0, lt=1)] = 0.05
    """The smallest gap worth acting on, as a fraction of a scale's width (0.05: 0.2 points on
    1–5). With thousands of answers a test calls a tenth of a point significant; cross-channel
    consistency says channels differ only when the range of their means also exceeds this."""


class IndexSettings(Strict):
    touchpoint_weights: Literal["stated", "derived", "equal"] = "stated"
    channel_weights: Literal["stated", "contacts"] = "contacts"


Duration = Annotated[str, Field(pattern=r"^\d+(\.\d+)?\s*[mhd]$")]


def seconds(duration: str) -> float:
    """A duration such as ``30m``, ``8h`` or ``1.5d`` in seconds.

    >>> seconds("1.5d")
    129600.0
    """
    text = duration.strip()
    return float(text[:-1]) * {"m": 60, "h": 3600, "d": 86400}[text[-1]]


class SlaTarget(Strict):
    response: Duration | None = None
    resolution: Duration | None = None

    def seconds(self) -> tuple[float | None, float | None]:
        """(response, resolution) targets in seconds."""
        response, resolution = (
            None if d is None else seconds(d) for d in (self.response, self.resolution)
        )
        return response, resolution


class BusinessHours(Strict):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]
    from_: Annotated[str, Field(alias="from", pattern=r"^\d{2}:\d{2}$")]
    to: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]


class Slas(Strict):
    low: SlaTarget | None = None
    normal: SlaTarget | None = None
    high: SlaTarget | None = None
    urgent: SlaTarget | None = None
    business_hours: BusinessHours | None = None

    def targets(self) -> dict[str, SlaTarget]:
        """The priorities that have targets."""
        found = {p: getattr(self, p) for p in ("low", "normal", "high", "urgent")}
        return {p: t for p, t in found.items() if t is not None}


class Category(Named):
    keywords: dict[Literal["zh", "en"], list[str]] = {}
    examples: dict[Literal["zh", "en"], list[str]] = {}


class Reference(Strict):
    """An outside figure shown beside ours, such as a sector's NPS from a published study."""

    name: Annotated[str, Field(min_length=1)]
    metric: Literal["nps", "csat", "csat_mean", "ces_mean", "ces_agree"]
    value: float
    sector: str | None = None
    source: str | None = None
    year: int | None = None

    @model_validator(mode="after")
    def _in_range(self) -> Reference:
        if self.metric == "nps" and not -100 <= self.value <= 100:
            raise ValueError(f"an NPS lies in -100…100, got {self.value}")
        if self.metric in ("csat", "ces_agree") and not 0 < self.value < 100:
            raise ValueError(f"a share is a percent strictly between 0 and 100, got {self.value}")
        return self


class SurveySettings(Strict):
    """The survey pages (``/s/{touchpoint}``): how often one customer is asked, how many
    answers one address may send a minute, and the address links point to."""

    fatigue_days: Annotated[int, Field(ge=0)] = 30
    per_minute: Annotated[int, Field(ge=1)] = 10
    base_url: str = "http://127.0.0.1:8000"


class WarehouseSettings(Strict):
    backend: Literal["duckdb"] = "duckdb"
    path: str = "touchpoints.duckdb"


class CXModel(Strict):
    """A validated ``touchpoints.yaml``."""

    name: Annotated[str, Field(min_length=1)]
    languages: list[Literal["zh", "en"]] = ["zh", "en"]
    timezone: str = "UTC"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    stages: list[Stage] = [
        Stage(id=s, name=LocalName(zh=zh, en=s.capitalize()))
        for s, zh in zip(DEFAULT_STAGES, ("认知", "购买", "使用", "反馈"), strict=True)
    ]
    channels: list[Channel] = []
    touchpoints: list[Touchpoint] = []
    metrics: MetricsSettings = MetricsSettings()
    index: IndexSettings = IndexSettings()
    slas: Slas = Slas()
    taxonomy: list[Category] = []
    references: list[Reference] = []
    surveys: SurveySettings = SurveySettings()
    column_aliases: dict[str, list[str]] = {}
    warehouse: WarehouseSettings = WarehouseSettings()

    @cached_property
    def _channels_by_id(self) -> dict[str, Channel]:
        return {c.id: c for c in self.channels}

    @cached_property
    def _touchpoints_by_id(self) -> dict[str, Touchpoint]:
        return {t.id: t for t in self.touchpoints}

    def channel(self, channel_id: str) -> Channel:
        """The channel of an id (``KeyError`` if none); a dictionary built on first use, so a
        service looking up every touchpoint of a large model does not scan the list each time."""
        return self._channels_by_id[channel_id]

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        """The touchpoint of an id (``KeyError`` if none), found as :meth:`channel` finds one."""
        return self._touchpoints_by_id[touchpoint_id]
