"""Template filters of the catalogue pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rupiah(amount: int | None) -> str:
    """``350000`` → ``Rp 350.000`` (Indonesian thousands separator); ``0`` → "Free"; ``None`` → ""."""
    if amount is None or amount == "":
        return ""
    amount = int(amount)
    if amount == 0:
        return _("Free")
    return "Rp " + f"{amount:,}".replace(",", ".")


@register.simple_tag
def lang_of(obj: object, field: str = "name") -> str:
    """`` lang="id"`` when ``obj.<field>`` is shown in Indonesian on a page in another language, else "".

    Inputs: a bilingual catalogue object with ``<field>_id`` / ``<field>_en`` attributes (``_en`` may be
    blank) and the attribute's base name. Output: an HTML attribute string (leading space) or "". Rule:
    WCAG 2.2 SC 3.1.2 (Language of Parts) — text in another language than the page is marked up.
    """
    from django.utils.html import format_html
    from django.utils.translation import get_language

    current = (get_language() or "id").split("-")[0]
    if current == "id":
        return ""
    shown_english = current == "en" and bool(getattr(obj, f"{field}_en", ""))
    return "" if shown_english else format_html(' lang="{}"', "id")


@register.simple_tag
def lang_id() -> str:
    """`` lang="id"`` on a page not in Indonesian, for text agencies publish only in Indonesian
    (requirements, procedure, notes); "" on Indonesian pages. WCAG 2.2 SC 3.1.2."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    return "" if (get_language() or "id").split("-")[0] == "id" else format_html(' lang="{}"', "id")
