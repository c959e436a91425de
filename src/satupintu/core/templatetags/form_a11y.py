"""Template helpers shared by every form page (ADR 0127, WCAG 2.2 AA)."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def error_anchor(bound: BoundField) -> str:
    """The id an error-summary link to ``bound`` should point at (WCAG 2.4.3, 3.3.1).

    Input: a bound field. Output: the id of the control a label would name (``id_for_label``);
    for a radio or checkbox group, which has none (Django leaves ``id_for_label`` empty so no label
    names only the first option), the id of its first option (``id_alasan_0``); else the field's
    ``auto_id`` (the group's container). Never raises; ``""`` only for a field without ids."""
    if bound.id_for_label:
        return str(bound.id_for_label)
    for option in bound.subwidgets:
        if option.id_for_label:
            return str(option.id_for_label)
    return str(bound.auto_id or "")
