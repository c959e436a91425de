"""Read an uploaded PDF without ever reading more than the limit (``SATUPINTU_DOCUMENTS_MAX_UPLOAD``).

Two guards, both before the body is consumed: the declared ``Content-Length`` (refused at once
when above the limit plus room for the multipart envelope) and an upload handler that stops the
multipart parser as soon as the file grows past the limit (for a body that lies about its size).
Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` still bounds the non-file fields and
``FILE_UPLOAD_MAX_MEMORY_SIZE`` decides memory vs. temporary file for what we accept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

ENVELOPE = 64 * 1024  # multipart boundaries, headers and small fields around the file


class UploadTooLarge(Exception):
    """The body is (or declares to be) larger than the limit."""


class UploadMissing(Exception):
    """No file in the ``file`` field, or the body could not be parsed."""


def max_upload() -> int:
    return int(settings.SATUPINTU_DOCUMENTS_MAX_UPLOAD)


class _Limit:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.exceeded = False


def _limited(base: type, limit: _Limit) -> Any:
    class Limited(base):  # type: ignore[valid-type,misc]
        def receive_data_chunk(self, raw_data: bytes, start: int) -> Any:
            if start + len(raw_data) > limit.limit:
                limit.exceeded = True
                raise StopUpload(connection_reset=True)
            return super().receive_data_chunk(raw_data, start)

    return Limited


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def read_uploaded_pdf(request: HttpRequest, field: str = "file") -> bytes:
    """The bytes of the uploaded file (multipart field ``field``, or a raw ``application/pdf`` body).

    Raises :class:`UploadTooLarge` without reading the body when ``Content-Length`` exceeds the
    limit, or as soon as the streamed file does; :class:`UploadMissing` when there is no file.
    Must be called before anything touches ``request.POST``/``request.FILES``.
    """
    limit = max_upload()
    length = declared_length(request)
    if length is None:
        raise UploadMissing("bad Content-Length")
    if length > limit + ENVELOPE:
        raise UploadTooLarge
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/pdf") or content_type.startswith("application/octet-stream"):
        if length > limit:
            raise UploadTooLarge
        return request.read(limit + 1)[: limit + 1]
    state = _Limit(limit)
    request.upload_handlers = [
        _limited(MemoryFileUploadHandler, state)(request),
        _limited(TemporaryFileUploadHandler, state)(request),
    ]
    try:
        upload = request.FILES.get(field)
    except RequestDataTooBig as exc:
        raise UploadTooLarge from exc
    except MultiPartParserError as exc:
        raise UploadMissing(str(exc)) from exc
    if state.exceeded:
        raise UploadTooLarge
    if upload is None:
        raise UploadMissing("no file")
    with upload.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge
    return data
