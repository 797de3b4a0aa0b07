"""The catalogs: every message of the pages has its 简体中文 translation, and the language of
a request is chosen as documented."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from touchpoints.web.i18n import choose, translations

WEB = Path(files("touchpoints.web"))  # type: ignore[arg-type]


def extracted() -> set[str]:
    """The messages Babel extracts from the pages' code and templates (babel.cfg's rules)."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "N_": None}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEB), method_map, keywords=keywords
        )
    }


def test_every_message_has_a_chinese_translation() -> None:
    catalog = read_po((WEB / "locale/zh/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id: m.string for m in catalog if m.id}
    messages = extracted()
    assert len(messages) > 100
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"add to messages.po: {missing}"
    stale = sorted(set(translated) - messages)
    assert not stale, f"no longer used, remove from messages.po: {stale}"


def test_the_catalog_compiles_and_translates() -> None:
    assert translations("zh").gettext("Journey map") == "旅程地图"
    assert translations("en").gettext("Journey map") == "Journey map"


def test_the_language_comes_from_the_link_then_the_cookie_then_the_browser() -> None:
    assert choose("en", "zh", "zh-CN", "zh") == "en"
    assert choose(None, "en", "zh-CN", "zh") == "en"
    assert choose("fr", None, "zh-TW,en;q=0.5", "en") == "zh"
    assert choose(None, None, "de-DE", "zh") == "zh"
    assert choose(None, None, None, "en") == "en"
