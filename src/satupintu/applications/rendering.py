"""Shapes for templates: the form laid out by schema, stored answers shown with labels, and the
timeline in words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from satupintu.applications.forms_engine import ADD_PREFIX, ADDRESS_PARTS, REMOVE_PREFIX, SchemaForm, condition_text
from satupintu.applications.schema import text_in
from satupintu.applications.workflow import Workflow


def _lang() -> str:
    return get_language() or "id"


def form_layout(form: SchemaForm) -> list[dict[str, Any]]:
    """One item per top-level field: ``kind`` (field, address, group, statement), its label,
    help, condition sentence and bound fields (groups: ``rows`` of bound fields and the names
    of the add/remove buttons)."""
    fields = form.schema["fields"]
    items: list[dict[str, Any]] = []
    for spec in fields:
        name, kind = spec["name"], spec["type"]
        item: dict[str, Any] = {"name": name, "kind": kind, "label": text_in(spec.get("label"), _lang()),
                                "help": text_in(spec.get("help"), _lang()), "required": bool(spec.get("required")),
                                "condition": condition_text(spec, fields)}
        if kind == "statement":
            item["text"] = text_in(spec.get("text"), _lang())
        elif kind == "address":
            item["bound"] = [form[f"{name}-{part}"] for part in ADDRESS_PARTS]
        elif kind == "group":
            rows = []
            for i in range(form.group_counts[name]):
                rows.append({"number": i + 1, "bound": [form[f"{name}-{i}-{sub['name']}"] for sub in spec["fields"]
                                                        if sub["type"] not in {"statement", "address", "group"}]})
            rules = spec.get("rules", {})
            item.update(rows=rows, count_field=form[f"{name}-count"], add=f"{ADD_PREFIX}{name}",
                        remove=f"{REMOVE_PREFIX}{name}",
                        can_add=form.group_counts[name] < rules.get("max_items", 50),
                        can_remove=form.group_counts[name] > max(1, rules.get("min_items", 0)))
        else:
            item["bound"] = [form[name]]
        items.append(item)
    return items


def _region_name(code: str) -> str:
    """``"33.74"`` → ``"Kota Semarang (33.74)"``: the region's name with its code (the bare code
    when it is unknown, e.g. a region retired after the answer was saved)."""
    from satupintu.regions import selectors as regions

    region = regions.region_by_code(code) if code else None
    return f"{region.nama} ({code})" if region is not None else code


def _show(spec: dict[str, Any], value: Any) -> str:
    kind = spec["type"]
    if kind == "yesno":
        return str(_("Yes") if value else _("No"))
    if kind in {"choice", "multichoice"}:
        labels = {c["value"]: text_in(c["label"], _lang()) for c in spec.get("choices", [])}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if kind == "region" and isinstance(value, str):
        return _region_name(value)
    if kind == "address" and isinstance(value, dict):
        parts = [value.get("street", "")]
        if value.get("rt") or value.get("rw"):
            parts.append(f"RT {value.get('rt', '-')}/RW {value.get('rw', '-')}")
        parts += [_region_name(value.get("region", "")), value.get("postal_code", "")]
        return ", ".join(p for p in parts if p)
    if kind == "file" and isinstance(value, dict):
        return str(value.get("name", ""))
    if kind == "date" and isinstance(value, str):
        import datetime as dt

        from django.utils.formats import date_format

        try:
            return date_format(dt.date.fromisoformat(value), "j F Y")  # "1 Januari 1990" / "1 January 1990"
        except ValueError:
            return value
    return str(value)


def answer_rows(schema: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Stored answers as rows ``{label, value, upload}`` (groups: ``rows`` of such rows) in the
    schema's order, for the review, status and officer pages."""
    out: list[dict[str, Any]] = []
    for spec in schema["fields"]:
        if spec["type"] == "statement" or spec["name"] not in answers:
            continue
        value = answers[spec["name"]]
        label = text_in(spec.get("label"), _lang())
        if spec["type"] == "group":
            out.append({"label": label, "group": [answer_rows({"fields": spec["fields"]}, row) for row in value]})
        else:
            upload = value.get("upload") if spec["type"] == "file" and isinstance(value, dict) else None
            out.append({"label": label, "value": _show(spec, value), "upload": upload})
    return out


# The platform's own timeline events (``ApplicationEvent.action`` written by ``actions``); any
# other action is a workflow transition, shown by the workflow's own label.
PLATFORM_EVENTS = {
    "created": gettext_lazy("Draft created"),
    "submitted": gettext_lazy("Application sent"),
    "claimed": gettext_lazy("Taken by an officer"),
    "cancelled": gettext_lazy("Cancelled"),
}


def timeline_rows(application: Any) -> list[dict[str, Any]]:
    """The application's events as rows ``{at, actor, action, state, reason}`` in the active
    language: platform events by their translated name, transitions and states by the labels
    of the application's own workflow version (id/en). ``state`` is the state reached, empty
    when the event did not change it (e.g. an officer taking the task). An action or state
    the workflow no longer names is shown as stored."""
    workflow = Workflow(application.version.workflow)
    rows = []
    for event in application.events.all():
        if event.action in PLATFORM_EVENTS:
            action = str(PLATFORM_EVENTS[event.action])
        else:
            transition = workflow.transition(event.action)
            action = text_in(transition.label, _lang()) if transition else ""
        state = ""
        if event.to_state and event.to_state != event.from_state:
            state = text_in(workflow.states.get(event.to_state, {}).get("label"), _lang()) or event.to_state
        rows.append({"at": event.at, "actor": event.actor_display, "action": action or event.action,
                     "state": state, "reason": event.reason})
    return rows


def status_label(application: Any) -> str:
    """The one status label of an application shown to citizens and officers alike (status page,
    "Permohonan saya", officer page), in the active language: a draft or a cancelled
    application by its life-cycle status ("Draf", "Dibatalkan"); otherwise by the label its own
    workflow version gives its state ("Perlu perbaikan", "Disetujui"), or the life-cycle status
    when the workflow does not name that state."""
    from satupintu.applications.models import ApplicationStatus

    fallback = str(application.get_status_display())
    if application.status in (ApplicationStatus.DRAFT, ApplicationStatus.CANCELLED) or not application.state:
        return fallback
    state = Workflow(application.version.workflow).states.get(application.state, {})
    return text_in(state.get("label"), _lang()) or fallback


def status_labels(applications: list[Any]) -> list[str]:
    """:func:`status_label` for many applications (a queue page) without loading each one's
    version: the workflows of the versions they use are read in one query."""
    from satupintu.applications.models import ApplicationStatus, DefinitionVersion

    wanted = {a.version_id for a in applications}
    workflows = {pk: Workflow(workflow) for pk, workflow in
                 DefinitionVersion.objects.filter(pk__in=wanted).values_list("pk", "workflow")}
    labels = []
    for application in applications:
        fallback = str(application.get_status_display())
        if application.status in (ApplicationStatus.DRAFT, ApplicationStatus.CANCELLED) or not application.state:
            labels.append(fallback)
            continue
        state = workflows[application.version_id].states.get(application.state, {})
        labels.append(text_in(state.get("label"), _lang()) or fallback)
    return labels


def revision_request(application: Any) -> dict[str, Any] | None:
    """When ``application`` waits for its applicant to revise it: the request that sent it back,
    ``{at, actor, reason}`` (the latest event that moved it into its current state), else
    ``None``. ``reason`` is the officer's text as stored (templates escape it)."""
    from satupintu.applications.models import ApplicationStatus

    if application.status != ApplicationStatus.IN_PROCESS or not Workflow(
            application.version.workflow).waits_for_applicant(application.state):
        return None
    event = application.events.filter(to_state=application.state).exclude(
        from_state=application.state).order_by("-at", "-id").first()
    if event is None:
        return None
    return {"at": event.at, "actor": event.actor_display, "reason": event.reason}
