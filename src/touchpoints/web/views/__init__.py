"""The pages, each declared with :func:`touchpoints.web.pages.page`; importing this package
declares them all, in the order of the navigation."""

from touchpoints.web.views import (
    admin,
    answers,
    data,
    figures,
    journey,
    overview,
    reports,
    touchpoints,
)

__all__ = ["admin", "answers", "data", "figures", "journey", "overview", "reports", "touchpoints"]
