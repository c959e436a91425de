"""HTML/file views of the applications app (thin: principal → chokepoint → response).

The citizen form pages and the officer queue come after the catalogue and identity branches
are merged; this round serves uploaded files only through the access chokepoint.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from satupintu.applications import access, actions, uploads
from satupintu.core.errors import NotFound
from satupintu.core.principal import principal_for_request


@require_GET
def upload_download(request: HttpRequest, application_id: int, upload_id: int) -> FileResponse:
    """Send one uploaded file to the applicant or an officer of the processing agency.

    Anyone else gets the same 404 as for a missing file. Officers' views are recorded as data
    accesses of the citizen (``application_file.viewed``). The file is sent as an attachment
    with its sniffed type, ``nosniff`` and a sandboxing CSP so a browser never runs it.
    """
    principal = principal_for_request(request)
    try:
        upload = access.access_upload_by_id(principal, application_id, upload_id)
    except NotFound:
        raise Http404() from None
    actions.record_file_view(acting=principal, upload=upload, request=request)
    response = FileResponse(uploads.open_stored(upload.storage_name), as_attachment=True, filename=upload.name,
                            content_type=upload.content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
