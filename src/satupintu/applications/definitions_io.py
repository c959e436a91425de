"""Online service definitions as YAML: parse, check, export.

File format (one service per file, see ``applications/definitions/*.yaml``)::

    slug: dukcapil-ktp-el-penggantian        # the definition's stable key
    service: dukcapil-ktp-el-penggantian     # catalogue service slug (services.yaml id)
    agency: dukcapil                         # agency code (agencies.yaml code)
    name: {id: ..., en: ...}
    time_zone: ""                            # optional: Asia/Jakarta | Asia/Makassar | Asia/Jayapura
    level_of_assurance: 2                    # 1–3
    sla_working_days: 5
    outcome_template: ktp-el-pengganti
    documents: [{code: kk, label: {id: ..., en: ...}, field: kk}]
    form: {format: 1, fields: [...]}         # see satupintu.applications.schema
    workflow: {initial: ..., states: [...], transitions: [...]}

:func:`parse_definition` returns the checked content or raises
:class:`~satupintu.core.errors.InvalidInput` listing every problem with its path.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

from satupintu.applications.schema import validate_schema
from satupintu.applications.workflow import validate_workflow
from satupintu.core.errors import FieldError, InvalidInput

TOP_KEYS = {"slug", "service", "agency", "name", "time_zone", "level_of_assurance", "sla_working_days",
            "outcome_template", "documents", "form", "workflow"}
REQUIRED_KEYS = TOP_KEYS - {"time_zone", "outcome_template", "documents"}
ZONES = {"", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
NAME_MAX = 255  # OnlineServiceDefinition.name_id / name_en
TEMPLATE_MAX = 80  # DefinitionVersion.outcome_template


@dataclass
class DefinitionContent:
    slug: str
    service_slug: str
    agency_code: str
    name_id: str
    name_en: str
    time_zone: str
    required_loa: int
    sla_working_days: int
    outcome_template: str
    documents: list[dict[str, Any]]
    form_schema: dict[str, Any]
    workflow: dict[str, Any]

    def content_hash(self) -> str:
        """SHA-256 over the versioned content (what a published version freezes)."""
        payload = {"form": self.form_schema, "workflow": self.workflow, "documents": self.documents,
                   "loa": self.required_loa, "sla": self.sla_working_days, "outcome": self.outcome_template}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def definition_errors(form_schema: Any, workflow: Any, documents: Any) -> list[FieldError]:
    """Problems of the versioned parts: schema, workflow and the documents list (each document
    must point at a file field of the form)."""
    errors = validate_schema(form_schema) + validate_workflow(workflow)
    file_fields = set()
    if isinstance(form_schema, dict) and isinstance(form_schema.get("fields"), list):
        for spec in form_schema["fields"]:
            if isinstance(spec, dict) and spec.get("type") == "file" and isinstance(spec.get("name"), str):
                file_fields.add(spec.get("name"))
            if isinstance(spec, dict) and spec.get("type") == "group" and isinstance(spec.get("fields"), list):
                file_fields |= {f"{spec.get('name')}.{s.get('name')}" for s in spec["fields"]
                                if isinstance(s, dict) and s.get("type") == "file"}
    if not isinstance(documents, list):
        errors.append(FieldError("documents", "type", _("documents must be a list.")))
        return errors
    codes = set()
    for index, doc in enumerate(documents):
        path = f"documents[{index}]"
        if not isinstance(doc, dict) or set(doc) - {"code", "label", "field"} or not isinstance(doc.get("code"), str):
            errors.append(FieldError(path, "type", _("A document has code, label and field.")))
            continue
        if doc["code"] in codes:
            errors.append(FieldError(f"{path}.code", "unique", _("The document code %(code)s is listed twice.")
                                     % {"code": doc["code"]}))
        codes.add(doc["code"])
        if not (isinstance(doc.get("label"), dict) and doc["label"].get("id") and doc["label"].get("en")):
            errors.append(FieldError(f"{path}.label", "texts", _("A label needs non-empty id and en texts.")))
        if not isinstance(doc.get("field"), str) or doc["field"] not in file_fields:
            errors.append(FieldError(f"{path}.field", "reference",
                                     _("field must name a file field of the form.")))
    return errors


def _int_in(data: dict[str, Any], key: str, low: int, high: int, errors: list[FieldError]) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(FieldError(key, "range", _("%(key)s must be a whole number from %(low)d to %(high)d.")
                                 % {"key": key, "low": low, "high": high}))
        return low
    return value


def parse_definition(data: Any) -> DefinitionContent:
    """Check a definition mapping (from YAML or JSON). Raises :class:`InvalidInput` with every
    problem (unknown or missing keys, bad slugs, schema, workflow and documents errors)."""
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise InvalidInput([FieldError("definition", "type", _("A definition is a mapping."))])
    for key in sorted(set(data) - TOP_KEYS, key=str):
        errors.append(FieldError(str(key), "unknown_key", _("Unknown key %(key)s.") % {"key": key}))
    for key in sorted(REQUIRED_KEYS - set(data)):
        errors.append(FieldError(key, "required", _("%(key)s is required.") % {"key": key}))
    for key in ("slug", "service", "agency"):
        if key in data and not (isinstance(data[key], str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", data[key])):
            errors.append(FieldError(key, "pattern", _("%(key)s is a lower-case slug.") % {"key": key}))
    name = data.get("name")
    if "name" in data and not (isinstance(name, dict) and set(name) == {"id", "en"} and name.get("id")
                               and name.get("en")):
        errors.append(FieldError("name", "texts", _("name needs non-empty id and en texts.")))
    elif isinstance(name, dict):
        for lang in ("id", "en"):
            if not isinstance(name[lang], str) or len(name[lang]) > NAME_MAX:
                errors.append(FieldError(f"name.{lang}", "max_length", _("A name is text of at most %(n)d "
                                                                         "characters.") % {"n": NAME_MAX}))
    if not isinstance(data.get("time_zone", ""), str) or data.get("time_zone", "") not in ZONES:
        errors.append(FieldError("time_zone", "choice",
                                 _("time_zone is Asia/Jakarta, Asia/Makassar or Asia/Jayapura.")))
    loa = _int_in(data, "level_of_assurance", 1, 3, errors) if "level_of_assurance" in data else 2
    sla = _int_in(data, "sla_working_days", 0, 365, errors) if "sla_working_days" in data else 0
    if not isinstance(data.get("outcome_template", ""), str) or len(data.get("outcome_template", "")) > TEMPLATE_MAX:
        errors.append(FieldError("outcome_template", "type", _("outcome_template is a name of at most %(n)d "
                                                               "characters.") % {"n": TEMPLATE_MAX}))
    if "form" in data and "workflow" in data:
        errors += definition_errors(data["form"], data["workflow"], data.get("documents", []))
    if errors:
        raise InvalidInput(errors, detail=_("The service definition has %(n)d problem(s).") % {"n": len(errors)})
    assert isinstance(name, dict)
    return DefinitionContent(
        slug=data["slug"], service_slug=data["service"], agency_code=data["agency"], name_id=name["id"],
        name_en=name["en"], time_zone=data.get("time_zone", ""), required_loa=loa, sla_working_days=sla,
        outcome_template=data.get("outcome_template", ""), documents=list(data.get("documents", [])),
        form_schema=data["form"], workflow=data["workflow"],
    )


def load_yaml(text: str) -> Any:
    """Parse YAML text safely; a syntax error becomes :class:`InvalidInput` naming the line.

    Aliases (``*name``) are refused (rule ``alias``, naming the line): a definition never needs
    them, and a few lines of nested aliases expand to billions of nodes when the definition is
    checked, hashed or stored ("billion laughs")."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark is not None else 0
                raise InvalidInput([FieldError(f"line {line}", "alias", str(_(
                    "YAML aliases (*%(name)s) are not allowed in a service definition: write the value out.")
                    % {"name": event.anchor}))])
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "yaml"
        raise InvalidInput([FieldError(where, "syntax", str(exc))]) from exc


def export_definition(version: Any) -> str:
    """YAML text of one definition version (the same format :func:`parse_definition` reads)."""
    definition = version.definition
    data = {
        "slug": definition.slug, "service": definition.service_slug, "agency": definition.agency.code,
        "name": {"id": definition.name_id, "en": definition.name_en},
        **({"time_zone": definition.time_zone} if definition.time_zone else {}),
        "level_of_assurance": version.required_loa, "sla_working_days": version.sla_working_days,
        "outcome_template": version.outcome_template, "documents": version.documents,
        "form": version.form_schema, "workflow": version.workflow,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
