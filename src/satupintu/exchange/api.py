"""Data tracker API ("Siapa yang mengakses data saya"), GovStack Digital Registries
``GET /data/myPersonalDataUsage`` shape (DR API 1.3.0 ``PersonalDataUsage``), mounted at
``/api/v1/data/``.

Unlike the GovStack template, the subject is never taken from a ``userId`` parameter: it is the
signed-in citizen (:func:`satupintu.exchange.interface.citizen_nik`), so nobody can ask for
another person's records.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer, django_auth

from satupintu.core.errors import PermissionDenied
from satupintu.core.principal import Principal
from satupintu.exchange.interface import citizen_nik
from satupintu.exchange.models import DataAccess
from satupintu.exchange.selectors import data_accesses_for_nik
from satupintu.identity.interface import bearer_principal

router = Router()
DATA_USAGE_SCOPE = "personal_data_usage"


class CitizenAccessToken(HttpBearer):
    """``Authorization: Bearer <access token>`` issued by the platform's OIDC provider with the
    ``personal_data_usage`` scope (an app the citizen allowed to show them who read their data,
    ADR 0097). The token's principal becomes the request's; without a valid token the session is
    tried next (``django_auth``), and with neither the operation answers 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal = bearer_principal(request, scopes=[DATA_USAGE_SCOPE])
        if principal is not None:
            request.principal = principal  # type: ignore[attr-defined]
        return principal


class Reference(Schema):
    ReferenceID: str = Field(description="The record read (provider path)")  # noqa: N815


class PersonalDataUsage(Schema):
    id: str = Field(description="Data-access record id")
    readerId: str = Field(description="Client subsystem INSTANCE/CLASS/MEMBER/SUBSYSTEM")  # noqa: N815
    readerInitials: str = ""  # noqa: N815
    readerInstitutionId: str = Field(description="Agency code")  # noqa: N815
    readerInstitutionName: str  # noqa: N815
    readerApplicationName: str = Field(description="Client subsystem")  # noqa: N815
    searchDateTime: datetime = Field(description="When the data was read (UTC)")  # noqa: N815
    refrences: list[Reference] = Field(description="Spelling as in the GovStack DR API 1.3.0")
    service: str
    dataItems: list[str]  # noqa: N815
    purpose: str
    legalBasis: str  # noqa: N815


class UsagePage(Schema):
    page: int = Field(1, ge=1, le=10_000, description="Page number, from 1")
    pageSize: int = Field(1000, ge=1, le=1000, description="Records per page (1–1000)")  # noqa: N815


def usage_item(access: DataAccess) -> PersonalDataUsage:
    """One data-access record in the GovStack ``PersonalDataUsage`` shape (plus purpose, legal
    basis, data items and service)."""
    return PersonalDataUsage(
        id=str(access.pk), readerId=access.client, readerInstitutionId=access.agency_code,
        readerInstitutionName=access.agency_name, readerApplicationName=access.client,
        searchDateTime=access.occurred_at, refrences=[Reference(ReferenceID=access.record)],
        service=access.service, dataItems=list(access.data_items), purpose=access.purpose,
        legalBasis=access.legal_basis,
    )


@router.get("/MyPersonalDataUsage/1.0", response=list[PersonalDataUsage], include_in_schema=False,
            operation_id="myPersonalDataUsageVersioned", auth=[CitizenAccessToken(), django_auth])
@router.get("/mypersonalDataUsage", response=list[PersonalDataUsage], include_in_schema=False,
            operation_id="mypersonalDataUsageAlias", auth=[CitizenAccessToken(), django_auth])
@router.get("/myPersonalDataUsage", response=list[PersonalDataUsage], summary="Who read my personal data",
            operation_id="myPersonalDataUsage", auth=[CitizenAccessToken(), django_auth])
def my_personal_data_usage(request: HttpRequest, paging: Query[UsagePage]) -> list[PersonalDataUsage]:
    """The recorded reads of the signed-in citizen's personal data, newest first, one page at a
    time: ``page`` (from 1, ≤ 10,000) of ``pageSize`` records (1–1000, default 1000, so without
    paging the newest 1000 as before). A page shorter than ``pageSize`` is the last; the body stays
    the GovStack array. The template's ``userId``/``databaseId`` are not used (module docstring).

    Also served at ``/data/mypersonalDataUsage`` and ``/data/MyPersonalDataUsage/1.0``.
    Authentication: the citizen's session, or a bearer access token with the
    ``personal_data_usage`` scope (:class:`CitizenAccessToken`).
    Errors: 401 when neither is given (or the token is invalid, expired or lacks the scope); 403
    for a principal that is not a citizen with a known NIK (e.g. a client-credentials token); 422
    naming ``page`` or ``pageSize`` and the rule (``integer``, ``min_value``, ``max_value``), as
    ``GET /api/v1/services`` does.
    Source: GovStack DR API 1.3.0 ``/data/myPersonalDataUsage``.
    """
    nik = citizen_nik(request)
    if nik is None:
        raise PermissionDenied(_("Only a signed-in citizen can see who accessed their data."))
    start = (paging.page - 1) * paging.pageSize
    return [usage_item(a) for a in data_accesses_for_nik(nik)[start:start + paging.pageSize]]
