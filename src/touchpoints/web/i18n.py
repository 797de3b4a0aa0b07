"""The pages in 简体中文 and English: Babel message catalogs, and which language a request gets.

Messages are written in English in the templates and the code (``_("Overview")``) and
translated in ``locale/zh/LC_MESSAGES/messages.po``, a gettext catalog that Babel reads,
extracts into and checks (``pybabel extract -F babel.cfg``; CONTRIBUTING says how). The
catalog is compiled in memory when the app starts, so the repository holds no binary
``.mo`` file that could drift from its source.

A request's language is, in order: ``?lang=`` in the URL (a shared link opens in its
language), the ``tp_lang`` cookie (the switch on every page sets it, so the choice is
remembered), the browser's ``Accept-Language``, and last the model's first language.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
LANG_COOKIE = "tp_lang"
CATALOG = "locale/{lang}/LC_MESSAGES/messages.po"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English is the source language: no catalog)."""
    if lang == "en":
        return gettext.NullTranslations()
    source = files("touchpoints.web").joinpath(CATALOG.format(lang=lang)).read_bytes()
    catalog = read_po(io.BytesIO(source), locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def from_accept_language(header: str) -> str | None:
    """The first of our languages in an ``Accept-Language`` header, by its quality.

    >>> from_accept_language("en-GB,en;q=0.9,zh-CN;q=0.8")
    'en'
    >>> from_accept_language("fr-FR, zh-Hans;q=0.5")
    'zh'
    >>> from_accept_language("fr") is None
    True
    """
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return None


def choose(asked: str | None, cookie: str | None, accept: str | None, default: str) -> str:
    """The language of a request (see the module's docstring for the order)."""
    for given in (asked, cookie):
        if given in LANGUAGES:
            return given
    return from_accept_language(accept or "") or (default if default in LANGUAGES else "en")
