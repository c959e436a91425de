"""Base model pieces shared by the apps."""

from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    """``created_at`` / ``updated_at`` in UTC (``USE_TZ``)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
