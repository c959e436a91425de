"""The cascading region picker: a form field later forms reuse for any kode wilayah.

Works without JavaScript: four plain ``<select>`` elements (province → regency/city →
district → village) and a "show the next list" submit button; the view re-renders the form
with the next list filled (see :func:`is_refresh`). With JavaScript, ``region-picker.js``
fills the next list from ``/api/v1/regions?parent=`` and hides the button.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from satupintu.regions import selectors
from satupintu.regions.importer import CODE_RE
from satupintu.regions.models import Level

REFRESH_BUTTON = "_wilayah_refresh"
LEVEL_LABELS = [_("Province"), _("Regency/city"), _("District"), _("Village")]


def is_refresh(request: HttpRequest) -> bool:
    """True when the POST came from the picker's "show the next list" button, not a submit."""
    return request.method == "POST" and REFRESH_BUTTON in request.POST


def split_code(code: str | None) -> list[str]:
    """``"32.75.01"`` → ``["32", "32.75", "32.75.01", ""]`` (always four entries)."""
    parts = code.split(".") if code else []
    out = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return (out + ["", "", "", ""])[:4]


class RegionPickerWidget(forms.Widget):
    template_name = "regions/widgets/region_picker.html"

    class Media:
        js = ["satupintu/js/region-picker.js"]

    def __init__(self, levels: int = 4, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.levels = levels

    def id_for_label(self, id_: str) -> str:
        """The first list's id (``id_wilayah_0``): the picker renders no element with the bare
        ``id_``, so labels and error-summary links point at the first select (ADR 0127)."""
        return f"{id_}_0" if id_ else id_

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return [str(data.get(f"{name}_{i}", "")).strip() for i in range(self.levels)]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}_{i}" not in data for i in range(self.levels))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = value if isinstance(value, list) else split_code(value)
        chosen = (list(chosen) + [""] * 4)[: self.levels]
        # Only keep a well-formed code of its level that continues the one above it (a stale lower
        # choice is dropped). A posted value is never queried unchecked: PostgreSQL refuses NUL.
        for i in range(self.levels):
            well_formed = CODE_RE.fullmatch(str(chosen[i])) is not None and str(chosen[i]).count(".") == i
            if chosen[i] and (not well_formed or (i and not chosen[i].startswith(chosen[i - 1] + "."))):
                chosen[i:] = [""] * (self.levels - i)
                break
        selects = []
        base_id = (attrs or {}).get("id") or f"id_{name}"
        for i in range(self.levels):
            parent = None if i == 0 else chosen[i - 1]
            options = (
                [(r.kode, r.nama) for r in selectors.children_of(parent)] if i == 0 or parent else []
            )
            selects.append(
                {
                    "name": f"{name}_{i}",
                    "id": f"{base_id}_{i}",
                    "label": LEVEL_LABELS[i],
                    "options": options,
                    "value": chosen[i],
                    "level": i + 1,
                    "disabled": i > 0 and not parent,
                }
            )
        context["widget"].update({"selects": selects, "refresh_name": REFRESH_BUTTON})
        return context


class RegionField(forms.Field):
    """A kode wilayah chosen down to ``required_level`` (1 province … 4 village).

    Cleans to the deepest chosen code (str). Errors name the rule: a missing level, a choice
    that does not belong to the one above it, or a code that does not exist.
    """

    default_error_messages = {
        "required": _("Choose a region."),
        "level": _("Choose down to the %(level)s level."),
        "mismatch": _("The chosen %(level)s does not belong to the region above it."),
        "unknown": _("Region code %(code)s does not exist."),
    }

    def __init__(self, *, required_level: int = Level.DESA_KELURAHAN, **kwargs: Any) -> None:
        self.required_level = required_level
        kwargs.setdefault("widget", RegionPickerWidget())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            return value.strip()
        chosen = [str(v or "").strip() for v in (value or [])]
        deepest = ""
        for i, code in enumerate(chosen):
            if not code:
                break
            if not CODE_RE.match(code) or code.count(".") != i or (deepest and not code.startswith(deepest + ".")):
                raise ValidationError(self.error_messages["mismatch"], code="mismatch",
                                      params={"level": str(LEVEL_LABELS[i]).lower()})
            deepest = code
        return deepest

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value:
            return
        depth = value.count(".") + 1
        if depth < self.required_level:
            raise ValidationError(self.error_messages["level"], code="level",
                                  params={"level": str(LEVEL_LABELS[self.required_level - 1]).lower()})
        if selectors.region_by_code(value) is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": value})


class RegionPickerDemoForm(forms.Form):
    """The picker on its own, so it can be tried (and tested) at ``/wilayah/pilih/``."""

    wilayah = RegionField(label=_("Region of residence"), required_level=Level.DESA_KELURAHAN)
