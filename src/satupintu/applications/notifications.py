"""E-mail to the applicant on every status change, sent by a background task (django-tasks).

Who to write to comes from a pluggable contact source (like prefill): the identity app will
register one returning the citizen's verified e-mail for a principal id. Without a source no
e-mail is sent (nothing is guessed from form answers). The task is scheduled with
``transaction.on_commit`` so a rolled-back change never sends mail; it is idempotent per
(application, event): the event id is in the message headers, and the mail names the state that
event reached (not the application's state when the task runs).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from satupintu.applications.models import Application, ApplicationEvent, ApplicationStatus
from satupintu.applications.schema import text_in
from satupintu.applications.workflow import Workflow

ContactSource = Callable[[str, str], tuple[str, str] | None]
"""``(applicant_kind, applicant_id) -> (e-mail, language)`` or ``None``."""

_CONTACT: list[ContactSource] = []


def register_contact_source(source: ContactSource) -> None:
    _CONTACT[:] = [source]


def clear_contact_source() -> None:
    _CONTACT.clear()


def schedule_status_mail(application: Application, event: ApplicationEvent) -> None:
    """Queue the status e-mail for ``event`` once the current transaction commits."""
    transaction.on_commit(lambda: send_status_mail.enqueue(application.pk, event.pk))


@task()
def send_status_mail(application_id: int, event_id: int) -> bool:
    """Send one status e-mail. Returns False when there is no contact (nothing to do)."""
    if not _CONTACT:
        return False
    application = Application.objects.select_related("definition", "version").filter(pk=application_id).first()
    event = ApplicationEvent.objects.filter(pk=event_id, application_id=application_id).first()
    if application is None or event is None:
        return False
    contact = _CONTACT[0](application.applicant_kind, application.applicant_id)
    if contact is None:
        return False
    address, language = contact
    with translation.override(language if language in {"id", "en"} else "id"):
        # The state this event reached, not the application's state when the task runs (a lagging
        # worker would otherwise name the latest state in every mail); a cancellation by its status.
        if event.action == "cancelled":
            label = str(ApplicationStatus.CANCELLED.label)
        else:
            state = Workflow(application.version.workflow).states.get(event.to_state or application.state, {})
            label = text_in(state.get("label"), language) or application.get_status_display()
        service = application.definition.name_id if language != "en" else application.definition.name_en
        # One line: a label written as a YAML block ends in a newline, and a header with one
        # makes Django refuse the whole message (BadHeaderError), so no mail would go out.
        subject = " ".join((_("Application %(number)s: %(state)s") % {
            "number": application.tracking_number or "", "state": label}).split())
        lines = [_("Service: %(service)s") % {"service": service}, subject]
        if event.reason:
            lines.append(_("Note from the officer: %(reason)s") % {"reason": event.reason})
        body = "\n".join(lines)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address],
                 headers={"X-Satupintu-Event": str(event.pk)}).send()
    return True
