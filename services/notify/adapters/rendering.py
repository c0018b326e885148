"""Rendering messages from Jinja2 templates: `templates/<template>/<channel|default>.<language>.txt.j2`.

Plain text. The recipient's language first, then Chinese (the district's language), then English; within a
language, the channel's own template before the default one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, TemplateNotFound, select_autoescape

from shared.clock import DISTRICT_TIMEZONE
from shared.reference import ReferenceBundle

DEFAULT_LANGUAGE = "zh-CN"
FALLBACK_LANGUAGES = (DEFAULT_LANGUAGE, "en")


class TemplateMissing(LookupError):
    pass


def local_time(value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the district reads it (Asia/Shanghai)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(DISTRICT_TIMEZONE).strftime(pattern)
    return "" if value is None else str(value)


def candidates(template: str, channel: str, language: str) -> list[str]:
    languages = list(dict.fromkeys([language, *FALLBACK_LANGUAGES]))
    return [f"{template}/{name}.{lang}.txt.j2" for lang in languages for name in (channel, "default")]


class Renderer:
    def __init__(self, folder: Path, bundle: ReferenceBundle | None = None, console_url: str = "") -> None:
        self._environment = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(default=False, default_for_string=False),
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._environment.filters["local"] = local_time
        units = {unit.id: unit for unit in bundle.units} if bundle else {}
        categories = {category.code: category for category in bundle.categories} if bundle else {}
        communities = {place.code: place for place in bundle.organisations} if bundle else {}
        self._environment.globals["unit_name"] = lambda unit_id, lang="zh-CN": _name(units, unit_id, lang)
        self._environment.globals["category_name"] = lambda code, lang="zh-CN": _name(categories, code, lang)
        self._environment.globals["community_name"] = lambda code, lang="zh-CN": _name(
            communities, code, lang
        )
        # Empty: the notices carry no link (the case notices end with the console's page for the case otherwise).
        self._environment.globals["console_url"] = console_url.rstrip("/")

    def exists(self, template: str) -> bool:
        return any(
            name.startswith(f"{template}/") for name in self._environment.list_templates(extensions=["j2"])
        )

    def render(self, template: str, channel: str, language: str, values: dict[str, Any]) -> tuple[str, str]:
        """(the text, the language it was written in)."""
        for name in candidates(template, channel, language):
            try:
                found = self._environment.get_template(name)
            except TemplateNotFound:
                continue
            used_language = name.rsplit(".", 3)[-3]
            return found.render(**values).strip() + "\n", used_language
        raise TemplateMissing(f"no template for {template} ({channel}, {language})")


def _name(index: dict, key: str | None, language: str) -> str:
    item = index.get(key) if key else None
    if item is None:
        return key or ""
    return item.name_en if language.startswith("en") else item.name_zh
