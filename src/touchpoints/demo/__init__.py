"""The demo: a fictional omnichannel retailer's year of CX data, with planted effects."""

from __future__ import annotations

from touchpoints.demo.build import DemoSummary, build_demo, demo_key

__all__ = ["DemoSummary", "build_demo", "demo_key"]
