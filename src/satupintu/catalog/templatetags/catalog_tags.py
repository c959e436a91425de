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
