"""The TOTP set-up page and the sign-in page for screen-reader and no-JavaScript users (ADR 0141):
the QR code's text alternative says what it is and the secret is given as labelled text for typing in
by hand; the notice that a passkey needs JavaScript is in the main content next to the passkey button,
not after the footer. Both languages."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client

from satupintu.identity import testing
from satupintu.identity.models import User
from tests.a11y import form_problems

pytestmark = pytest.mark.django_db
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Outline(HTMLParser):
    """Each element in document order as ``(tag, attrs, ancestors)``, and the text inside each
    element's id (``texts``); ``<noscript>`` content is parsed as markup (as without JavaScript)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.texts: dict[int, str] = {}
        self._stack: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(t for t, _ in self._stack)))
        if tag not in _VOID:
            self._stack.append((tag, len(self.elements) - 1))
            self.texts[len(self.elements) - 1] = ""

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for _, index in self._stack:
            self.texts[index] += data

    def find(self, tag: str, **attrs: str) -> list[int]:
        return [i for i, (t, a, _) in enumerate(self.elements)
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def text(self, index: int) -> str:
        return " ".join(self.texts.get(index, "").split())


def _outline(html: str) -> Outline:
    outline = Outline()
    outline.feed(html)
    return outline


@pytest.mark.parametrize(("language", "alt", "label"), [
    ("id", "Kode QR untuk aplikasi autentikator Anda",
     "Kunci rahasia, untuk diketik ke aplikasi jika Anda tidak dapat memindai kode QR"),
    ("en", "QR code for your authenticator app", "Secret key, to type into the app if you cannot scan the QR code"),
])
def test_totp_qr_code_is_described_and_the_secret_is_labelled_text(citizen: User, language: str, alt: str,
                                                                   label: str) -> None:
    client = Client()
    client.cookies["satupintu_lang"] = language
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    page = client.get("/akun/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    outline = _outline(html)
    images = [outline.elements[i][1] for i in outline.find("img") if "main" in outline.elements[i][2]]
    assert [image["alt"] for image in images] == [alt]
    assert images[0]["src"].startswith("data:image/svg+xml")
    assert all(secret not in value for image in images for value in image.values())
    # The secret is text (not a disabled field) under a visible label: <dt> label, <dd> secret.
    (term,) = outline.find("dt", id="authenticator_secret_label")
    assert outline.text(term) == label
    (code,) = outline.find("code", id="authenticator_secret")
    assert outline.text(code) == secret
    assert outline.elements[code][2][-2:] == ("dl", "dd")
    assert not outline.find("input", id="authenticator_secret")
    assert form_problems(html) == []


@pytest.mark.parametrize(("language", "notice"), [
    ("id", "Masuk dengan passkey memerlukan JavaScript, yang nonaktif di browser Anda. "
           "Masuk dengan kata sandi di atas, atau aktifkan JavaScript."),
    ("en", "Signing in with a passkey needs JavaScript, which is off in your browser. "
           "Sign in with your password above, or turn JavaScript on."),
])
def test_sign_in_page_says_in_main_next_to_the_passkey_button_that_it_needs_javascript(language: str,
                                                                                       notice: str) -> None:
    client = Client()
    client.cookies["satupintu_lang"] = language
    html = client.get("/akun/login/").content.decode()
    outline = _outline(html)
    noscripts = outline.find("noscript")
    assert noscripts, "no <noscript> on the sign-in page"
    (footer,) = outline.find("footer")
    (button,) = outline.find("button", id="passkey_login")
    for index in noscripts:  # every no-JavaScript notice is inside <main>, before the footer
        assert "main" in outline.elements[index][2] and index < footer
    (ours,) = [i for i in noscripts if outline.text(i) == notice]
    # Right after the passkey button, in the same group: the next thing a reader reaches.
    assert ours > button and outline.elements[ours][2] == outline.elements[button][2]
    assert not [i for i in outline.find("button") + outline.find("a") if button < i < ours]
    # The passkey's form is beside its button too, and nothing but scripts follows the footer.
    (form,) = outline.find("form", id="mfa_login")
    assert "main" in outline.elements[form][2]
    assert {outline.elements[i][0] for i in range(footer, len(outline.elements))
            if "footer" not in outline.elements[i][2]} <= {"footer", "script"}
