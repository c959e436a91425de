"""Metaservices (X-Road PR-MREST; GovStack IM Directory Services API 1.0).

* ``GET /listClients[?instanceId=]`` — members and subsystems of the instance;
* ``GET /r1/{instance}/{class}/{member}/{subsystem}/listMethods`` — the provider's REST services;
* ``.../allowedMethods`` — those the authenticated client may call, with their endpoints;
* ``.../getOpenAPI?serviceCode=`` — a service's OpenAPI document.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from satupintu.core.errors import FieldError
from satupintu.exchange.errors import bad_request, method_not_allowed, unknown_service
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem

NAMES = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def list_clients(request: HttpRequest) -> HttpResponse:
    """``{"member": [{"name", "id": {objectType MEMBER|SUBSYSTEM, instanceId, memberClass,
    memberCode[, subsystemCode, applicationCode]}}]}``; 400 when ``instanceId`` is not ours; 405
    (``Allow: GET, HEAD``) for another method."""
    if (request.method or "GET").upper() not in {"GET", "HEAD"}:
        raise method_not_allowed("GET, HEAD")
    instance = request.GET.get("instanceId") or settings.SATUPINTU_EXCHANGE_INSTANCE
    if instance != settings.SATUPINTU_EXCHANGE_INSTANCE:
        raise bad_request("Only this instance's clients are known.",
                          [FieldError("instanceId", "unknown", "Unknown instance.")])
    out: list[dict[str, Any]] = []
    for member in Member.objects.filter(instance=instance).prefetch_related("subsystems"):
        base = {"instanceId": member.instance, "memberClass": member.member_class, "memberCode": member.member_code}
        out.append({"name": member.name, "id": {"objectType": "MEMBER", **base}})
        for sub in member.subsystems.all():
            out.append({"name": sub.name or member.name,
                        "id": {"objectType": "SUBSYSTEM", **base, "subsystemCode": sub.code,
                               "applicationCode": sub.code}})
    return JsonResponse({"member": out})


def _provider(segments: list[str]) -> Subsystem:
    instance, member_class, member_code, code = segments
    provider = Subsystem.objects.select_related("member").filter(
        member__instance=instance, member__member_class=member_class, member__member_code=member_code,
        code=code).first()
    if provider is None:
        raise unknown_service("No such provider subsystem in the exchange directory.")
    return provider


def _parse_openapi(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        loaded = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _endpoints(service: Service) -> list[dict[str, str]]:
    doc_paths = _parse_openapi(service.openapi).get("paths") or {}
    endpoints = [{"method": m.upper(), "path": p} for p, ops in doc_paths.items() if isinstance(ops, dict)
                 for m in ops if m in _HTTP_METHODS]
    return endpoints or [{"method": "*", "path": "**"}]


def _service_entry(service: Service, endpoints: list[dict[str, str]]) -> dict[str, Any]:
    member = service.provider.member
    return {"objectType": "SERVICE", "serviceType": "REST", "instanceId": member.instance,
            "memberClass": member.member_class, "memberCode": member.member_code,
            "subsystemCode": service.provider.code, "applicationCode": service.provider.code,
            "serviceCode": service.service_code, "serviceVersion": service.version,
            "endpointList": {"member": endpoints}}


def _allowed_endpoints(right: AccessRight) -> list[dict[str, str]]:
    methods = right.method_list() or ["*"]
    prefixes = right.prefix_list()
    return [{"method": m, "path": (p.rstrip("/") + "/**") if p != "/" else "**"} for m in methods
            for p in prefixes] if prefixes else [{"method": m, "path": "**"} for m in methods]


def dispatch(request: HttpRequest, name: str, segments: list[str], client: Subsystem) -> HttpResponse:
    """Run metaservice ``name`` for the provider named by ``segments``, on behalf of ``client``;
    405 (``Allow: GET``) for another method."""
    if (request.method or "GET").upper() != "GET":
        raise method_not_allowed("GET")
    provider = _provider(segments)
    services = Service.objects.filter(provider=provider, enabled=True).select_related("provider__member")
    wanted = request.GET.get("serviceId") or request.GET.get("serviceCode")
    if name == "getOpenAPI":
        code = request.GET.get("serviceCode", "")
        if not code:
            raise bad_request("serviceCode is required.", [FieldError("serviceCode", "required", "Required.")])
        service = services.filter(service_code=code).first()
        if service is None or not service.openapi.strip():
            raise unknown_service("The service is unknown or has no OpenAPI description.")
        try:
            is_json = isinstance(json.loads(service.openapi), dict)
        except ValueError:
            is_json = False
        return HttpResponse(service.openapi, content_type="application/json" if is_json else "text/yaml")
    if wanted:
        services = services.filter(service_code=wanted)
    if name == "listMethods":
        return JsonResponse({"service": [_service_entry(s, _endpoints(s)) for s in services]})
    rights = {r.service_id: r for r in AccessRight.objects.filter(client=client, service__in=services)}
    return JsonResponse({"service": [_service_entry(s, _allowed_endpoints(rights[s.pk]))
                                     for s in services if s.pk in rights]})
