"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    """Platform name and the request id (quoted on error pages)."""
    return {
        "platform_name": settings.SATUPINTU_PLATFORM_NAME,
        "request_id": getattr(request, "request_id", ""),
    }
