"""The one rule for a new OAuth client secret, for every path that sets one (ADR 0121).

Client secrets are hashed with a single salted PBKDF2 round (:class:`~satupintu.identity.hashers.
ClientSecretHasher`, ADR 0111): cheap to check on every token request, and safe only because the
secret itself cannot be guessed. django-oauth-toolkit's generated secret (128 random letters and
digits, ≈ 760 bits) is such a secret; a typed one such as ``secret`` is not, and a single round
would not slow down guessing it. So a new secret — typed in the back-office client form, or read
from a file by ``satupintu exchange setup-demo`` — must be at least :data:`MIN_LENGTH` characters
with at least :data:`MIN_DISTINCT` different characters (``openssl rand -hex 16``, ``openssl rand
-base64 32`` and the generated default all pass), and must be the secret itself, not a stored hash
(a pasted hash would be kept as it is and could hide any secret).
"""

from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 32
MIN_DISTINCT = 8


def validate_client_secret(value: str) -> None:
    """Check a *new* plain-text client secret.

    Input: the secret as typed or read (not yet hashed). Output: ``None`` when it meets the rule.
    Errors: :class:`ValidationError` code ``client_secret_weak`` (shorter than 32 characters or
    fewer than 8 different characters; the message names the rule) or ``client_secret_hashed``
    (the value is a password-hasher string, e.g. ``sp_client_secret$1$…``). Messages are in the
    active language (Indonesian by default). A secret already stored is never re-checked.
    """
    try:
        identify_hasher(value)
    except ValueError:
        pass
    else:
        raise ValidationError(
            _("Enter the new client secret itself, not a stored hash."), code="client_secret_hashed")
    if len(value) < MIN_LENGTH or len(set(value)) < MIN_DISTINCT:
        raise ValidationError(
            _("A typed client secret must be at least %(length)d characters long with at least %(distinct)d "
              "different characters (it is stored with a fast hash, so only a long random secret is safe). "
              "Keep the generated secret, or use e.g. the output of “openssl rand -base64 32”."),
            code="client_secret_weak", params={"length": MIN_LENGTH, "distinct": MIN_DISTINCT})
