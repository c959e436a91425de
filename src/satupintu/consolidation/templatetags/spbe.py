"""Template filters for the SPBE pages: rupiah amounts in the active language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    """``1234567`` → ``Rp 1.234.567`` (Indonesian) or ``Rp 1,234,567`` (English)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    text = f"{number:,}"
    if (get_language() or "id").startswith("id"):
        text = text.replace(",", ".")
    return f"Rp {text}"


@register.filter
def number(value: Any) -> str:
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
    return text.replace(",", ".") if (get_language() or "id").startswith("id") else text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


_SECTIONS = {"home": "home", "apps": "apps", "app-new": "apps", "app-import": "apps", "app-detail": "apps",
             "app-edit": "apps", "app-delete": "apps", "reports": "reports", "similar": "reports", "group": "reports",
             "assumption": "reports", "proposals": "proposals", "proposal-new": "proposals", "proposal": "proposals",
             "index": "index", "agency-history": "index", "assessment": "index"}


@register.filter
def spbe_section(url_name: str | None) -> str:
    """The sub-navigation entry a page belongs to (for ``aria-current``)."""
    return _SECTIONS.get(url_name or "", "")
