"""The holiday calendar in the back-office: a day added, changed or removed moves working-day
deadlines, so each change is audited (who, which date) in its transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.core.models import Holiday
from satupintu.identity.testing import make_platform_admin

pytestmark = pytest.mark.django_db


def test_adding_changing_and_removing_a_holiday_in_the_back_office_is_audited() -> None:
    admin_user = make_platform_admin()
    browser = Client()
    browser.force_login(admin_user)
    added = browser.post("/kelola/core/holiday/add/", {"date": "2031-08-18", "kind": "cuti_bersama",
                                                       "name_id": "Cuti bersama HUT RI", "name_en": ""})
    assert added.status_code == 302, added.content.decode()[:2000]
    holiday = Holiday.objects.get(date=dt.date(2031, 8, 18))
    event = AuditEvent.objects.get(action="holiday.saved")
    assert event.actor_id == str(admin_user.pk) and event.target_id == str(holiday.pk)
    assert event.details["date"] == "2031-08-18" and event.details["created"] is True
    changed = browser.post(f"/kelola/core/holiday/{holiday.pk}/change/", {
        "date": "2031-08-18", "kind": "cuti_bersama", "name_id": "Cuti bersama HUT RI", "provisional": "on"})
    assert changed.status_code == 302
    assert AuditEvent.objects.filter(action="holiday.saved").latest("seq").details["fields"] == ["provisional"]
    removed = browser.post(f"/kelola/core/holiday/{holiday.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302 and not Holiday.objects.filter(pk=holiday.pk).exists()
    gone = AuditEvent.objects.get(action="holiday.deleted")
    assert gone.details == {"date": "2031-08-18", "kind": "cuti_bersama", "name_id": "Cuti bersama HUT RI"}
