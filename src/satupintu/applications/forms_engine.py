"""Build a Django form from a form schema and turn a POST (or JSON answers) into clean answers.

Works without JavaScript: a repeatable group renders ``count`` rows and two submit buttons
("add another" ``_add-<group>``, "remove the last" ``_remove-<group>``) that re-render the form
with one row more or less (:meth:`SchemaForm.is_refresh`); conditional fields are always in the
page with a hint saying when they apply, and the server drops the answers of fields whose
condition is not met (and does not require them).

Server-side rules: names not in the schema are ignored (HTML POST) or refused
(:func:`answers_to_data`, for JSON); each value is checked by its type and rules; errors are
attached to the field's own input in the active language; the posted data stays in the form.
A form posted against another schema version than the current one is refused with a form-level
error (``stale_version``) and comes back with the data entered.

Answers (JSON, stored in ``Application.answers``): ``{name: value}`` with text fields as
strings, ``number`` int, ``decimal`` string (``"12.50"``), ``date`` ISO string, ``yesno`` bool,
``multichoice`` list, ``region`` kode wilayah, ``address`` ``{street, rt, rw, region,
postal_code}``, ``file`` ``{"upload": id, "name": ..., "kind": ...}`` and ``group`` a list of
such mappings. ``statement`` fields have no answer.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from satupintu.applications import uploads, validators
from satupintu.applications.schema import MAX_GROUP_ITEMS, resolve_date, text_in
from satupintu.core.errors import FieldError
from satupintu.regions.forms import REFRESH_BUTTON, RegionField
from satupintu.regions.selectors import check_postal_code

VERSION_FIELD = "_version"
ADD_PREFIX = "_add-"
REMOVE_PREFIX = "_remove-"
# ``_staged-<input name>``: the uid of a file kept from an earlier failed save of this form (ADR 0115).
STAGED_PREFIX = "_staged-"
ADDRESS_PARTS = ("street", "rt", "rw", "region", "postal_code")
EMPTY: tuple[Any, ...] = (None, "", [], {}, ())


class LenientDecimalField(forms.DecimalField):
    """A decimal that accepts Indonesian ``12,5`` and English ``12.5`` (one separator, no
    thousands grouping), whatever the active language."""

    def to_python(self, value: Any) -> decimal.Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class NikField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validators.validate_nik(value) if value else value


class NpwpField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validators.validate_npwp(value) if value else value


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validators.normalise_phone(value) if value else value


def _date_bound_validator(rule: str, bound_text: str) -> Any:
    """A date field's ``before``/``after`` rule (exclusive bounds). The message names the last
    (``before``) or first (``after``) allowed day in words in the active language, e.g. "The date
    must be 30 November 2026 or earlier.", never the excluded bound as an ISO date."""
    from django.utils.formats import date_format

    def check(value: Any) -> None:
        today = timezone.localdate()
        bound = resolve_date(bound_text, today)
        if rule == "before" and not value < bound:
            last = date_format(bound - dt.timedelta(days=1), "j F Y")
            raise ValidationError(_("The date must be %(date)s or earlier.") % {"date": last}, code="before")
        if rule == "after" and not value > bound:
            first = date_format(bound + dt.timedelta(days=1), "j F Y")
            raise ValidationError(_("The date must be %(date)s or later.") % {"date": first}, code="after")
    return check


def _texts(spec: dict[str, Any], key: str) -> str:
    return text_in(spec.get(key), get_language() or "id")


def django_field(spec: dict[str, Any]) -> forms.Field | None:
    """The Django form field for one scalar field spec (``None`` for a statement; groups and
    addresses are expanded by :class:`SchemaForm`). ``required`` is enforced by the form after
    conditional display is decided, so every field here is built with ``required=False``."""
    kind = spec["type"]
    rules = spec.get("rules", {})
    common: dict[str, Any] = {"required": False, "label": _texts(spec, "label"), "help_text": _texts(spec, "help")}
    if kind in {"text", "textarea"}:
        extra: dict[str, Any] = {}
        if kind == "textarea":
            extra["widget"] = forms.Textarea(attrs={"rows": 4})
        field: forms.Field = forms.CharField(max_length=rules.get("max_length", 200 if kind == "text" else 4000),
                                             min_length=rules.get("min_length"), **extra, **common)
        if "pattern" in rules:
            message = text_in(rules.get("pattern_message"), get_language() or "id") or _("The format is not valid.")
            field.validators.append(RegexValidator(rf"^(?:{rules['pattern']})\Z", message=message, code="pattern"))
        return field
    if kind == "number":
        return forms.IntegerField(min_value=rules.get("min"), max_value=rules.get("max"), **common)
    if kind == "decimal":
        places = rules.get("decimal_places", 2)
        return LenientDecimalField(min_value=_dec(rules.get("min")), max_value=_dec(rules.get("max")),
                                   max_digits=18, decimal_places=places,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == "date":
        field = forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
        for rule in ("before", "after"):
            if rule in rules:
                field.validators.append(_date_bound_validator(rule, rules[rule]))
        return field
    if kind == "nik":
        return NikField(**common)
    if kind == "npwp":
        return NpwpField(**common)
    if kind == "email":
        return forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common)
    if kind == "phone":
        return PhoneField(**common)
    if kind == "region":
        return RegionField(required_level=spec.get("region_level", 4), **common)
    if kind in {"choice", "multichoice"}:
        choices = [(c["value"], text_in(c["label"], get_language() or "id")) for c in spec["choices"]]
        if kind == "choice":
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "yesno":
        return forms.TypedChoiceField(choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
                                      coerce=lambda v: v == "yes", empty_value=None, widget=forms.RadioSelect,
                                      **common)
    if kind == "file":
        accept = ",".join({"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[k]
                          for k in spec.get("accept", ["pdf", "jpeg", "png"]))
        return forms.FileField(widget=forms.FileInput(attrs={"accept": accept}), max_length=255, **common)
    return None


def _dec(value: Any) -> decimal.Decimal | None:
    return None if value is None else decimal.Decimal(str(value))


def _address_fields(spec: dict[str, Any]) -> dict[str, forms.Field]:
    label = _texts(spec, "label")
    return {
        "street": forms.CharField(required=False, max_length=200, label=_("Street, house number"),
                                  widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"})),
        "rt": forms.RegexField(r"^\d{1,3}\Z", required=False, label=_("RT"), max_length=3,
                               error_messages={"invalid": _("RT is 1–3 digits.")}),
        "rw": forms.RegexField(r"^\d{1,3}\Z", required=False, label=_("RW"), max_length=3,
                               error_messages={"invalid": _("RW is 1–3 digits.")}),
        "region": RegionField(required=False, required_level=spec.get("region_level", 4),
                              label=_("Region of %(label)s") % {"label": label}),
        "postal_code": forms.RegexField(r"^\d{5}\Z", required=False, label=_("Postal code"), max_length=5,
                                        error_messages={"invalid": _("A postal code has 5 digits.")},
                                        widget=forms.TextInput(attrs={"autocomplete": "postal-code"})),
    }


def _is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_empty(v) for v in value.values())
    if isinstance(value, UploadedFile | uploads.CheckedFile):
        return False
    return value is None or value in EMPTY


def _condition_met(spec: dict[str, Any], values: dict[str, Any]) -> bool:
    cond = spec.get("show_if")
    if not cond:
        return True
    current = values.get(cond["field"])
    wanted = [cond["equals"]] if "equals" in cond else list(cond["in"])
    if isinstance(current, list):
        return any(item in wanted for item in current)
    return current in wanted


def condition_text(spec: dict[str, Any], schema_fields: Iterable[dict[str, Any]]) -> str:
    """A sentence telling when a conditional field applies ("Only if Reason is Lost."), shown
    next to it so the form makes sense without JavaScript."""
    cond = spec.get("show_if")
    if not cond:
        return ""
    language = get_language() or "id"
    target = next((f for f in schema_fields if f.get("name") == cond["field"]), {})
    wanted = [cond["equals"]] if "equals" in cond else list(cond["in"])
    labels = {c["value"]: text_in(c["label"], language) for c in target.get("choices") or []}
    shown = []
    for value in wanted:
        if isinstance(value, bool):
            shown.append(str(_("Yes") if value else _("No")))
        else:
            shown.append(labels.get(value, str(value)))
    return _("Only if %(field)s is %(values)s.") % {"field": text_in(target.get("label"), language),
                                                    "values": _(" or ").join(shown)}


class SchemaForm(forms.Form):
    """The form of one schema version. Bound to ``data``/``files`` (a POST) or unbound with
    ``answers`` (resume a draft). ``partial`` (a draft): completeness rules are not checked
    (``required``, a group's or multichoice's ``min_items``, a region's depth), every format
    rule still is. ``existing_files`` maps a file path (``"ktp"``,
    ``"anggota.0.akta"``) to the stored upload reference that satisfies a required file.

    After :meth:`is_valid`, :attr:`answers` holds the clean answers (hidden fields dropped) and
    :attr:`new_files` the uploaded files by path, to be stored by the caller.
    """

    required_css_class = "required"
    _errors: Any

    def __init__(self, schema: dict[str, Any], *, version: int, data: Any = None, files: Any = None,
                 answers: dict[str, Any] | None = None, existing_files: dict[str, dict[str, Any]] | None = None,
                 partial: bool = False, **kwargs: Any) -> None:
        self.schema = schema
        self.version = version
        self.partial = partial
        self.existing_files = dict(existing_files or {})
        self.answers: dict[str, Any] = {}
        self.new_files: dict[str, uploads.CheckedFile] = {}
        self.new_file_inputs: dict[str, str] = {}
        self.staged_files: dict[str, dict[str, Any]] = {}
        initial = flatten_answers(schema, answers or {}) if data is None else {}
        super().__init__(data=data, files=files, initial=initial, **kwargs)
        # Text, not a number: whatever is posted is compared in :meth:`clean`, so a garbled value
        # gets the "form changed" message rather than a number error under an internal name.
        self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, initial=str(version), required=False)
        self.group_counts: dict[str, int] = {}
        for spec in schema["fields"]:
            self._add_spec(spec, spec["name"], answers or {})
        if partial:
            # A draft keeps a region chosen only part of the way (e.g. the province): the depth
            # the schema asks for is a completeness rule, like ``required``, checked at review
            # and submit. A code that does not exist or does not fit the one above is still refused.
            for field in self.fields.values():
                if isinstance(field, RegionField):
                    field.required_level = 1
        if not self.is_bound:
            self._fold_region_initials()

    def _fold_region_initials(self) -> None:
        """A resumed draft shows its regions: :func:`flatten_answers` gives a region as the
        per-level inputs (``wilayah_0`` … ``wilayah_3``, as posted), but an unbound field takes its
        initial value by field name, so fold them into the deepest code (``wilayah``)."""
        for name, field in self.fields.items():
            if isinstance(field, RegionField):
                levels = [self.initial.pop(f"{name}_{i}", "") for i in range(4)]
                deepest = next((code for code in reversed(levels) if code), "")
                if deepest:
                    self.initial[name] = deepest

    # --- building ---------------------------------------------------------------------------
    def _group_count(self, spec: dict[str, Any], answers: dict[str, Any]) -> int:
        rules = spec.get("rules", {})
        low = max(1, rules.get("min_items", 0))
        high = min(rules.get("max_items", MAX_GROUP_ITEMS), MAX_GROUP_ITEMS)
        name = spec["name"]
        if self.data:
            try:
                count = int(self.data.get(f"{name}-count", low))
            except (TypeError, ValueError):
                count = low
            if f"{ADD_PREFIX}{name}" in self.data:
                count += 1
            if f"{REMOVE_PREFIX}{name}" in self.data:
                count -= 1
        else:
            count = len(answers.get(name) or [])
        return max(low, min(high, count))

    def _add_spec(self, spec: dict[str, Any], prefix: str, answers: dict[str, Any]) -> None:
        kind = spec["type"]
        if kind == "group":
            count = self._group_count(spec, answers)
            self.group_counts[spec["name"]] = count
            self.fields[f"{prefix}-count"] = forms.IntegerField(widget=forms.HiddenInput, initial=count,
                                                                required=False)
            if self.is_bound and str(self.data.get(f"{prefix}-count", "")) != str(count):
                # The re-rendered form (after "add another"/"remove") must send back the rows it
                # shows: a bound hidden field renders the posted value, so post the new count.
                data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or MultiValueDict
                data[f"{prefix}-count"] = str(count)
                self.data = data
            for i in range(count):
                for sub in spec["fields"]:
                    self._add_spec(sub, f"{prefix}-{i}-{sub['name']}", {})
        elif kind == "address":
            for part, field in _address_fields(spec).items():
                self.fields[f"{prefix}-{part}"] = field
        else:
            scalar = django_field(spec)
            if scalar is not None:
                self.fields[prefix] = scalar

    def show_staged(self, key: str, ref: dict[str, Any]) -> None:
        """Show the file input ``key`` as already answered by a kept upload (ADR 0115): ``ref`` is
        ``{"uid", "name", "size"}``; the page prints "already uploaded: name (size)" and sends the
        uid back in ``_staged-<key>``, so the citizen need not choose the file again."""
        field = self.fields.get(key)
        if not isinstance(field, forms.FileField):
            return
        self.staged_files[key] = ref
        field.staged = ref  # type: ignore[attr-defined]  # read by the template (bound.field.staged)
        described = f"id_{key}_helptext id_{key}_staged" if field.help_text else f"id_{key}_staged"
        field.widget.attrs["aria-describedby"] = described

    def is_refresh(self) -> bool:
        """True when the POST came from an "add another"/"remove" group button or a region
        picker's "show the next list" button: re-render, do not submit."""
        if not self.is_bound:
            return False
        keys = set(self.data)
        return REFRESH_BUTTON in keys or any(k.startswith((ADD_PREFIX, REMOVE_PREFIX)) for k in keys)

    # --- cleaning ---------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        posted = self.data.get(VERSION_FIELD)
        if str(posted) != str(self.version):  # missing counts as stale: the page always sends it
            raise ValidationError(
                _("This form was changed after you opened it. Check your answers and send them again."),
                code="stale_version")
        self._top: dict[str, Any] = {}
        self.answers = self._collect(self.schema["fields"], "", "", "", self._top)
        self._check_total_size()
        return cleaned or {}

    def _check_total_size(self) -> None:
        kept = {path: ref for path, ref in file_paths(self.schema, self.answers).items()}
        total = sum(int(ref.get("size", 0)) for ref in kept.values()) + sum(f.size for f in self.new_files.values())
        if self.new_files and total > uploads.max_total_bytes():
            limit = uploads.max_total_bytes() // (1024 * 1024)
            for path, key in self.new_file_inputs.items():
                self.add_error(key, ValidationError(
                    _("All files of one application together may be at most %(limit)d MB.") % {"limit": limit},
                    code="total_too_large"))
                self.new_files.pop(path, None)

    def _drop_errors(self, prefix: str) -> None:
        for key in [k for k in self._errors if k == prefix or k.startswith(f"{prefix}-")]:
            del self._errors[key]

    def _collect(self, specs: list[dict[str, Any]], prefix: str, path: str, source: str,
                 values: dict[str, Any]) -> dict[str, Any]:
        """Clean answers of ``specs``: ``prefix`` of input names, ``path`` of the answer in the
        result (group rows compacted), ``source`` of the answer in the stored draft."""
        out: dict[str, Any] = {}
        for spec in specs:
            name, kind = spec["name"], spec["type"]
            key, here = f"{prefix}{name}", f"{path}{name}"
            if kind == "statement":
                continue
            scope = {**self._top, **values}
            if not _condition_met(spec, scope):
                self._drop_errors(key)
                continue
            value = self._value(spec, key, here, f"{source}{name}")
            if value is _INVALID:
                continue
            values[name] = value
            if _is_empty(value):
                if spec.get("required") and not self.partial:
                    self.add_error(self._error_target(spec, key),
                                   ValidationError(self.fields[VERSION_FIELD].error_messages["required"],
                                                   code="required"))
                continue
            if kind == "file" and isinstance(value, uploads.CheckedFile):
                self.new_files[here] = value
                self.new_file_inputs[here] = key
                continue
            out[name] = value
        return out

    def _error_target(self, spec: dict[str, Any], key: str) -> str:
        if spec["type"] == "address":
            return f"{key}-street"
        if spec["type"] == "group":
            return f"{key}-count"
        return key

    def _value(self, spec: dict[str, Any], key: str, here: str, source: str) -> Any:
        kind = spec["type"]
        if kind == "group":
            rows: list[dict[str, Any]] = []
            for i in range(self.group_counts[spec["name"]]):
                row_values: dict[str, Any] = {}
                row_keys = [f"{key}-{i}-{sub['name']}" for sub in spec["fields"]]
                raw_empty = all(_is_empty(self.cleaned_data.get(k)) and k not in self._errors
                                and not any(e.startswith(f"{k}-") for e in self._errors)
                                for k in row_keys) and not any(
                    p.startswith(f"{source}.{i}.") for p in self.existing_files)
                if raw_empty and not self._row_has_address_data(spec, key, i):
                    continue
                rows.append(self._collect(spec["fields"], f"{key}-{i}-", f"{here}.{len(rows)}.", f"{source}.{i}.",
                                          row_values))
            rules = spec.get("rules", {})
            if not self.partial and rows and len(rows) < rules.get("min_items", 0):
                self.add_error(f"{key}-count", ValidationError(
                    _("Add at least %(n)d entries.") % {"n": rules["min_items"]}, code="min_items"))
            return rows
        if kind == "address":
            if any(f"{key}-{part}" in self._errors for part in ADDRESS_PARTS):
                return _INVALID
            try:
                check_postal_code(region_code=self.cleaned_data.get(f"{key}-region") or "",
                                  postal_code=self.cleaned_data.get(f"{key}-postal_code") or "")
            except ValidationError as exc:
                self.add_error(f"{key}-postal_code", exc)
                return _INVALID
            return {part: self.cleaned_data.get(f"{key}-{part}") or "" for part in ADDRESS_PARTS
                    if self.cleaned_data.get(f"{key}-{part}")}
        if key in self._errors:
            return _INVALID
        value = self.cleaned_data.get(key)
        if kind == "file":
            if isinstance(value, UploadedFile):
                try:
                    return uploads.check_upload(value, accept=spec.get("accept", list(uploads.KINDS)),
                                                max_bytes=spec.get("rules", {}).get("max_bytes"))
                except ValidationError as exc:
                    self.add_error(key, exc)
                    return _INVALID
            return self.existing_files.get(source)
        if kind == "multichoice":
            rules = spec.get("rules", {})
            count = len(value or [])
            if value and count < rules.get("min_items", 0) and not self.partial:
                self.add_error(key, ValidationError(_("Choose at least %(n)d.") % {"n": rules["min_items"]},
                                                    code="min_items"))
                return _INVALID
            if count > rules.get("max_items", 10_000):
                self.add_error(key, ValidationError(_("Choose at most %(n)d.") % {"n": rules["max_items"]},
                                                    code="max_items"))
                return _INVALID
            return list(value or [])
        if kind == "decimal" and value is not None:
            return str(value)
        if kind == "date" and value is not None:
            return value.isoformat()
        return value

    def _row_has_address_data(self, spec: dict[str, Any], key: str, i: int) -> bool:
        for sub in spec["fields"]:
            if sub["type"] == "address":
                base = f"{key}-{i}-{sub['name']}"
                if any(self.cleaned_data.get(f"{base}-{p}") for p in ADDRESS_PARTS) or any(
                        f"{base}-{p}" in self._errors for p in ADDRESS_PARTS):
                    return True
        return False

    # --- errors -----------------------------------------------------------------------------
    def field_errors(self) -> list[FieldError]:
        """The form's errors as :class:`FieldError` (field = input name; ``__all__`` for the
        form), for :class:`~satupintu.core.errors.InvalidInput` and the JSON APIs."""
        out = []
        for name, errors in self.errors.as_data().items():
            for error in errors:
                for message in error.messages:
                    out.append(FieldError(field=name, rule=error.code or "invalid", message=message))
        return out


_INVALID = object()


def flatten_answers(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers → initial values keyed by input name (to resume a draft)."""
    data = answers_to_data(schema, answers, version=0, strict=False)[0]
    # The version marker is the form's own (its ``initial``): never let the placeholder override it.
    initial = {key: (data.getlist(key) if len(data.getlist(key)) > 1 else data.get(key)) for key in data
               if key != VERSION_FIELD}
    return initial


def answers_to_data(schema: dict[str, Any], answers: Any, *, version: int, strict: bool = True
                    ) -> tuple[MultiValueDict, list[FieldError]]:
    """JSON answers (API) → form data for :class:`SchemaForm`, plus the errors of names that
    are not in the schema (``unknown_field``) and of values of the wrong shape (``type``), each
    naming the answer path (``anggota.0.nik``). Files are not carried in answers."""
    data: MultiValueDict[str, Any] = MultiValueDict()
    errors: list[FieldError] = []
    data[VERSION_FIELD] = str(version)
    if not isinstance(answers, dict):
        return data, [FieldError("answers", "type", _("Answers must be an object."))]
    _flatten(schema["fields"], answers, "", "", data, errors, strict)
    return data, errors


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _flatten(specs: list[dict[str, Any]], answers: dict[str, Any], prefix: str, path: str, data: MultiValueDict,
             errors: list[FieldError], strict: bool) -> None:
    by_name = {s["name"]: s for s in specs}
    if strict:
        for name in answers:
            spec = by_name.get(name)
            if spec is None or spec["type"] == "statement":
                errors.append(FieldError(f"{path}{name}", "unknown_field",
                                         _("%(name)s is not a field of this form.") % {"name": name}))
    for name, value in answers.items():
        spec = by_name.get(name)
        if spec is None or value is None:
            continue
        key, here = f"{prefix}{name}", f"{path}{name}"
        kind = spec["type"]
        wrong = FieldError(here, "type", _("%(name)s has a value of the wrong type.") % {"name": name})
        if kind == "group":
            if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
                errors.append(wrong)
                continue
            data[f"{key}-count"] = str(len(value))
            for i, row in enumerate(value[:MAX_GROUP_ITEMS]):
                _flatten(spec["fields"], row, f"{key}-{i}-", f"{here}.{i}.", data, errors, strict)
        elif kind == "address":
            if not isinstance(value, dict) or set(value) - set(ADDRESS_PARTS):
                errors.append(wrong)
                continue
            for part in ADDRESS_PARTS:
                if part == "region":
                    for level, code in enumerate(_region_levels(value.get("region"))):
                        data[f"{key}-region_{level}"] = code
                elif value.get(part) is not None:
                    data[f"{key}-{part}"] = str(value[part])
        elif kind == "region":
            if not isinstance(value, str):
                errors.append(wrong)
                continue
            for level, code in enumerate(_region_levels(value)):
                data[f"{key}_{level}"] = code
        elif kind == "multichoice":
            if not isinstance(value, list) or any(_scalar(v) is None for v in value):
                errors.append(wrong)
                continue
            data.setlist(key, [str(v) for v in value])
        elif kind == "file":
            if strict:
                errors.append(FieldError(here, "type", _("Send files as uploads, not in the answers.")))
        else:
            scalar = _scalar(value)
            if scalar is None or (kind == "yesno" and not isinstance(value, bool)):
                errors.append(wrong)
                continue
            data[key] = scalar


def _region_levels(code: Any) -> list[str]:
    if not isinstance(code, str) or not code:
        return []
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(min(len(parts), 4))]


def file_paths(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every stored upload reference in ``answers`` by path (``ktp``, ``anggota.0.akta``)."""
    out: dict[str, dict[str, Any]] = {}
    for spec in schema["fields"]:
        value = answers.get(spec["name"])
        if spec["type"] == "file" and isinstance(value, dict):
            out[spec["name"]] = value
        elif spec["type"] == "group" and isinstance(value, list):
            for i, row in enumerate(value):
                for sub in spec["fields"]:
                    ref = row.get(sub["name"]) if isinstance(row, dict) else None
                    if sub["type"] == "file" and isinstance(ref, dict):
                        out[f"{spec['name']}.{i}.{sub['name']}"] = ref
    return out


def set_file_ref(answers: dict[str, Any], path: str, ref: dict[str, Any]) -> None:
    """Put an upload reference at ``path`` (``ktp`` or ``anggota.0.akta``) into ``answers``."""
    parts = path.split(".")
    if len(parts) == 1:
        answers[parts[0]] = ref
        return
    group, index, name = parts[0], int(parts[1]), parts[2]
    rows = answers.setdefault(group, [])
    while len(rows) <= index:
        rows.append({})
    rows[index][name] = ref


_SAFE_PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.\d+\.[a-z][a-z0-9_]*)?$")


def is_file_path(path: str) -> bool:
    return bool(_SAFE_PATH_RE.match(path))


def staged_inputs(data: Any) -> dict[str, str]:
    """The kept uploads a posted form refers to: ``{input name: uid}`` from its
    ``_staged-<input name>`` values (input names such as ``ktp`` or ``anggota-1-akta``; anything
    that is not a file input name of this shape is ignored)."""
    out: dict[str, str] = {}
    for name in data or {}:
        if isinstance(name, str) and name.startswith(STAGED_PREFIX):
            key = name.removeprefix(STAGED_PREFIX)
            value = data.get(name)
            if is_file_path(input_path(key)) and isinstance(value, str) and value:
                out[key] = value[:64]
    return out


def input_path(key: str) -> str:
    """A file input's name → its path with raw row numbers (``anggota-1-akta`` → ``anggota.1.akta``)."""
    return key.replace("-", ".")
