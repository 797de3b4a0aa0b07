"""Demo data: one year of 悦购 YueGou, a fictional omnichannel retailer, with planted effects.

Everything is drawn with numpy from one seed, vectorised per chunk of customers, so a seed
gives the same files every time and two million customers (about ten million responses)
take minutes, not hours. What is planted, and where, is :data:`PLANTED` (written to
``planted.json``); later capabilities are tested on recovering it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from touchpoints.demo.texts import NEGATIVE, POSITIVE, THEMES, TOUCHPOINT_THEME

START = date(2025, 1, 1)
DAYS = 365
REGIONS = ("华东", "华北", "华南", "西部", "东北")
REGION_P = (0.3, 0.25, 0.2, 0.15, 0.1)
SEGMENTS = ("vip", "regular", "potential")
SEGMENT_P = (0.15, 0.6, 0.25)
# Touchpoint: (channel, base CSAT latent, weight among transactional surveys).
TOUCHPOINTS: dict[str, tuple[str, float, float]] = {
    "social_ads": ("social", 3.7, 1),
    "social_community": ("social", 3.9, 1),
    "web_home": ("web", 3.9, 2),
    "app_home": ("app", 4.0, 2),
    "store_window": ("store", 3.8, 1),
    "web_search": ("web", 3.6, 3),
    "web_product": ("web", 3.9, 3),
    "web_checkout": ("web", 3.7, 6),
    "app_search": ("app", 3.8, 3),
    "app_payment": ("app", 3.9, 6),
    "store_staff": ("store", 4.0, 5),
    "store_checkout": ("store", 3.9, 6),
    "store_fitting": ("store", 3.6, 2),
    "hotline_order": ("call_center", 3.7, 2),
    "wechat_shop": ("social", 3.8, 2),
    "delivery_speed": ("delivery", 3.8, 5),
    "delivery_courier": ("delivery", 4.0, 3),
    "app_tracking": ("app", 4.0, 3),
    "web_order_status": ("web", 3.9, 3),
    "product_quality": ("web", 4.1, 4),
    "hotline_order_status": ("call_center", 3.9, 3),
    "hotline_support": ("call_center", 3.6, 3),
    "returns": ("delivery", 3.5, 2),
    "wechat_service": ("social", 3.8, 2),
    "store_aftersales": ("store", 3.7, 2),
}
TP_NAMES = tuple(TOUCHPOINTS)
TP_CHANNEL = tuple(v[0] for v in TOUCHPOINTS.values())
TP_BASE = np.array([v[1] for v in TOUCHPOINTS.values()])
TP_P = np.array([v[2] for v in TOUCHPOINTS.values()]) / sum(v[2] for v in TOUCHPOINTS.values())
TP_INDEX = {name: i for i, name in enumerate(TP_NAMES)}

DRIVERS = {"wait_time": 0.35, "staff": 0.25, "delivery": 0.20, "price": 0.15, "cleanliness": 0.05}
KANO = {"fast_delivery": "O", "free_returns": "A", "secure_payment": "M", "gift_wrap": "I"}
KANO_PAIR = {"O": (1, 5), "A": (1, 3), "M": (3, 5), "I": (3, 3)}
SERVQUAL_DIMENSIONS = {
    "tangibles": (range(1, 5), -0.3),
    "reliability": (range(5, 10), -0.8),
    "responsiveness": (range(10, 14), -1.4),
    "assurance": (range(14, 18), -0.5),
    "empathy": (range(18, 23), -0.6),
}
ECSI = {
    ("image", "expectation"): 0.5,
    ("image", "satisfaction"): 0.2,
    ("image", "loyalty"): 0.2,
    ("expectation", "quality"): 0.6,
    ("expectation", "value"): 0.3,
    ("expectation", "satisfaction"): 0.1,
    ("quality", "value"): 0.5,
    ("quality", "satisfaction"): 0.45,
    ("value", "satisfaction"): 0.25,
    ("satisfaction", "complaints"): -0.5,
    ("satisfaction", "loyalty"): 0.55,
    ("complaints", "loyalty"): -0.15,
}
CONSTRUCTS = ("image", "expectation", "quality", "value", "satisfaction", "complaints", "loyalty")
RIVAL = "Rival Mart 对手超市"


def _day(iso: str) -> int:
    return (date.fromisoformat(iso) - START).days


WAIT: dict[str, Any] = {
    "touchpoint": "store_checkout",
    "channel": "store",
    "region": "华东",
    "csat": -1.3,
}
IMPROVEMENT: dict[str, Any] = {"touchpoint": "web_checkout", "date": "2025-07-01", "csat": 0.7}
PLACEBO: dict[str, Any] = {"touchpoint": "app_search", "date": "2025-06-01", "csat": 0.0}
EMERGING: dict[str, Any] = {
    "touchpoint": "app_payment",
    "theme": "payment",
    "from": "2025-11-01",
    "csat": -0.8,
}
INCONSISTENT: dict[str, Any] = {
    "channel": "call_center",
    "touchpoint": "hotline_order_status",
    "csat": -0.9,
}
AB_TEST: dict[str, Any] = {
    "touchpoint": "web_checkout",
    "from": "2025-09-01",
    "to": "2025-10-31",
    "csat": 0.3,
}
CHURN: dict[str, Any] = {"share": 0.10, "window_days": 60, "csat": -0.8, "tickets": 3.0}
APP_ABANDON: dict[str, Any] = {"before": 0.30, "after": 0.45, "web": 0.12}

PLANTED: dict[str, Any] = {
    "period": {"from": START.isoformat(), "to": (START + timedelta(DAYS - 1)).isoformat()},
    "effects": [
        {
            "id": "store_checkout_wait",
            "kind": "region_effect",
            "where": {k: WAIT[k] for k in ("touchpoint", "channel", "region")},
            "when": "all year",
            "metric": "csat",
            "size": WAIT["csat"],
            "themes": ["waiting"],
            "note": "long checkout queues in one region drive detractors",
        },
        {
            "id": "web_checkout_improvement",
            "kind": "improvement",
            "where": {"touchpoint": IMPROVEMENT["touchpoint"], "channel": "web"},
            "when": {"from": IMPROVEMENT["date"]},
            "metric": "csat",
            "size": IMPROVEMENT["csat"],
            "action": {"name": "One-page checkout", "start": IMPROVEMENT["date"]},
        },
        {
            "id": "app_search_placebo",
            "kind": "placebo",
            "where": {"touchpoint": PLACEBO["touchpoint"], "channel": "app"},
            "when": {"from": PLACEBO["date"]},
            "metric": "csat",
            "size": 0.0,
            "action": {"name": "New search ranking", "start": PLACEBO["date"]},
        },
        {
            "id": "app_payment_emerging",
            "kind": "emerging_theme",
            "where": {"touchpoint": EMERGING["touchpoint"], "channel": "app"},
            "when": {"from": EMERGING["from"]},
            "metric": "csat",
            "size": EMERGING["csat"],
            "themes": [EMERGING["theme"]],
            "abandonment": {"before": APP_ABANDON["before"], "after": APP_ABANDON["after"]},
        },
        {
            "id": "call_center_inconsistent",
            "kind": "inconsistent_channel",
            "where": {"channel": INCONSISTENT["channel"], "touchpoint": INCONSISTENT["touchpoint"]},
            "when": "all year",
            "metric": "csat",
            "size": INCONSISTENT["csat"],
            "note": "order-status answers differ by channel; the hotline's are lower and twice as "
            "spread as web_order_status and app_tracking",
            "themes": ["information"],
        },
        {
            "id": "web_checkout_ab",
            "kind": "ab_test",
            "where": {"touchpoint": AB_TEST["touchpoint"], "variant": "B"},
            "when": {"from": AB_TEST["from"], "to": AB_TEST["to"]},
            "metric": "csat",
            "size": AB_TEST["csat"],
            # Evaluated within the dates both variants ran: outside them answers carry no
            # variant, and "the rest" holds only known variants, so B is compared with A.
            "evaluate": {
                "by": "variant",
                "where": {"touchpoint": AB_TEST["touchpoint"]},
                "since": AB_TEST["from"],
                "until": AB_TEST["to"],
            },
            "note": "a small effect over two months of one touchpoint: at the demo's sizes it "
            "points the right way without reaching significance; a test needs its sample size",
        },
        {
            "id": "churn",
            "kind": "churn",
            "where": {"customers": "churned"},
            "when": "a date per customer between 2025-05-01 and 2025-10-31",
            "share": CHURN["share"],
            "signals": {
                "orders": "none after the churn date",
                "tickets_rate_before": CHURN["tickets"],
                "csat_before": CHURN["csat"],
                "window_days": CHURN["window_days"],
            },
        },
        {
            "id": "rival_benchmark",
            "kind": "brand_benchmark",
            "where": {"brand": RIVAL, "survey": "relationship"},
            "metric": "nps_score",
            "size": -1.0,
            "note": "15 % of relationship answers rate the rival; their 0–10 answers are 1 lower",
        },
    ],
    "drivers": {"outcome": "csat (relationship survey)", "weights": DRIVERS},
    "kano": KANO,
    "servqual": {
        "gaps": {d: gap for d, (_, gap) in SERVQUAL_DIMENSIONS.items()},
        "largest_gap": "responsiveness",
    },
    "sem": {"paths": [{"from": a, "to": b, "coef": c} for (a, b), c in ECSI.items()]},
    "themes": list(THEMES),
    "emerging_theme": {"theme": "payment", "touchpoint": "app_payment", "from": EMERGING["from"]},
}


def dictionary(values: tuple[str, ...] | list[str], indices: np.ndarray) -> pa.Array:
    """Strings as a dictionary array: small in memory at any number of rows."""
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _timestamps(days: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Local times (workspace zone) as ISO text, from day offsets."""
    seconds = (days * 86400 + rng.integers(8 * 3600, 22 * 3600, len(days))).astype("int64")
    stamps = np.datetime64(START.isoformat(), "s") + seconds.astype("timedelta64[s]")
    return pc.strftime(pa.array(stamps), "%Y-%m-%d %H:%M:%S")


@dataclass
class Customers:
    """One chunk of customers and what drives their answers."""

    index: np.ndarray
    region: np.ndarray
    segment: np.ndarray
    effect: np.ndarray
    churn_day: np.ndarray  # DAYS (never) for the loyal ones
    spend: np.ndarray

    def member(self, rows: np.ndarray) -> pa.Array:
        return _ids("M", 10_000_000 + self.index[rows])

    def phone(self, rows: np.ndarray) -> pa.Array:
        return _ids("139 ", 10_000_000 + self.index[rows])

    def email(self, rows: np.ndarray) -> pa.Array:
        ids = _ids("user", self.index[rows])
        return pc.binary_join_element_wise(ids, "@example.com", "")


def customers(first: int, count: int, rng: np.random.Generator) -> Customers:
    churned = rng.random(count) < CHURN["share"]
    churn_day = np.where(churned, rng.integers(_day("2025-05-01"), _day("2025-10-31"), count), DAYS)
    return Customers(
        index=np.arange(first, first + count),
        region=rng.choice(len(REGIONS), count, p=REGION_P),
        segment=rng.choice(len(SEGMENTS), count, p=SEGMENT_P),
        effect=rng.normal(0, 0.45, count),
        churn_day=churn_day,
        spend=rng.gamma(6.0, 40.0, count),
    )


def customer_table(c: Customers, rng: np.random.Generator) -> pa.Table:
    rows = np.arange(len(c.index))
    joined = (np.datetime64(START.isoformat()) - rng.integers(0, 1500, len(rows))).astype(str)
    return pa.table(
        {
            "customer": c.member(rows),
            "email": c.email(rows),
            "phone": c.phone(rows),
            "join_date": pa.array(joined),
            "segment": dictionary(SEGMENTS, c.segment),
            "region": dictionary(REGIONS, c.region),
            "attr.tier_points": pa.array(np.round(c.spend * 10).astype("int64")),
        }
    )


def _identify(c: Customers, owner: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """The identifier a survey tool recorded: member id mostly, else phone or e-mail."""
    how = rng.random(len(owner))
    member, phone, email = c.member(owner), c.phone(owner), c.email(owner)
    return pc.if_else(pa.array(how < 0.7), member, pc.if_else(pa.array(how < 0.9), phone, email))


def _comment_catalogue(lang: str) -> tuple[list[str], dict[tuple[str, bool, str], list[int]]]:
    texts: list[str] = []
    index: dict[tuple[str, bool, str], list[int]] = {}
    for negative, source in ((True, NEGATIVE), (False, POSITIVE)):
        for theme, by_lang in source.items():
            for language, variants in by_lang.items():
                for text in variants:
                    index.setdefault((theme, negative, language), []).append(len(texts))
                    texts.append(text)
    # A few comments carry a phone number, which ingestion must mask.
    for (theme, negative, language), ids in list(index.items()):
        if negative:
            extra = " 请回电 13912345678" if language == "zh" else " call me on 139 1234 5678"
            index[(theme, negative, language + "+pii")] = [len(texts)]
            texts.append(texts[ids[0]] + extra)
    return texts, index


def _comments(
    tp: np.ndarray, negative: np.ndarray, lang: str, rng: np.random.Generator
) -> tuple[pa.Array, pa.Array]:
    """A comment for about half the answers, on the touchpoint's theme, in zh or en."""
    texts, index = _comment_catalogue(lang)
    n = len(tp)
    theme_of_tp = np.array([THEMES.index(TOUCHPOINT_THEME.get(t, "price")) for t in TP_NAMES])
    themes = np.where(rng.random(n) < 0.75, theme_of_tp[tp], rng.integers(0, len(THEMES), n))
    primary = "zh" if lang == "zh" else "en"
    other = "en" if primary == "zh" else "zh"
    language = np.where(rng.random(n) < 0.8, 0, 1)  # 0: primary
    pii = rng.random(n) < 0.005
    out = np.full(n, -1, dtype=np.int64)
    pick = rng.random(n)
    for t, theme in enumerate(THEMES):
        for neg in (True, False):
            for lang_code, lang_name in ((0, primary), (1, other)):
                mask = (themes == t) & (negative == neg) & (language == lang_code)
                options = index[(theme, neg, lang_name)]
                out[mask] = np.array(options)[(pick[mask] * len(options)).astype(int)]
                if neg:
                    out[mask & pii] = index[(theme, neg, lang_name + "+pii")][0]
    has = rng.random(n) < 0.45
    comment = pa.DictionaryArray.from_arrays(
        pa.array(np.where(has, out, 0), pa.int32(), mask=~has), pa.array(texts)
    )
    languages = dictionary((primary, other), language)
    return comment, pc.if_else(
        pa.array(has), pc.cast(languages, pa.string()), pa.nulls(n, pa.string())
    )


def _scale(latent: np.ndarray, low: int, high: int) -> np.ndarray:
    scaled: np.ndarray = np.clip(np.rint(latent), low, high).astype("int64")
    return scaled


def transactional(c: Customers, lang: str, first_id: int, rng: np.random.Generator) -> pa.Table:
    counts = rng.poisson(4.5, len(c.index))
    owner = np.repeat(np.arange(len(c.index)), counts)
    n = len(owner)
    day = (rng.random(n) * np.minimum(c.churn_day[owner], DAYS)).astype(int)
    tp = rng.choice(len(TP_NAMES), n, p=TP_P)
    latent = TP_BASE[tp] + c.effect[owner] + rng.normal(0, 0.8, n)
    region = c.region[owner]
    is_tp = {name: tp == i for name, i in TP_INDEX.items()}
    latent += np.where(is_tp[WAIT["touchpoint"]] & (region == 0), WAIT["csat"], 0)
    latent += np.where(
        is_tp[IMPROVEMENT["touchpoint"]] & (day >= _day(IMPROVEMENT["date"])),
        IMPROVEMENT["csat"],
        0,
    )
    latent += np.where(
        is_tp[EMERGING["touchpoint"]] & (day >= _day(EMERGING["from"])), EMERGING["csat"], 0
    )
    hotline = is_tp[INCONSISTENT["touchpoint"]]
    latent += np.where(hotline, INCONSISTENT["csat"] + rng.normal(0, 0.9, n), 0)
    in_ab = (
        is_tp[AB_TEST["touchpoint"]] & (day >= _day(AB_TEST["from"])) & (day <= _day(AB_TEST["to"]))
    )
    variant_b = in_ab & (rng.random(n) < 0.5)
    latent += np.where(variant_b, AB_TEST["csat"], 0)
    near_churn = (c.churn_day[owner] < DAYS) & (day >= c.churn_day[owner] - CHURN["window_days"])
    latent += np.where(near_churn, CHURN["csat"], 0)
    csat = _scale(latent, 1, 5)
    nps = _scale(2.2 * latent - 1.2 + rng.normal(0, 1.1, n), 0, 10)
    ces = _scale(1.3 * latent + 0.3 + rng.normal(0, 0.9, n), 1, 7)
    comment, language = _comments(tp, csat <= 3, lang, rng)
    variant = pc.if_else(
        pa.array(in_ab), pc.if_else(pa.array(variant_b), "B", "A"), pa.nulls(n, pa.string())
    )
    return pa.table(
        {
            "response_id": _ids("R", first_id + np.arange(n)),
            "ts": _timestamps(day, rng),
            "customer": _identify(c, owner, rng),
            "channel": dictionary(TP_CHANNEL, tp),
            "touchpoint": dictionary(TP_NAMES, tp),
            "nps": pa.array(nps, mask=rng.random(n) < 0.05),
            "csat": pa.array(csat),
            "ces": pa.array(ces, mask=rng.random(n) < 0.4),
            "comment": comment,
            "language": language,
            "segment": dictionary(SEGMENTS, c.segment[owner]),
            "region": dictionary(REGIONS, region),
            "variant": variant,
        }
    )


def _kano_pairs(n: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    answered = rng.random(n) < 0.6
    columns = {}
    for attribute, category in KANO.items():
        planted = rng.random(n) < 0.7
        f, d = KANO_PAIR[category]
        functional = np.where(planted, f, rng.integers(1, 6, n))
        dysfunctional = np.where(planted, d, rng.integers(1, 6, n))
        columns[f"kano.{attribute}.f"] = pa.array(functional, mask=~answered)
        columns[f"kano.{attribute}.d"] = pa.array(dysfunctional, mask=~answered)
    return columns


def _servqual(n: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    answered = rng.random(n) < 0.4
    columns = {}
    for items, gap in SERVQUAL_DIMENSIONS.values():
        for item in items:
            expectation = _scale(6.0 + rng.normal(0, 0.7, n), 1, 7)
            perception = _scale(expectation + gap + rng.normal(0, 0.9, n), 1, 7)
            columns[f"servqual.{item}.e"] = pa.array(expectation, mask=~answered)
            columns[f"servqual.{item}.p"] = pa.array(perception, mask=~answered)
    return columns


def _sem(n: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    """ECSI indicators from standardised latents with the planted path coefficients."""
    answered = rng.random(n) < 0.5
    latent: dict[str, np.ndarray] = {}
    for construct in CONSTRUCTS:
        value = sum(
            (coef * latent[a] for (a, b), coef in ECSI.items() if b == construct),
            start=np.zeros(n),
        )
        explained = float(np.var(value)) if construct != "image" else 0.0
        value = value + rng.normal(0, np.sqrt(max(1 - explained, 0.2)), n)
        latent[construct] = (value - value.mean()) / value.std()
    columns = {}
    for construct in CONSTRUCTS:
        for k in (1, 2, 3):
            indicator = 0.85 * latent[construct] + rng.normal(0, np.sqrt(1 - 0.85**2), n)
            columns[f"sem.{construct}.{k}"] = pa.array(
                _scale(6.0 + 1.6 * indicator, 1, 10), mask=~answered
            )
    return columns


def relationship(c: Customers, first_id: int, rng: np.random.Generator) -> pa.Table:
    """A yearly relationship survey: no touchpoint; drivers, KANO, SERVQUAL and ECSI items;
    15 % answer about the rival instead (benchmark)."""
    owner = np.flatnonzero(rng.random(len(c.index)) < 0.5)
    n = len(owner)
    day = (rng.random(n) * np.minimum(c.churn_day[owner], DAYS)).astype(int)
    ratings = {
        name: 3.6
        + c.effect[owner]
        + rng.normal(0, 0.9, n)
        + (np.where(c.region[owner] == 0, -0.8, 0) if name == "wait_time" else 0)
        for name in DRIVERS
    }
    overall = sum(w * ratings[name] for name, w in DRIVERS.items()) + rng.normal(0, 0.25, n)
    rival = rng.random(n) < 0.15
    nps = _scale(2.3 * overall - 1.5 + rng.normal(0, 0.8, n) - np.where(rival, 1.0, 0), 0, 10)
    columns: dict[str, Any] = {
        "response_id": _ids("Y", first_id + np.arange(n)),
        "ts": _timestamps(day, rng),
        "customer": c.member(owner),
        "nps": pa.array(nps),
        "csat": pa.array(_scale(overall, 1, 5)),
        "segment": dictionary(SEGMENTS, c.segment[owner]),
        "region": dictionary(REGIONS, c.region[owner]),
        "brand": pc.if_else(pa.array(rival), RIVAL, pa.nulls(n, pa.string())),
    }
    columns |= {f"attr.{name}": pa.array(_scale(v, 1, 5)) for name, v in ratings.items()}
    columns |= _kano_pairs(n, rng) | _servqual(n, rng) | _sem(n, rng)
    return pa.table(columns)


# Session templates per channel: (touchpoint, event) steps; the last step of a purchase
# funnel is "pay", completed or abandoned.
SESSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "web": (
        ("web_home", "view"),
        ("web_search", "search"),
        ("web_product", "view"),
        ("web_checkout", "pay"),
    ),
    "app": (("app_home", "view"), ("app_search", "search"), ("app_payment", "pay")),
    "store": (("store_staff", "visit"), ("store_checkout", "pay")),
    "call_center": (("hotline_order_status", "call"),),
    "social": (("social_ads", "view"), ("wechat_shop", "pay")),
}
EVENTS = ("view", "search", "pay", "visit", "call")
SESSION_P = {"web": 0.35, "app": 0.35, "store": 0.15, "call_center": 0.08, "social": 0.07}
COST_PER_EVENT = {"web": 0.4, "app": 0.25, "store": 9.0, "call_center": 9.0, "social": 1.2}


def interactions(
    c: Customers, first_id: int, rng: np.random.Generator
) -> tuple[pa.Table, pa.Table]:
    """Sessions of events per customer, and the orders their completed payments made."""
    counts = rng.poisson(3.0, len(c.index))
    owner = np.repeat(np.arange(len(c.index)), counts)
    sessions = len(owner)
    day = (rng.random(sessions) * np.minimum(c.churn_day[owner], DAYS)).astype(int)
    names = tuple(SESSIONS)
    kind = rng.choice(len(names), sessions, p=[SESSION_P[k] for k in names])
    lengths = np.array([len(SESSIONS[k]) for k in names])[kind]
    session = np.repeat(np.arange(sessions), lengths)
    step = np.arange(len(session)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    # Each (session kind, step) → its touchpoint and event, as lookup tables.
    width = max(len(v) for v in SESSIONS.values())
    step_tp = np.zeros((len(names), width), dtype=np.int64)
    step_event = np.zeros((len(names), width), dtype=np.int64)
    for k, name in enumerate(names):
        for s, (touchpoint, event_name) in enumerate(SESSIONS[name]):
            step_tp[k, s] = TP_INDEX[touchpoint]
            step_event[k, s] = EVENTS.index(event_name)
    tp = step_tp[kind[session], step]
    event = step_event[kind[session], step]
    is_pay = event == EVENTS.index("pay")
    sday = day[session]
    abandon_p = np.where(
        tp == TP_INDEX["app_payment"],
        np.where(sday >= _day(EMERGING["from"]), APP_ABANDON["after"], APP_ABANDON["before"]),
        APP_ABANDON["web"],
    )
    abandoned = is_pay & (rng.random(len(session)) < abandon_p)
    completed = is_pay & ~abandoned
    amount = np.where(
        completed, np.round(c.spend[owner[session]] * rng.gamma(4, 0.25, len(session)), 2), np.nan
    )
    cost = np.array([COST_PER_EVENT.get(channel, 1.0) for channel in TP_CHANNEL])[tp]
    ts = _timestamps(sday, rng)
    n = len(session)
    outcome = np.where(abandoned, 1, 0)
    table = pa.table(
        {
            "event_id": _ids("E", first_id + np.arange(n)),
            "ts": ts,
            "customer": c.member(owner[session]),
            "session": _ids("S", first_id + session),
            "channel": dictionary(TP_CHANNEL, tp),
            "touchpoint": dictionary(TP_NAMES, tp),
            "event": dictionary(EVENTS, event),
            "outcome": dictionary(("completed", "abandoned"), outcome),
            "duration_s": pa.array(np.round(rng.lognormal(3.5, 0.8, n), 1)),
            "cost": pa.array(cost),
            "amount": pa.array(amount, mask=np.isnan(amount)),
        }
    )
    refund = completed & (rng.random(n) < 0.02)
    rows = np.flatnonzero(completed)
    orders = pa.table(
        {
            "order_id": _ids("O", first_id + rows),
            "ts": ts.take(pa.array(rows)),
            "customer": c.member(owner[session][rows]),
            "amount": pa.array(np.where(refund[rows], -amount[rows], amount[rows])),
            "channel": dictionary(TP_CHANNEL, tp[rows]),
            "touchpoint": dictionary(TP_NAMES, tp[rows]),
            "quantity": pa.array(rng.integers(1, 4, len(rows))),
        }
    )
    return table, orders


TEAMS = {
    "waiting": "store-ops",
    "staff": "service",
    "cleanliness": "store-ops",
    "price": "pricing",
    "payment": "payments",
    "delivery": "logistics",
    "information": "service",
}


def tickets(c: Customers, first_id: int, lang: str, rng: np.random.Generator) -> pa.Table:
    """Complaints: more from customers about to churn, more about waiting in 华东."""
    rate = 0.25 + np.where(c.churn_day < DAYS, 0.25 * CHURN["tickets"], 0)
    owner = np.repeat(np.arange(len(c.index)), rng.poisson(rate))
    n = len(owner)
    near = c.churn_day[owner] < DAYS
    start = np.where(near, np.maximum(c.churn_day[owner] - CHURN["window_days"], 0), 0)
    end = np.minimum(c.churn_day[owner], DAYS - 1)
    day = (start + rng.random(n) * np.maximum(end - start, 1)).astype(int)
    theme = rng.integers(0, len(THEMES), n)
    theme = np.where((c.region[owner] == 0) & (rng.random(n) < 0.4), THEMES.index("waiting"), theme)
    priority = rng.choice(4, n, p=(0.2, 0.6, 0.15, 0.05))
    created = np.datetime64(START.isoformat(), "s") + (
        day * 86400 + rng.integers(8 * 3600, 20 * 3600, n)
    ).astype("timedelta64[s]")
    response_h = rng.lognormal(np.log([12.0, 6.0, 3.0, 0.8])[priority], 0.7)
    resolve_h = response_h + rng.lognormal(np.log([72.0, 36.0, 18.0, 6.0])[priority], 0.6)
    first_response = created + (response_h * 3600).astype("timedelta64[s]")
    resolved = created + (resolve_h * 3600).astype("timedelta64[s]")
    still_open = rng.random(n) < 0.1
    csat = _scale(4.6 - 0.012 * resolve_h + rng.normal(0, 0.7, n), 1, 5)
    texts, index = _comment_catalogue(lang)
    language = "zh" if lang == "zh" else "en"
    body = np.array([index[(THEMES[t], True, language)][0] for t in range(len(THEMES))])[theme]
    fmt = "%Y-%m-%d %H:%M:%S"
    return pa.table(
        {
            "ticket_id": _ids("T", first_id + np.arange(n)),
            "created_at": pc.strftime(pa.array(created), fmt),
            "customer": c.member(owner),
            "channel": pa.array(["call_center"] * n),
            "category": dictionary(THEMES, theme),
            "priority": dictionary(("low", "normal", "high", "urgent"), priority),
            "status": pc.if_else(pa.array(still_open), "open", "resolved"),
            "first_response_at": pc.strftime(pa.array(first_response), fmt),
            "resolved_at": pc.if_else(
                pa.array(still_open), pa.nulls(n, pa.string()), pc.strftime(pa.array(resolved), fmt)
            ),
            "team": dictionary(tuple(TEAMS[t] for t in THEMES), theme),
            "agent": _ids("agent", rng.integers(1, 40, n)),
            "subject": dictionary(tuple(texts), body),
            "csat": pa.array(csat, mask=still_open | (rng.random(n) < 0.5)),
        }
    )


PLATFORMS = (
    ("大众点评", "store_staff"),
    ("天猫", "web_checkout"),
    ("App Store", "app_home"),
    ("微博", "social_community"),
)


def reviews(c: Customers, first_id: int, lang: str, rng: np.random.Generator) -> pa.Table:
    owner = np.flatnonzero(rng.random(len(c.index)) < 0.3)
    n = len(owner)
    platform = rng.integers(0, len(PLATFORMS), n)
    tp = np.array([TP_INDEX[p[1]] for p in PLATFORMS])[platform]
    rating = _scale(TP_BASE[tp] + c.effect[owner] + rng.normal(0, 0.9, n), 1, 5)
    text, language = _comments(tp, rating <= 3, lang, rng)
    day = (rng.random(n) * np.minimum(c.churn_day[owner], DAYS)).astype(int)
    return pa.table(
        {
            "review_id": _ids("V", first_id + np.arange(n)),
            "ts": _timestamps(day, rng),
            "platform": dictionary(tuple(p[0] for p in PLATFORMS), platform),
            "touchpoint": dictionary(TP_NAMES, tp),
            "customer": c.member(owner),
            "rating": pa.array(rating),
            "text": pc.if_else(
                pc.is_null(text),
                pa.scalar("好评" if lang == "zh" else "Good"),
                pc.cast(text, pa.string()),
            ),
            "language": pc.if_else(pc.is_null(language), lang, language),
        }
    )


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(0, total, size):
        yield first, min(size, total - first)
