"""The identifiers a directory object claims must be its agency's (ADR 0140): an agency admin
registers members only under a member code assigned to the agency and binds subsystems only to
OAuth clients registered to the agency; platform admins assign codes and bind any registered client."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.core.principal import Principal
from satupintu.exchange.actions import directory_save
from satupintu.exchange.models import Member, Subsystem
from satupintu.identity.testing import make_officer, make_platform_admin
from tests.exchange.conftest import Directory, make_cert, register_client

pytestmark = pytest.mark.django_db

PLATFORM = Principal(kind="officer", id="1", roles=frozenset({"platform_admin"}))
KEMENSOS_ADMIN = Principal(kind="officer", id="3", agency="kemensos", roles=frozenset({"agency_admin"}))

CODE_EN = ("Use a member code assigned to this agency (KEMENSOS); only a platform admin can register another "
           "code.")
CODE_ID = ("Gunakan kode anggota yang ditetapkan untuk instansi ini (KEMENSOS); hanya admin platform yang dapat "
           "mendaftarkan kode lain.")
CLIENT_EN = ("No OAuth client with this client id is registered to this member's agency (Kementerian Sosial); a "
             "platform admin registers the client and sets its agency.")
CLIENT_ID = ("Tidak ada klien OAuth dengan id klien ini yang terdaftar untuk instansi anggota ini (Kementerian "
             "Sosial); admin platform mendaftarkan klien itu dan menetapkan instansinya.")


def _member(code: str, agency: Agency, *, instance: str = "SPLP") -> Member:
    return Member(instance=instance, member_class="GOV", member_code=code, name=code, agency=agency)


class Refusal:
    """A ``ValidationError`` from :func:`directory_save`, its messages rendered in one language."""

    def __init__(self, obj: Member | Subsystem, acting: Principal, language: str) -> None:
        with translation.override(language), pytest.raises(ValidationError) as info:
            directory_save(obj=obj, acting=acting)
        with translation.override(language):
            self.message_dict = {field: [str(m) for m in messages]
                                 for field, messages in info.value.message_dict.items()}
        self.codes = {field: [e.code for e in errors] for field, errors in info.value.error_dict.items()}


def _refusal(obj: Member | Subsystem, acting: Principal, language: str = "en") -> Refusal:
    return Refusal(obj, acting, language)


def test_agency_admin_cannot_register_a_member_code_of_another_agency(directory: Directory) -> None:
    Agency.objects.create(code="polri", name_id="Kepolisian Negara", kind="lembaga")  # no member yet
    for code in ("POLRI", "polri", "DUKCAPIL"):
        error = _refusal(_member(code, directory.kemensos), KEMENSOS_ADMIN)
        assert error.message_dict == {"member_code": [CODE_EN]}
        assert error.codes == {"member_code": ["member_code_not_assigned"]}
    error = _refusal(_member("POLRI", directory.kemensos), KEMENSOS_ADMIN, "id")
    assert error.message_dict == {"member_code": [CODE_ID]}
    assert not Member.objects.filter(instance="SPLP").exists()
    assert not AuditEvent.objects.filter(action__startswith="exchange.").exists()
    # Its own code, in any case, in another instance or class: allowed and audited.
    own = directory_save(obj=_member("Kemensos", directory.kemensos), acting=KEMENSOS_ADMIN)
    assert AuditEvent.objects.get(action="exchange.member_created").target_id == str(own.pk)


def test_agency_admin_cannot_rename_its_member_to_another_code(directory: Directory) -> None:
    member = Member.objects.get(pk=directory.client_member.pk)
    member.member_code = "POLRI"
    assert _refusal(member, KEMENSOS_ADMIN).message_dict == {"member_code": [CODE_EN]}
    assert Member.objects.get(pk=member.pk).member_code == "KEMENSOS"
    member.member_code, member.name = "KEMENSOS", "Kementerian Sosial RI"  # other fields stay editable
    directory_save(obj=member, acting=KEMENSOS_ADMIN)
    assert Member.objects.get(pk=member.pk).name == "Kementerian Sosial RI"


def test_a_platform_admin_registers_any_code_and_so_assigns_it_to_the_agency(directory: Directory) -> None:
    directory_save(obj=_member("PKH", directory.kemensos, instance="SPLP-DEV"), acting=PLATFORM)
    # Kemensos may now use PKH elsewhere too (a platform admin assigned it), but still no other code.
    directory_save(obj=_member("pkh", directory.kemensos), acting=KEMENSOS_ADMIN)
    error = _refusal(_member("BPJS", directory.kemensos), KEMENSOS_ADMIN)
    assert error.message_dict["member_code"] == [
        "Use a member code assigned to this agency (KEMENSOS, PKH); only a platform admin can register another code."]
    directory_save(obj=_member("BPJS", directory.kemensos), acting=PLATFORM)
    assert Member.objects.filter(agency=directory.kemensos, member_code="BPJS").exists()


def test_agency_admin_binds_only_an_oauth_client_registered_to_its_agency(directory: Directory) -> None:
    register_client("dukcapil-siak", directory.dukcapil)
    register_client("tanpa-instansi", None)
    register_client("kemensos-pkh", directory.kemensos)
    for client_id in ("dukcapil-siak", "tanpa-instansi", "belum-ada"):  # another agency's, no agency's, unknown
        error = _refusal(Subsystem(member=directory.client_member, code="pkh", oauth_client_id=client_id),
                         KEMENSOS_ADMIN)
        assert error.message_dict == {"oauth_client_id": [CLIENT_EN]}
        assert error.codes == {"oauth_client_id": ["client_not_registered"]}
    error = _refusal(Subsystem(member=directory.client_member, code="pkh", oauth_client_id="dukcapil-siak"),
                     KEMENSOS_ADMIN, "id")
    assert error.message_dict == {"oauth_client_id": [CLIENT_ID]}
    assert not Subsystem.objects.filter(code="pkh").exists()
    assert not AuditEvent.objects.filter(action__startswith="exchange.").exists()
    # Rebinding an existing subsystem to another agency's client is refused the same way.
    other = Subsystem.objects.get(pk=directory.other_client.pk)
    other.oauth_client_id = "dukcapil-siak"
    assert _refusal(other, KEMENSOS_ADMIN).message_dict == {"oauth_client_id": [CLIENT_EN]}
    # Its own agency's client: allowed and audited.
    bound = directory_save(obj=Subsystem(member=directory.client_member, code="pkh", oauth_client_id="kemensos-pkh"),
                           acting=KEMENSOS_ADMIN)
    event = AuditEvent.objects.get(action="exchange.subsystem_created")
    assert event.target_id == str(bound.pk) and event.details["oauth_client_id"] == "kemensos-pkh"


def test_platform_admin_binds_any_registered_client_but_not_an_unknown_id(directory: Directory) -> None:
    register_client("dukcapil-siak", directory.dukcapil)
    error = _refusal(Subsystem(member=directory.client_member, code="pkh", oauth_client_id="belum-ada"), PLATFORM)
    assert error.message_dict == {
        "oauth_client_id": ["No OAuth client with this client id is registered; register the client first."]}
    error = _refusal(Subsystem(member=directory.client_member, code="pkh", oauth_client_id="belum-ada"), PLATFORM, "id")
    assert error.message_dict == {
        "oauth_client_id": ["Tidak ada klien OAuth terdaftar dengan id klien ini; daftarkan kliennya terlebih dahulu."]}
    bound = directory_save(obj=Subsystem(member=directory.client_member, code="pkh", oauth_client_id="dukcapil-siak"),
                           acting=PLATFORM)
    assert bound.oauth_client_id == "dukcapil-siak"


def test_an_unchanged_binding_a_platform_admin_made_stays_editable_by_the_agency(directory: Directory) -> None:
    # The fixture bound Kemensos's client subsystem to "kemensos-bansos", which is not registered.
    client = Subsystem.objects.get(pk=directory.client.pk)
    client.name = "SIKS-NG (baru)"
    directory_save(obj=client, acting=KEMENSOS_ADMIN)
    client.oauth_client_id = "kemensos-lain"
    assert _refusal(client, KEMENSOS_ADMIN).message_dict == {"oauth_client_id": [CLIENT_EN]}
    assert Subsystem.objects.get(pk=client.pk).oauth_client_id == "kemensos-bansos"


def _agency_admin_browser(agency: Agency) -> Client:
    officer = make_officer(agency=agency, roles=["agency_admin"], with_totp=True)
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    browser = Client()
    browser.force_login(officer)
    return browser


def test_back_office_shows_a_foreign_member_code_as_a_field_error(directory: Directory) -> None:
    browser = _agency_admin_browser(directory.kemensos)
    form = {"instance": "SPLP", "member_class": "GOV", "member_code": "DUKCAPIL", "name": "Dukcapil",
            "agency": directory.kemensos.pk}
    page = browser.post("/kelola/exchange/member/add/", form)
    assert page.status_code == 200
    assert CODE_ID in page.content.decode()
    assert not Member.objects.filter(instance="SPLP").exists()
    assert browser.post("/kelola/exchange/member/add/", {**form, "member_code": "KEMENSOS"}).status_code == 302
    assert Member.objects.filter(instance="SPLP", member_code="KEMENSOS").exists()
    assert AuditEvent.objects.filter(action="exchange.member_created").count() == 1


def test_back_office_shows_a_foreign_oauth_client_as_a_field_error(directory: Directory) -> None:
    register_client("dukcapil-siak", directory.dukcapil)
    register_client("kemensos-pkh", directory.kemensos)
    Subsystem.objects.filter(pk=directory.provider.pk).update(oauth_client_id="dukcapil-siak")  # in use
    browser = _agency_admin_browser(directory.kemensos)
    form = {"member": directory.client_member.pk, "code": "pkh", "name": "", "cert_fingerprint": "",
            "oauth_client_id": "dukcapil-siak"}
    page = browser.post("/kelola/exchange/subsystem/add/", form)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Tidak ada klien OAuth dengan id klien ini" in content
    assert "sudah dipakai" not in content  # only the ownership rule answers, never whether it is in use
    assert not Subsystem.objects.filter(code="pkh").exists()
    own = browser.post("/kelola/exchange/subsystem/add/", {**form, "oauth_client_id": "kemensos-pkh"})
    assert own.status_code == 302
    assert Subsystem.objects.get(code="pkh").oauth_client_id == "kemensos-pkh"


def test_back_office_lets_a_platform_admin_register_another_agencys_code(directory: Directory) -> None:
    browser = Client()
    browser.force_login(make_platform_admin("root@example.go.id"))
    form = {"instance": "SPLP", "member_class": "GOV", "member_code": "PKH", "name": "PKH",
            "agency": directory.kemensos.pk}
    assert browser.post("/kelola/exchange/member/add/", form).status_code == 302
    page = browser.post("/kelola/exchange/subsystem/add/", {
        "member": directory.client_member.pk, "code": "pkh", "name": "", "cert_fingerprint": "",
        "oauth_client_id": "belum-ada"})
    assert page.status_code == 200
    assert "Tidak ada klien OAuth terdaftar dengan id klien ini" in page.content.decode()


CERT_EN = ("Another subsystem of this agency (Kementerian Sosial) already uses this certificate fingerprint; give "
           "each subsystem its own certificate.")
CERT_ID = ("Subsistem lain milik instansi ini (Kementerian Sosial) sudah memakai sidik jari sertifikat ini; beri "
           "setiap subsistem sertifikatnya sendiri.")


def test_another_agencys_certificate_fingerprint_neither_blocks_nor_leaks(directory: Directory) -> None:
    dukcapil_admin = Principal(kind="officer", id="4", agency="dukcapil", roles=frozenset({"agency_admin"}))
    _header, dukcapil_fp = make_cert("siak")
    # Kemensos's admin enters Dukcapil's certificate before Dukcapil does: no answer about its use ...
    squat = directory_save(obj=Subsystem(member=directory.client_member, code="pkh", cert_fingerprint=dukcapil_fp),
                           acting=KEMENSOS_ADMIN)
    # ... and Dukcapil still registers its own certificate (the front proxy proves who holds its key).
    own = Subsystem(member=directory.provider_member, code="siak", cert_fingerprint=dukcapil_fp)
    directory_save(obj=own, acting=dukcapil_admin)
    # A fingerprint Kemensos's client already uses tells Dukcapil's admin nothing either.
    used = Subsystem.objects.get(pk=directory.client.pk).cert_fingerprint
    provider = Subsystem.objects.get(pk=directory.provider.pk)
    provider.cert_fingerprint = used
    directory_save(obj=provider, acting=dukcapil_admin)
    assert Subsystem.objects.filter(cert_fingerprint=dukcapil_fp).count() == 2
    assert Subsystem.objects.get(pk=squat.pk).member.agency == directory.kemensos
    assert AuditEvent.objects.filter(action="exchange.subsystem_created").count() == 2


def test_a_certificate_fingerprint_is_unique_within_the_agency(directory: Directory) -> None:
    used = Subsystem.objects.get(pk=directory.client.pk).cert_fingerprint
    for acting in (KEMENSOS_ADMIN, PLATFORM):
        error = _refusal(Subsystem(member=directory.client_member, code="pkh", cert_fingerprint=used), acting)
        assert error.message_dict == {"cert_fingerprint": [CERT_EN]}
        assert error.codes == {"cert_fingerprint": ["cert_in_use"]}
    error = _refusal(Subsystem(member=directory.client_member, code="pkh", cert_fingerprint=used), KEMENSOS_ADMIN, "id")
    assert error.message_dict == {"cert_fingerprint": [CERT_ID]}
    # Also under another member of the same agency, and when an existing subsystem changes to it.
    other_member = directory_save(obj=_member("KEMENSOS", directory.kemensos), acting=KEMENSOS_ADMIN)
    error = _refusal(Subsystem(member=other_member, code="pkh", cert_fingerprint=used), KEMENSOS_ADMIN)
    assert error.message_dict == {"cert_fingerprint": [CERT_EN]}
    other = Subsystem.objects.get(pk=directory.other_client.pk)
    other.cert_fingerprint = used
    assert _refusal(other, KEMENSOS_ADMIN).message_dict == {"cert_fingerprint": [CERT_EN]}
    assert not Subsystem.objects.filter(code="pkh").exists()
    assert Subsystem.objects.filter(cert_fingerprint=used).count() == 1
    # Saving a subsystem with its own unchanged fingerprint is not a clash with itself.
    client = Subsystem.objects.get(pk=directory.client.pk)
    client.name = "SIKS-NG (baru)"
    directory_save(obj=client, acting=KEMENSOS_ADMIN)


def test_back_office_accepts_another_agencys_certificate_and_refuses_its_own_twice(directory: Directory) -> None:
    dukcapil_fp = make_cert("siak")[1]
    Subsystem.objects.filter(pk=directory.provider.pk).update(cert_fingerprint=dukcapil_fp)  # Dukcapil's, in use
    browser = _agency_admin_browser(directory.kemensos)
    form = {"member": directory.client_member.pk, "code": "pkh", "name": "", "oauth_client_id": "",
            "cert_fingerprint": dukcapil_fp}
    assert browser.post("/kelola/exchange/subsystem/add/", form).status_code == 302
    assert Subsystem.objects.get(code="pkh").cert_fingerprint == dukcapil_fp
    page = browser.post("/kelola/exchange/subsystem/add/", {**form, "code": "pkh2"})
    assert page.status_code == 200
    assert "Subsistem lain milik instansi ini (Kementerian Sosial) sudah memakai sidik jari" in page.content.decode()
    assert not Subsystem.objects.filter(code="pkh2").exists()
