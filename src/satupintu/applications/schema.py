"""The form schema of an online service: its shape and its validation when an admin saves it.

A schema is JSON (stored in :class:`~satupintu.applications.models.DefinitionVersion`)::

    {"format": 1,
     "fields": [
       {"name": "alasan", "type": "choice", "required": true,
        "label": {"id": "Alasan", "en": "Reason"}, "help": {"id": "...", "en": "..."},
        "choices": [{"value": "hilang", "label": {"id": "Hilang", "en": "Lost"}}, ...]},
       {"name": "surat_kehilangan", "type": "file", "accept": ["pdf", "jpeg", "png"],
        "required": true, "show_if": {"field": "alasan", "equals": "hilang"}, "label": {...}},
       {"name": "anggota", "type": "group", "rules": {"min_items": 1, "max_items": 10},
        "label": {...}, "fields": [ ...fields without groups... ]}]}

Field types (:data:`FIELD_TYPES`), the rules each accepts (:data:`RULES_BY_TYPE`), conditional
display (``show_if`` on an earlier field of the same level or the top level; ``equals`` one
value or ``in`` a list) and the bilingual texts (``id`` required, ``en`` required) are checked
by :func:`validate_schema`, which returns every problem with the path of the field that has it
(``fields.anggota.fields.nik.rules.pattern``), so an agency admin can fix all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from satupintu.core.errors import FieldError

FORMAT_VERSION = 1
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIELD_TYPES = (
    "text", "textarea", "number", "decimal", "date", "nik", "npwp", "email", "phone", "region", "address",
    "choice", "multichoice", "yesno", "file", "group", "statement",
)
RULES_BY_TYPE: dict[str, set[str]] = {
    "text": {"min_length", "max_length", "pattern", "pattern_message"},
    "textarea": {"min_length", "max_length"},
    "number": {"min", "max"},
    "decimal": {"min", "max", "decimal_places"},
    "date": {"before", "after"},
    "multichoice": {"min_items", "max_items"},
    "group": {"min_items", "max_items"},
    "file": {"max_bytes"},
}
FIELD_KEYS = {"name", "type", "label", "help", "required", "rules", "choices", "show_if", "fields", "accept",
              "text", "region_level", "prefill"}
FILE_KINDS = ("pdf", "jpeg", "png")
MAX_FIELDS = 200
MAX_GROUP_ITEMS = 50
# Relative dates for ``before``/``after``: "today", "today+30d", "today-17y" (d days, y years).
RELATIVE_DATE_RE = re.compile(r"^today(?:([+-])(\d{1,3})([dy]))?$")


def text_in(texts: Any, language: str) -> str:
    """The text of a ``{"id": ..., "en": ...}`` map in ``language``, falling back to Indonesian."""
    if isinstance(texts, dict):
        return str(texts.get(language) or texts.get("id") or "")
    return str(texts or "")


def resolve_date(value: str, today: dt.date) -> dt.date:
    """A ``before``/``after`` bound as a date: ISO ``YYYY-MM-DD`` or relative to ``today``
    (``today``, ``today+30d``, ``today-17y``). Raises ``ValueError`` for anything else."""
    match = RELATIVE_DATE_RE.match(value)
    if not match:
        return dt.date.fromisoformat(value)
    if not match.group(1):
        return today
    amount = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    if match.group(3) == "d":
        return today + dt.timedelta(days=amount)
    try:
        return today.replace(year=today.year + amount)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year + amount, day=28)


def _is_texts(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"id", "en"} and all(
        isinstance(value.get(k), str) and value.get(k, "").strip() for k in ("id", "en"))


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, rule: str, message: str) -> None:
        self.errors.append(FieldError(field=path, rule=rule, message=message))

    def fields(self, fields: Any, path: str, top: dict[str, dict[str, Any]] | None, depth: int) -> None:
        if not isinstance(fields, list) or not fields:
            self.add(path, "required", _("A list of at least one field is required."))
            return
        if len(fields) > MAX_FIELDS:
            self.add(path, "max_items", _("At most %(n)d fields.") % {"n": MAX_FIELDS})
        seen: dict[str, dict[str, Any]] = {}
        for index, spec in enumerate(fields):
            name = spec.get("name") if isinstance(spec, dict) else None
            here = f"{path}.{name}" if isinstance(name, str) and NAME_RE.match(name) else f"{path}[{index}]"
            if not isinstance(spec, dict):
                self.add(here, "type", _("Each field must be a mapping."))
                continue
            self.field(spec, here, seen, top, depth)
            if isinstance(name, str) and NAME_RE.match(name):
                if name in seen:
                    self.add(here, "unique", _("The field name %(name)s is used twice.") % {"name": name})
                seen[name] = spec

    def field(self, spec: dict[str, Any], path: str, earlier: dict[str, dict[str, Any]],
              top: dict[str, dict[str, Any]] | None, depth: int) -> None:
        for key in sorted(set(spec) - FIELD_KEYS, key=str):
            self.add(f"{path}.{key}", "unknown_key", _("Unknown key %(key)s.") % {"key": key})
        name, kind = spec.get("name"), spec.get("type")
        if not isinstance(name, str) or not NAME_RE.match(name):
            self.add(f"{path}.name", "pattern",
                     _("A field name is 1–40 lower-case letters, digits or _, starting with a letter."))
        if kind not in FIELD_TYPES:
            self.add(f"{path}.type", "choice", _("Unknown field type; use one of: %(types)s.")
                     % {"types": ", ".join(FIELD_TYPES)})
            return
        if not _is_texts(spec.get("label")):
            self.add(f"{path}.label", "texts", _("A label needs non-empty id and en texts."))
        if "help" in spec and not _is_texts(spec["help"]):
            self.add(f"{path}.help", "texts", _("Help needs non-empty id and en texts."))
        if "required" in spec and not isinstance(spec["required"], bool):
            self.add(f"{path}.required", "type", _("required is true or false."))
        self.rules(spec, kind, path)
        if kind in {"choice", "multichoice"}:
            self.choices(spec.get("choices"), f"{path}.choices")
        elif "choices" in spec:
            self.add(f"{path}.choices", "unknown_key", _("Only choice fields have choices."))
        if kind == "statement":
            if not _is_texts(spec.get("text")):
                self.add(f"{path}.text", "texts", _("A statement needs its text in id and en."))
            if spec.get("required"):
                self.add(f"{path}.required", "type", _("A statement is read-only and cannot be required."))
        if kind == "file":
            accept = spec.get("accept", list(FILE_KINDS))
            if not isinstance(accept, list) or not accept or any(a not in FILE_KINDS for a in accept):
                self.add(f"{path}.accept", "choice", _("accept lists file kinds among: %(kinds)s.")
                         % {"kinds": ", ".join(FILE_KINDS)})
        if kind in {"region", "address"} and "region_level" in spec and not (
                type(spec["region_level"]) is int and 1 <= spec["region_level"] <= 4):
            self.add(f"{path}.region_level", "range", _("region_level is 1 (province) to 4 (village)."))
        if "prefill" in spec and not (isinstance(spec["prefill"], str) and re.fullmatch(r"[a-z_]+\.[a-z_.]+",
                                                                                         spec["prefill"])):
            self.add(f"{path}.prefill", "pattern", _("prefill names a source claim such as identity.name."))
        if kind == "group":
            if depth > 0:
                self.add(f"{path}.type", "nesting", _("A group cannot contain another group."))
            else:
                self.fields(spec.get("fields"), f"{path}.fields", top=earlier, depth=depth + 1)
        elif "fields" in spec:
            self.add(f"{path}.fields", "unknown_key", _("Only groups have fields."))
        if "show_if" in spec:
            self.show_if(spec["show_if"], f"{path}.show_if", earlier, top)

    def rules(self, spec: dict[str, Any], kind: str, path: str) -> None:
        rules = spec.get("rules", {})
        if not isinstance(rules, dict):
            self.add(f"{path}.rules", "type", _("rules must be a mapping."))
            return
        allowed = RULES_BY_TYPE.get(kind, set())
        for key, value in rules.items():
            here = f"{path}.rules.{key}"
            if key not in allowed:
                self.add(here, "unknown_rule", _("Rule %(rule)s does not apply to a %(type)s field.")
                         % {"rule": key, "type": kind})
            elif key in {"min_length", "max_length", "min_items", "max_items", "decimal_places"}:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    self.add(here, "type", _("%(rule)s must be a whole number ≥ 0.") % {"rule": key})
            elif key == "max_bytes":
                # 0 would read as "no file at all" but meant "the platform's limit" (``max_bytes or ...``).
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    self.add(here, "type", _("max_bytes must be a whole number of bytes ≥ 1 (leave it out "
                                             "for the platform's limit)."))
            elif key in {"min", "max"}:
                if isinstance(value, bool) or not isinstance(value, int | float) or (
                        kind == "number" and not isinstance(value, int)):
                    self.add(here, "type", _("%(rule)s must be a number.") % {"rule": key})
            elif key == "pattern":
                if not isinstance(value, str) or len(value) > 200:
                    self.add(here, "type", _("pattern must be a regular expression of at most 200 characters."))
                else:
                    try:
                        re.compile(value)
                    except re.error as exc:
                        self.add(here, "pattern", _("Invalid regular expression: %(error)s") % {"error": exc})
            elif key == "pattern_message":
                if not _is_texts(value):
                    self.add(here, "texts", _("pattern_message needs id and en texts."))
            elif key in {"before", "after"}:
                try:
                    resolve_date(str(value), dt.date(2000, 1, 1))
                    if not isinstance(value, str):
                        raise ValueError
                except ValueError:
                    self.add(here, "date", _("%(rule)s is YYYY-MM-DD, today, today+Nd or today-Ny.") % {"rule": key})
        for low, high in (("min_length", "max_length"), ("min", "max"), ("min_items", "max_items")):
            lo, hi = rules.get(low), rules.get(high)
            if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
                self.add(f"{path}.rules.{low}", "range", _("%(low)s is larger than %(high)s.")
                         % {"low": low, "high": high})
        if kind == "group" and isinstance(rules.get("max_items"), int) and rules["max_items"] > MAX_GROUP_ITEMS:
            self.add(f"{path}.rules.max_items", "range", _("A group has at most %(n)d items.") % {"n": MAX_GROUP_ITEMS})

    def choices(self, choices: Any, path: str) -> None:
        if not isinstance(choices, list) or not choices:
            self.add(path, "required", _("A choice field needs at least one choice."))
            return
        values = set()
        for index, choice in enumerate(choices):
            here = f"{path}[{index}]"
            if not isinstance(choice, dict) or not isinstance(choice.get("value"), str) or not choice["value"]:
                self.add(f"{here}.value", "required", _("Each choice needs a non-empty text value."))
                continue
            if choice["value"] in values:
                self.add(f"{here}.value", "unique", _("The choice %(value)s is listed twice.")
                         % {"value": choice["value"]})
            values.add(choice["value"])
            if not _is_texts(choice.get("label")):
                self.add(f"{here}.label", "texts", _("A choice label needs id and en texts."))

    def show_if(self, cond: Any, path: str, earlier: dict[str, dict[str, Any]],
                top: dict[str, dict[str, Any]] | None) -> None:
        if not isinstance(cond, dict) or set(cond) - {"field", "equals", "in"} or "field" not in cond or (
                ("equals" in cond) == ("in" in cond)):
            self.add(path, "type", _("show_if is {field: NAME, equals: VALUE} or {field: NAME, in: [VALUES]}."))
            return
        if not isinstance(cond["field"], str):
            self.add(f"{path}.field", "type", _("show_if.field is the name of an earlier field."))
            return
        target = earlier.get(cond["field"]) or (top or {}).get(cond["field"])
        if target is None:
            self.add(f"{path}.field", "reference",
                     _("show_if must name a field that comes earlier in the form: %(name)s does not.")
                     % {"name": cond["field"]})
            return
        if target.get("type") not in {"choice", "multichoice", "yesno", "text", "number"}:
            self.add(f"{path}.field", "reference", _("show_if can depend on a choice, yes/no, text or number field."))
            return
        wanted = [cond["equals"]] if "equals" in cond else cond["in"]
        if not isinstance(wanted, list) or not wanted:
            self.add(f"{path}.in", "type", _("in must be a non-empty list."))
            return
        if target.get("type") == "yesno" and any(not isinstance(w, bool) for w in wanted):
            self.add(path, "type", _("A yes/no field is compared with true or false."))
        # A list or mapping here would never match an answer and breaks the "Only if …" sentence.
        if target.get("type") == "text" and any(not isinstance(w, str) for w in wanted):
            self.add(path, "type", _("A text field is compared with text."))
        if target.get("type") == "number" and any(isinstance(w, bool) or not isinstance(w, int) for w in wanted):
            self.add(path, "type", _("A number field is compared with whole numbers."))
        if target.get("type") in {"choice", "multichoice"}:
            known = {c.get("value") for c in target.get("choices") or [] if isinstance(c, dict)}
            for value in wanted:
                if not isinstance(value, str) or value not in known:
                    self.add(path, "choice", _("%(value)s is not one of the choices of %(name)s.")
                             % {"value": value, "name": cond["field"]})


def validate_schema(schema: Any) -> list[FieldError]:
    """Every problem of a form schema, each with its path (``form.fields.nik.rules.pattern``),
    a rule name and a message in the active language. An empty list means the schema is valid."""
    checker = _Checker()
    if not isinstance(schema, dict):
        checker.add("form", "type", _("The form must be a mapping with format and fields."))
        return checker.errors
    for key in sorted(set(schema) - {"format", "fields"}, key=str):
        checker.add(f"form.{key}", "unknown_key", _("Unknown key %(key)s.") % {"key": key})
    if schema.get("format") != FORMAT_VERSION:
        checker.add("form.format", "version", _("Schema format must be %(v)d.") % {"v": FORMAT_VERSION})
    checker.fields(schema.get("fields"), "form.fields", top=None, depth=0)
    return checker.errors


def iter_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level field specs of a (valid) schema."""
    return list(schema.get("fields") or [])
