"""The back-office filter form (GET; works without JavaScript)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satupintu.audit.registry import ACTIONS
from satupintu.audit.selectors import EventFilters


def _action_choices() -> list[tuple[str, Any]]:
    prefixes = sorted({name.split(".")[0] + "." for name in ACTIONS})
    return ([("", _("Any action"))] + [(p, _("All %(group)s…") % {"group": p[:-1]}) for p in prefixes]
            + [(name, name) for name in sorted(ACTIONS)])


# Calendar days a filter may name: no event predates the platform, and days near the ends of
# Python's date range (0001-01-01, 9999-12-31) overflow when turned into instants (were a 500).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
DAY_RANGE = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
DATE_ATTRS = {"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


class EventFilterForm(forms.Form):
    """Dates are calendar days in the platform's time zone (``TIME_ZONE``, WIB); both inclusive,
    from 2000-01-01 to 2999-12-31 (else a field error naming the limit)."""

    actor = forms.CharField(label=_("Actor (id or name)"), required=False, max_length=255)
    agency = forms.CharField(label=_("Agency code"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    target_type = forms.CharField(label=_("Target type"), required=False, max_length=64,
                                  help_text=_("For example applications.application"))
    target_id = forms.CharField(label=_("Target id"), required=False, max_length=255)
    since = forms.DateField(label=_("From date"), required=False, validators=DAY_RANGE,
                            widget=forms.DateInput(attrs=DATE_ATTRS), help_text=_("YYYY-MM-DD, WIB"))
    until = forms.DateField(label=_("To date"), required=False, validators=DAY_RANGE,
                            widget=forms.DateInput(attrs=DATE_ATTRS), help_text=_("YYYY-MM-DD, WIB, inclusive"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> EventFilters:
        """The valid form as :class:`EventFilters` (call after ``is_valid()``)."""
        data = self.cleaned_data
        tz = timezone.get_default_timezone()

        def start_of(day: Any) -> datetime | None:
            return datetime.combine(day, time.min, tzinfo=tz) if day else None

        until = start_of(data["until"] + timedelta(days=1)) if data.get("until") else None
        return EventFilters(actor=data.get("actor", "").strip(), agency=data.get("agency", "").strip(),
                            action=data.get("action", ""), target_type=data.get("target_type", "").strip(),
                            target_id=data.get("target_id", "").strip(), since=start_of(data.get("since")),
                            until=until)
