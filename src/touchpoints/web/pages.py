"""The parts every page is made of: who is looking, in which language, with which filters, and
one way to declare a page.

A page is a function from a :class:`PageContext` to a template and its data, declared with
:func:`page`; the declaration puts it in the navigation, checks the viewer's role, and
renders it in the viewer's language. The overview, the journey map and the others are built
this way, and so will be the pages of later capabilities (models, text, journeys, cases):
Datasette's lesson that built-in features should use the same hooks as everything after them.

Pages hold no business logic: they ask the workspace (:mod:`touchpoints.services`) for results,
through the :class:`~touchpoints.services.cache.ResultCache`, and lay them out.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from touchpoints.api.auth import SESSION_COOKIE
from touchpoints.model.schema import CXModel
from touchpoints.services.access import FIGURES, may, operations, sees_thin_figures
from touchpoints.services.cache import ResultCache
from touchpoints.services.workspace import Workspace
from touchpoints.web.filters import FILTERED, PERIODS, Filters
from touchpoints.web.i18n import LANG_COOKIE, LANGUAGES, choose, translations

T = TypeVar("T")
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class NavEntry:
    """A page in the navigation: its path, its title (an English message) and who sees it."""

    path: str
    title: str
    permission: frozenset[str]
    order: int


NAVIGATION: list[NavEntry] = []


@dataclass(frozen=True)
class Viewer:
    """The person looking at a page: their name, role, team and the session's CSRF token."""

    name: str
    role: str
    team: str | None
    csrf: str

    @property
    def sees_thin_figures(self) -> bool:
        return sees_thin_figures(self.role)

    def may(self, permission: frozenset[str]) -> bool:
        return may(self.role, permission)


class LoginNeeded(Exception):
    """No live session: the page sends the browser to the login page, then back."""

    def __init__(self, then: str) -> None:
        super().__init__(then)
        self.then = then


class PageRefused(Exception):
    """A page the viewer may not open, or asked with a wrong parameter: a page with the
    reason and the status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def names_in(model: CXModel, lang: str) -> dict[str, dict[str, str]]:
    """The model's names of channels, stages and touchpoints in ``lang`` (the other
    language's where one is missing), by dimension and id."""
    entries: dict[str, list[Any]] = {
        "channel": list(model.channels),
        "stage": list(model.stages),
        "touchpoint": list(model.touchpoints),
    }
    return {
        dimension: {
            e.id: str((e.name.zh if lang == "zh" else e.name.en) or e.name.labels()[0])
            for e in found
        }
        for dimension, found in entries.items()
    }


@cache
def environment(lang: str) -> Environment:
    """The templates in ``lang``: autoescaped (a comment holding a script shows as text),
    with gettext from the language's catalog."""
    env = Environment(
        loader=PackageLoader("touchpoints.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass
class PageContext:
    """What a page knows: the request, the workspace, the viewer, language and filters."""

    request: Request
    workspace: Workspace
    cache: ResultCache
    viewer: Viewer
    lang: str
    filters: Filters
    notes: list[str] = field(default_factory=list)

    def _(self, message: str) -> str:
        """``message`` in the page's language."""
        return translations(self.lang).gettext(message)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A result of the workspace, kept until its data changes."""
        return self.cache.get(key, compute)

    def label(self, dimension: str, value: Any) -> str:
        """A channel's, stage's or touchpoint's name in the page's language; other values
        as they are; a missing one as —."""
        if value is None:
            return "—"
        names = self._names().get(dimension, {})
        return names.get(str(value), str(value))

    def _names(self) -> dict[str, dict[str, str]]:
        return names_in(self.workspace.model, self.lang)

    def link(self, path: str, filters: Filters | None = None, **extra: Any) -> str:
        """A link to ``path`` that keeps the page's filters (or ``filters``)."""
        return quote(path, safe="/") + (filters or self.filters).query(**extra)

    def drill(self, filters: Filters | None = None, **where: str | None) -> str:
        """The answers behind a figure: the drill-down of the page's filters narrowed by
        ``where`` (a group's dimensions)."""
        return self.link("/answers", (filters or self.filters).narrowed(**where))

    def render(self, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
        page = environment(self.lang).get_template(template)
        html = page.render(page=self, **data)
        response = HTMLResponse(html, status_code=status)
        if self.request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=365 * 86400, samesite="lax")
        return response

    # What the frame around every page needs.
    @property
    def navigation(self) -> list[tuple[str, str, bool]]:
        here = self.request.url.path
        return [
            (self.link(e.path), self._(e.title), here == e.path)
            for e in NAVIGATION
            if self.viewer.may(e.permission)
        ]

    @property
    def switch_language(self) -> tuple[str, str]:
        """The link to this page in the other language, and that language's name."""
        other = "en" if self.lang == "zh" else "zh"
        params = dict(self.request.query_params) | {"lang": other}
        path = quote(self.request.url.path, safe="/")
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
        return f"{path}?{query}", "English" if other == "en" else "中文"

    @property
    def filter_choices(self) -> dict[str, list[tuple[str, str]]]:
        """Each filtered dimension's values and their labels, for the filter bar."""
        model = self.workspace.model
        known: dict[str, list[str]] = {
            "channel": [c.id for c in model.channels],
            "stage": [s.id for s in model.stages],
            "touchpoint": [t.id for t in model.touchpoints],
        }
        values = self.cached(("values",), lambda: self.workspace.values(FILTERED[3:]))
        known |= values
        return {d: [(v, self.label(d, v)) for v in known.get(d, [])] for d in FILTERED}

    @property
    def periods(self) -> tuple[str, ...]:
        return PERIODS


def viewer_of(request: Request, workspace: Workspace) -> Viewer:
    """The user of the request's session; :class:`LoginNeeded` without one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    found = operations(workspace).session(cookie) if cookie else None
    if found is None:
        then = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginNeeded(then)
    name, csrf, role, team = found
    return Viewer(name, role, team, csrf)


def context(request: Request, permission: frozenset[str] = FIGURES) -> PageContext:
    """The context of a page request, once the viewer may see it."""
    workspace: Workspace = request.app.state.workspace
    viewer = viewer_of(request, workspace)
    lang = language(request, workspace)
    if not viewer.may(permission):
        raise PageRefused(403, translations(lang).gettext("Your role may not open this page."))
    return PageContext(
        request,
        workspace,
        request.app.state.cache,
        viewer,
        lang,
        Filters.from_query(request.query_params),
    )


def language(request: Request, workspace: Workspace) -> str:
    languages = workspace.model.languages
    return choose(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        languages[0] if languages else "en",
    )


Build = Callable[[PageContext], tuple[str, dict[str, Any]] | Response]


def page(
    path: str,
    title: str | None = None,
    *,
    permission: frozenset[str] = FIGURES,
    order: int = 100,
) -> Callable[[Build], Build]:
    """Declare a page: ``build(context)`` returns its template and data (or a response).
    With a ``title`` (an English message, marked with ``N_``) it joins the navigation, at
    its ``order`` (later capabilities take theirs between the present pages')."""

    def declare(build: Build) -> Build:
        if title is not None:
            NAVIGATION.append(NavEntry(path, title, permission, order))
            NAVIGATION.sort(key=lambda e: e.order)

        def endpoint(request: Request) -> Response:
            found = context(request, permission)
            made = build(found)
            if isinstance(made, Response):
                return made
            template, data = made
            return found.render(template, data)

        endpoint.__name__ = build.__name__
        router.add_api_route(path, endpoint, methods=["GET"], response_class=HTMLResponse)
        return build

    return declare
