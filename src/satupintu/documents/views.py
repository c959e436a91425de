"""HTML pages: public verification (``/verifikasi/``), the holder's download, an officer's revocation.

All pages work without JavaScript (plain forms and links).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.core.errors import InvalidInput, NotFound, PermissionDenied
from satupintu.core.principal import principal_for_request
from satupintu.documents import actions, selectors
from satupintu.documents.access import access_document_by_id, may_revoke_for, parse_document_id
from satupintu.documents.uploads import UploadMissing, UploadTooLarge, max_upload, read_uploaded_pdf
from satupintu.documents.verify import Verdict, bad_input_message, verify_pdf


def _facts(public: dict[str, Any] | None) -> dict[str, Any]:
    """Template context for a public document: the dict plus its times as objects for |date."""
    if public is None:
        return {"document": None}
    return {
        "document": public,
        "issued_at": dt.datetime.fromisoformat(public["issuedAt"]),
        "revoked_at": dt.datetime.fromisoformat(public["revokedAt"]) if public["revokedAt"] else None,
        "valid_until": dt.date.fromisoformat(public["validUntil"]) if public["validUntil"] else None,
    }


def _verify_page(request: HttpRequest, *, verdict: Verdict | None = None, error: str = "",
                 query: str = "", status: int = 200) -> HttpResponse:
    return render(request, "documents/verify.html", {
        "verdict": verdict, "error": error, "query": query, "max_mb": max(1, max_upload() // (1024 * 1024)),
    }, status=status)


@csrf_exempt  # public, read-only check with no session state: nothing for a forged request to abuse
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """``GET``: the verification page; ``?id=`` (document id from the QR code) redirects to its status.
    ``POST`` (multipart, field ``file``): verify the uploaded PDF and show the verdict.

    Bad input (no file, empty, not a PDF, encrypted, no signature, too large) gets a verdict
    message, never an error page; a body above ``SATUPINTU_DOCUMENTS_MAX_UPLOAD`` is refused
    with 413 before it is read.
    """
    if request.method == "GET":
        query = request.GET.get("id", "").replace("\x00", "").strip()[:100]
        if query:
            parsed = parse_document_id(query)
            if parsed is not None:
                return HttpResponseRedirect(reverse("documents:status", args=[str(parsed)]))
            return _verify_page(request, query=query, status=404,
                                error=_("“%(id)s” is not a document id. The id is printed under the QR code "
                                        "and looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427.") % {"id": query})
        return _verify_page(request)
    try:
        data = read_uploaded_pdf(request)
    except UploadTooLarge:
        return _verify_page(request, status=413, verdict=Verdict("too_large", bad_input_message("too_large",
                                                                                               max_upload())))
    except UploadMissing:
        return _verify_page(request, status=400, error=_("Choose a PDF file to upload (field: file)."))
    return _verify_page(request, verdict=verify_pdf(data))


@never_cache
@require_GET
def status(request: HttpRequest, document_id: str) -> HttpResponse:
    """The public facts of one document (the QR code's target). Unknown or malformed id: 404
    with a clear "not registered — possibly forged" message."""
    public = selectors.public_status_by_id(document_id)
    if public is None:
        return render(request, "documents/status.html", {"document": None, "query": document_id[:100]}, status=404)
    can_revoke = public["status"] == "valid" and may_revoke_for(principal_for_request(request), public["agencyCode"])
    return render(request, "documents/status.html", {**_facts(public), "can_revoke": can_revoke})


@never_cache
@require_GET
def download(request: HttpRequest, document_id: str) -> HttpResponseBase:
    """The signed PDF, for the holder or an officer of the issuing agency (404 for anyone else).
    A signed-out visitor (the "document ready" e-mail's link opened elsewhere) is sent to sign in
    and back here, whatever the id, so the answer says nothing about which documents exist."""
    principal = principal_for_request(request)
    if principal.kind == "anonymous":
        return redirect_to_login(request.get_full_path())
    try:
        document = access_document_by_id(principal, document_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    path = actions.document_path(document)
    if not path.is_file():
        raise Http404(_("The document file is missing."))
    actions.document_record_download(document=document, acting=principal, request=request)
    response = FileResponse(path.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=f"{document.number.replace('/', '-')}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, document_id: str) -> HttpResponse:
    """An officer's form to revoke (cabut) a document with a reason; audited. An officer of the
    issuing agency whose role may not revoke (:func:`~satupintu.documents.access.may_revoke_for`)
    gets the page with that explanation and no form (403); anyone else a 404."""
    principal = principal_for_request(request)
    try:
        document = access_document_by_id(principal, document_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not may_revoke_for(principal, document.agency.code):
        # Officers of the agency who may read it but not decide on it: the page says so (403), no form.
        public = selectors.public_status_by_id(document.pk)
        return render(request, "documents/revoke.html", {**_facts(public), "forbidden": True}, status=403)
    error = ""
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            actions.document_revoke(document=document, reason=reason, acting=principal, request=request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc
        except InvalidInput as exc:
            error = "; ".join(str(e.message) for e in exc.errors)
        else:
            messages.success(request, _("Document %(number)s was revoked.") % {"number": document.number},
                             fail_silently=True)
            return HttpResponseRedirect(reverse("documents:status", args=[str(document.pk)]))
    public = selectors.public_status_by_id(document.pk)
    return render(request, "documents/revoke.html", {**_facts(public), "error": error, "reason": reason},
                  status=422 if error else 200)
