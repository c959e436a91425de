"""HTML forms of the SPBE pages (validation messages in the active language)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from satupintu.catalog.models import Agency
from satupintu.consolidation.models import SERVICE_AREA_RE, Application, BusinessFunction, Framework, Proposal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EVIDENCE_MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
EVIDENCE_TYPES = set(EVIDENCE_MAGIC)
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")


def function_choices() -> list[tuple[str, str]]:
    return [(f.code, f"{f.code} — {f.sector_name_id} › {f.name_id}") for f in BusinessFunction.objects.all()]


class ApplicationForm(forms.ModelForm):
    """One inventory row; ``agency`` limited to the agencies the user may edit."""

    service_slugs_text = forms.CharField(
        label=_("Catalogue services delivered"), required=False, max_length=2000,
        help_text=_("Service ids separated by semicolons, e.g. dukcapil-ktp-el-baru; dukcapil-kk-baru"))

    class Meta:
        model = Application
        fields = ["agency", "code", "name", "description", "owner_unit", "function", "service_area", "users_kind",
                  "users_count", "build_budget_idr", "run_budget_idr", "hosting", "status", "app_type",
                  "uses_national_login", "uses_exchange", "holds_personal_data"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["function"].choices = function_choices()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["service_slugs_text"].initial = "; ".join(self.instance.service_slugs or [])
            self.fields["agency"].disabled = True

    def clean_code(self) -> str:
        """Lower-case, as the import stores it (its key ignores case): a web row "SIAK-1" beside
        an imported "siak-1" made the agency's own export impossible to import again."""
        return str(self.cleaned_data["code"]).lower()

    def clean_service_area(self) -> str:
        """``nasional`` or the code of an existing province or regency/city, with the import's
        messages (the model's own rule only said "Enter a valid value")."""
        from satupintu.regions.models import Region

        area = str(self.cleaned_data.get("service_area") or "").strip().lower()
        if not re.fullmatch(SERVICE_AREA_RE, area):
            raise ValidationError(_("Use “nasional” or a province/regency code such as 32 or 32.16."), code="format")
        if area != "nasional" and not Region.objects.filter(level__lte=2, kode=area).exists():
            raise ValidationError(_("Region code %(code)s does not exist.") % {"code": area}, code="region_unknown")
        return area

    def clean_service_slugs_text(self) -> list[str]:
        slugs = [s.strip() for s in re.split(r"[;,]", self.cleaned_data["service_slugs_text"]) if s.strip()]
        bad = [s for s in slugs if not SLUG_RE.match(s)]
        if bad:
            raise ValidationError(_("Not a service id: %(ids)s."), params={"ids": ", ".join(bad)}, code="slug")
        return sorted(set(slugs))

    def save(self, commit: bool = False) -> Application:
        app = super().save(commit=False)
        app.service_slugs = self.cleaned_data["service_slugs_text"]
        return app


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_("At most 10 MB, in the template's columns."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("The file must be .csv or .xlsx."), code="format")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."), code="size")
        return upload


class WasteAssumptionForm(forms.Form):
    shared_cost_factor_pct = forms.IntegerField(
        label=_("Cost of one shared solution, as % of the largest app budget in the group"), min_value=1,
        max_value=1000)
    onboarding_cost_idr = forms.IntegerField(
        label=_("Onboarding cost per additional agency (rupiah per year)"), min_value=0, max_value=10**15)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["agency", "name", "description", "function", "budget_idr"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["function"].choices = function_choices()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            message = _("Give the reason for the rejection, e.g. the existing app to use.")
            self.add_error("note", ValidationError(message, code="required"))
        return data


class OpenAssessmentForm(forms.Form):
    agency = forms.ModelChoiceField(label=pgettext_lazy("instansi", "Agency"), queryset=Agency.objects.none())
    framework = forms.ModelChoiceField(label=_("Evaluation framework"), queryset=Framework.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


def validate_evidence(upload: Any) -> str | None:
    """An error message for a bad evidence file (type or size), else ``None``."""
    from pathlib import PurePath

    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        return str(_("Evidence must be a PDF, PNG or JPEG file."))
    if upload.size > MAX_EVIDENCE_BYTES:
        return str(_("Evidence files may be at most 5 MB."))
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(EVIDENCE_MAGIC[suffix]):
        return str(_("The file's content does not match its type (PDF, PNG or JPEG)."))
    return None
