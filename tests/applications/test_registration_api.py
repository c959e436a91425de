"""The GovStack Registration BB API (applications part) at /registration/v1/: every endpoint, both
ways of authenticating, agency isolation, validation errors naming fields, idempotency,
statistics on both paths. Real users, real django-oauth-toolkit tokens (checked by the toolkit),
real exchange directory rows; only the calling address is chosen with ``REMOTE_ADDR``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from satupintu.applications.actions import definition_import
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.forms_engine import SchemaForm, answers_to_data
from satupintu.applications.models import Application, ApplicationStatus, StagedDocument, Upload
from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Service
from satupintu.core.principal import Principal
from satupintu.identity import testing
from tests.applications.conftest import VALID_NIK, VALID_NIK_2, definition_data, pdf_bytes

BASE = "/registration/v1"
TRUSTED = "127.0.0.1"

pytestmark = pytest.mark.django_db


# --- helpers -----------------------------------------------------------------------------------

def bearer(user: Any, *, scope: str = "registration", acr: str = "loa2") -> dict[str, str]:
    """A live access token of the platform's provider for ``user`` (as the authorization-code
    grant leaves it: the token plus the grant's sign-in context with its ``acr``)."""
    from oauth2_provider.models import AccessToken, get_application_model

    from satupintu.identity.models import SignInContext

    application = get_application_model().objects.create(
        name="Aplikasi instansi", client_type="confidential", authorization_grant_type="authorization-code",
        redirect_uris="https://rp.example/cb", algorithm="RS256")
    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(user=user, application=application, token=raw, scope=scope,
                               expires=timezone.now() + dt.timedelta(minutes=10))
    SignInContext.objects.create(key=f"code:{secrets.token_hex(8)}", acr=acr, auth_time=timezone.now(), used=True,
                                 access_token_checksum=hashlib.sha256(raw.encode()).hexdigest())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def client_credentials_token(agency: Any, *, scope: str = "registration") -> dict[str, str]:
    """A client-credentials token from the real token endpoint for an agency's system."""
    from oauth2_provider.models import get_application_model

    from satupintu.identity.models import RelyingParty

    secret = secrets.token_urlsafe(24)
    application = get_application_model().objects.create(
        name="SIAK instansi", client_id=f"siak-{secrets.token_hex(4)}", client_secret=secret,
        client_type="confidential", authorization_grant_type="client-credentials")
    RelyingParty.objects.create(application=application, agency=agency, allowed_scopes="registration")
    response = Client().post("/o/token/", {"grant_type": "client_credentials", "scope": scope},
                             HTTP_AUTHORIZATION=_basic(application.client_id, secret))
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def subsystem(agency: Any, code: str = "siak") -> str:
    from satupintu.exchange.models import Member, Subsystem

    member = Member.objects.create(instance="SPLP-DEV", member_class="GOV", member_code=agency.code.upper(),
                                   name=agency.name_id, agency=agency)
    return Subsystem.objects.create(member=member, code=code).identifier


def answers(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"nama": "Siti Aminah", "tanggal_lahir": "1990-01-01", "nik": VALID_NIK, "alasan": "rusak",
                            "anggota": [{"nama": "Budi", "nik": VALID_NIK_2}]}
    data.update(overrides)
    return data


def submit(client: Client, service_id: str, auth: dict[str, str], data: dict[str, Any] | None = None,
           key: str | None = "kunci-1", **extra: Any) -> Any:
    headers = dict(auth)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    body = {"formData": {"data": answers() if data is None else data}, **extra}
    return client.post(f"{BASE}/services/{service_id}/applications", body, content_type="application/json",
                       **headers)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:800]
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def fields(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["rule"] for e in body.get("errors", [])}


@pytest.fixture
def service(version: Any, agencies: Any) -> Service:
    return Service.objects.create(slug="uji-layanan", agency=agencies["dukcapil"], name_id="Layanan uji",
                                  summary_id="Layanan untuk pengujian.")


@pytest.fixture
def people(agencies: Any) -> dict[str, Any]:
    return {
        "warga": testing.make_citizen(email="warga@example.id"),
        "warga2": testing.make_citizen(email="warga2@example.id"),
        "petugas": testing.make_officer(agency=agencies["dukcapil"], roles=["verifier", "approver"],
                                        email="petugas@example.id"),
        "verifikator": testing.make_officer(agency=agencies["dukcapil"], roles=["verifier"],
                                            email="verif@example.id"),
        "polri": testing.make_officer(agency=agencies["polri"], roles=["verifier", "approver"],
                                      email="polri@example.id"),
    }


@pytest.fixture
def submitted(service: Service, people: dict[str, Any]) -> dict[str, Any]:
    response = submit(Client(), str(service.uid), bearer(people["warga"]))
    assert response.status_code == 200, response.content
    return response.json()


# --- e-forms (public) ------------------------------------------------------------------------------

def test_eforms_of_a_service_and_one_eform(service: Service) -> None:
    client = Client()
    listed = client.get(f"{BASE}/services/{service.uid}/eForms")
    assert listed.status_code == 200
    assert listed.json() == [{"eFormId": "uji-layanan.v1", "name": "Layanan uji", "description": "uji-layanan",
                              "version": "1", "latest": True}]
    one = client.get(f"{BASE}/eForms/uji-layanan.v1").json()
    assert one["latest"] is True and [f["name"] for f in one["schema"]["fields"]][:3] == ["nama", "catatan",
                                                                                      "jumlah_anak"]
    problem(client.get(f"{BASE}/eForms/uji-layanan.v9"), 404)
    problem(client.get(f"{BASE}/eForms/..%00"), 422)
    problem(client.get(f"{BASE}/services/00000000-0000-0000-0000-000000000000/eForms"), 404)
    problem(client.get(f"{BASE}/services/bukan-uuid/eForms"), 404)


# --- authentication ----------------------------------------------------------------------------------

PROTECTED = [("post", "/services/{sid}/applications"), ("post", "/documents"), ("get", "/applications"),
             ("get", "/applications/SP-2026-000001"), ("put", "/applications/SP-2026-000001"), ("get", "/tasks"),
             ("get", "/tasks/SP-2026-000001.diajukan"), ("post", "/tasks/SP-2026-000001.diajukan/complete"),
             ("get", "/data/statistics"), ("get", "/data/statistics/1.0")]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_unauthenticated_is_401_problem(service: Service, method: str, path: str) -> None:
    response = getattr(Client(), method)(BASE + path.format(sid=service.uid), {}, content_type="application/json")
    body = problem(response, 401)
    assert body["type"] == "/problems/unauthorized" and response["WWW-Authenticate"] == "Bearer"


def test_broken_multipart_body_with_a_token_is_400_not_500(service: Service, people: dict) -> None:
    response = Client().generic("POST", f"{BASE}/documents", b"--x--", content_type="multipart/form-data",
                                **bearer(people["warga"]))
    got = problem(response, 400)
    assert got["title"] == "Isi permintaan tidak valid"
    assert got["errors"] == [{"field": "body", "rule": "multipart",
                              "message": "Isi permintaan tidak dapat dibaca (multipart rusak)."}]


def test_a_document_sent_as_json_names_the_file_field(service: Service, people: dict) -> None:
    response = Client().post(f"{BASE}/documents", {"file": "aGFsbw=="}, content_type="application/json",
                             **bearer(people["warga"]))
    assert problem(response, 422)["errors"] == [{"field": "file", "rule": "required",
                                                 "message": "Isian ini wajib diisi."}]


def test_token_without_the_registration_scope_or_expired_is_refused(service: Service, people: dict) -> None:
    from oauth2_provider.models import AccessToken

    problem(Client().get(f"{BASE}/applications", **bearer(people["warga"], scope="openid profile")), 401)
    auth = bearer(people["warga"])
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    problem(Client().get(f"{BASE}/applications", **auth), 401)


def test_officer_token_needs_a_second_factor_sign_in(service: Service, people: dict) -> None:
    problem(Client().get(f"{BASE}/applications", **bearer(people["petugas"], acr="loa1")), 401)
    assert Client().get(f"{BASE}/applications", **bearer(people["petugas"], acr="loa2")).status_code == 200


def test_information_mediator_header_is_honoured_only_from_trusted_proxies(
        submitted: dict, agencies: dict) -> None:
    system = subsystem(agencies["dukcapil"])
    trusted = Client(REMOTE_ADDR=TRUSTED)
    listed = trusted.get(f"{BASE}/applications", HTTP_INFORMATION_MEDIATOR_CLIENT=system)
    assert listed.status_code == 200 and [a["fileId"] for a in listed.json()] == [submitted["fileId"]]
    assert trusted.get(f"{BASE}/applications", HTTP_X_ROAD_CLIENT=system).json()[0]["fileId"] == submitted["fileId"]
    # The same header from anywhere else is ignored: no credential at all.
    problem(Client(REMOTE_ADDR="203.0.113.7").get(f"{BASE}/applications", HTTP_INFORMATION_MEDIATOR_CLIENT=system),
            401)
    with override_settings(SATUPINTU_REGISTRATION_TRUSTED_PROXIES=[]):  # the production default
        problem(trusted.get(f"{BASE}/applications", HTTP_X_ROAD_CLIENT=system), 401)
    problem(trusted.get(f"{BASE}/applications", HTTP_X_ROAD_CLIENT="bukan id"), 401)
    # A system not in the exchange directory has no agency: it sees nothing.
    assert trusted.get(f"{BASE}/applications", HTTP_X_ROAD_CLIENT="SPLP-DEV/GOV/X/lain").json() == []


def test_system_principal_reads_its_agency_and_is_audited_but_never_writes(
        submitted: dict, agencies: dict, service: Service, people: dict) -> None:
    system = subsystem(agencies["dukcapil"])
    client = Client(REMOTE_ADDR=TRUSTED, HTTP_INFORMATION_MEDIATOR_CLIENT=system)
    file_id = submitted["fileId"]
    assert client.get(f"{BASE}/applications/{file_id}").json()["fileId"] == file_id
    viewed = AuditEvent.objects.get(action="application.viewed")
    assert (viewed.actor_kind, viewed.actor_id) == ("system", system)
    tasks = client.get(f"{BASE}/tasks").json()
    assert [t["taskId"] for t in tasks] == [f"{file_id}.diajukan"]
    problem(client.post(f"{BASE}/tasks/{file_id}.diajukan/complete", {"data": {"transition": "verifikasi"}},
                        content_type="application/json"), 403)
    problem(submit(client, str(service.uid), {}), 403)
    problem(client.put(f"{BASE}/applications/{file_id}", {"formData": {"data": answers()}},
                       content_type="application/json"), 403)
    # Another agency's system: the same 404 as a missing file.
    other = Client(REMOTE_ADDR=TRUSTED, HTTP_INFORMATION_MEDIATOR_CLIENT=subsystem(agencies["polri"]))
    problem(other.get(f"{BASE}/applications/{file_id}"), 404)
    assert other.get(f"{BASE}/applications").json() == []


def test_client_credentials_token_of_an_agency_system(submitted: dict, agencies: dict) -> None:
    auth = client_credentials_token(agencies["dukcapil"])
    listed = Client().get(f"{BASE}/applications", **auth)
    assert listed.status_code == 200 and [a["fileId"] for a in listed.json()] == [submitted["fileId"]]
    problem(Client().post(f"{BASE}/tasks/{submitted['fileId']}.diajukan/complete",
                          {"data": {"transition": "verifikasi"}}, content_type="application/json", **auth), 403)
    polri = client_credentials_token(agencies["polri"])
    problem(Client().get(f"{BASE}/applications/{submitted['fileId']}", **polri), 404)


# --- applying --------------------------------------------------------------------------------------

def test_submit_runs_the_web_action_and_answers_in_the_spec_shape(submitted: dict, people: dict,
                                                                   service: Service) -> None:
    assert submitted["fileId"].startswith("SP-")
    assert submitted["serviceId"] == str(service.uid)
    assert submitted["status"] == {"code": "PENDING", "title": "Diajukan"}
    assert submitted["ended"] is False
    data = submitted["applicationData"]
    assert data["applicantId"] == str(people["warga"].pk)
    assert data["formData"]["eFormId"] == "uji-layanan.v1" and data["formData"]["data"]["nik"] == VALID_NIK
    application = Application.objects.get(tracking_number=submitted["fileId"])
    assert application.status == ApplicationStatus.IN_PROCESS and application.state == "diajukan"
    event = AuditEvent.objects.get(action="application.submitted")
    assert (event.actor_kind, event.actor_id) == ("citizen", str(people["warga"].pk))


def test_submit_is_idempotent_on_the_key(service: Service, people: dict) -> None:
    auth = bearer(people["warga"])
    first = submit(Client(), str(service.uid), auth, key="sama").json()
    again = submit(Client(), str(service.uid), auth, key="sama", data=answers(nama="Nama Lain")).json()
    assert again["fileId"] == first["fileId"] and again["applicationData"]["formData"]["data"]["nama"] == "Siti Aminah"
    assert Application.objects.count() == 1
    other = submit(Client(), str(service.uid), auth, key="lain").json()
    assert other["fileId"] != first["fileId"]
    # Another citizen's identical key is their own.
    assert submit(Client(), str(service.uid), bearer(people["warga2"]), key="sama").json()["fileId"] not in (
        first["fileId"], other["fileId"])
    problem(submit(Client(), str(service.uid), auth, key=" spasi\u0000"), 422)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_validation_errors_name_fields_with_the_web_form_messages(service: Service, people: dict,
                                                                   version: Any, lang: str) -> None:
    bad = answers(nama="", nik="1234", jumlah_anak=99, anggota=[{"nama": "Budi", "nik": "12"}])
    response = Client().post(f"{BASE}/services/{service.uid}/applications?lang={lang}",
                             {"formData": {"data": bad}}, content_type="application/json",
                             HTTP_IDEMPOTENCY_KEY="k", **bearer(people["warga"]))
    body = problem(response, 422)
    got = {e["field"]: e["message"] for e in body["errors"]}
    assert fields(body) == {"formData.data.nama": "required", "formData.data.nik": "nik_format",
                            "formData.data.jumlah_anak": "max_value", "formData.data.anggota.0.nik": "nik_format"}
    # The same messages as the web form in the same language.
    with translation.override(lang):
        data, _errors = answers_to_data(version.form_schema, bad, version=1)
        form = SchemaForm(version.form_schema, version=1, data=data)
        assert not form.is_valid()
        web = {e.field: e.message for e in form.field_errors()}
    assert got["formData.data.nama"] == web["nama"] and got["formData.data.anggota.0.nik"] == web["anggota-0-nik"]
    assert Application.objects.count() == 0


def test_region_and_address_errors_are_named_by_their_answer_path(service: Service, people: dict) -> None:
    body = problem(submit(Client(), str(service.uid), bearer(people["warga"]),
                          data=answers(wilayah="99.99", alamat={"street": "", "rt": "abcd", "region": "99"})), 422)
    assert set(fields(body)) <= {"formData.data.wilayah", "formData.data.alamat.rt", "formData.data.alamat.region",
                                 "formData.data.alamat.street"}
    assert "formData.data.wilayah" in fields(body) and any(f.startswith("formData.data.alamat.") for f in fields(body))


def test_shape_errors_unknown_fields_and_stale_eform(service: Service, people: dict, version: Any) -> None:
    auth = bearer(people["warga"])
    body = problem(submit(Client(), str(service.uid), auth, data=answers(palsu="x", punya_paspor="ya")), 422)
    assert fields(body) == {"formData.data.palsu": "unknown_field", "formData.data.punya_paspor": "type"}
    stale = Client().post(f"{BASE}/services/{service.uid}/applications",
                          {"formData": {"data": answers(), "eFormId": "uji-layanan.v7"}},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
    assert fields(problem(stale, 422)) == {"formData.eFormId": "reference"}  # no such version (yet)
    assert ("uji-layanan.v7 bukan versi e-formulir layanan ini yang diterbitkan; versi yang berlaku adalah "
            f"uji-layanan.v{version.number}.") in stale.content.decode()  # Indonesian by default
    problem(Client().post(f"{BASE}/services/{service.uid}/applications", "{bukan json",
                          content_type="application/json", **auth), 400)
    problem(Client().post(f"{BASE}/services/{service.uid}/applications", {"formData": {"data": []}},
                          content_type="application/json", **auth), 422)
    body = problem(submit(Client(), str(service.uid), auth, applicantId="orang-lain"), 422)
    assert fields(body) == {"applicantId": "reference"}
    assert Application.objects.count() == 0


def test_an_eform_replaced_since_it_was_fetched_is_stale(service: Service, people: dict, version: Any) -> None:
    newer, created = definition_import(content=parse_definition(definition_data(sla_working_days=4)),
                                       acting=Principal.platform())
    assert created and newer.number == version.number + 1
    stale = Client().post(f"{BASE}/services/{service.uid}/applications",
                          {"formData": {"data": answers(), "eFormId": f"uji-layanan.v{version.number}"}},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **bearer(people["warga"]))
    assert fields(problem(stale, 422)) == {"formData.eFormId": "stale_version"}
    assert Application.objects.count() == 0


def test_only_citizens_apply_at_the_service_level(service: Service, people: dict) -> None:
    problem(submit(Client(), str(service.uid), bearer(people["warga"], acr="loa1")), 403)  # service needs level 2
    problem(submit(Client(), str(service.uid), bearer(people["petugas"])), 403)
    problem(submit(Client(), "00000000-0000-0000-0000-000000000000", bearer(people["warga"])), 404)
    assert Application.objects.count() == 0


def test_documents_are_checked_then_referenced_from_file_fields(service: Service, people: dict) -> None:
    auth = bearer(people["warga"])
    client = Client()
    fake = client.post(f"{BASE}/documents", {"file": _file("laporan.pdf", b"bukan pdf sama sekali")}, **auth)
    assert fields(problem(fake, 422)) == {"file": "file_type"}
    problem(client.post(f"{BASE}/documents", {}, **auth), 422)
    problem(client.post(f"{BASE}/documents", {"file": _file("x.pdf", pdf_bytes())}, **bearer(people["petugas"])), 403)
    staged = client.post(f"{BASE}/documents", {"file": _file("../../laporan polisi.pdf", pdf_bytes())}, **auth)
    assert staged.status_code == 200, staged.content
    urn = staged.json()["url"]
    assert urn.startswith("urn:uuid:") and staged.json()["type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="application_document.staged").count() == 1
    # Someone else cannot use it.
    theirs = submit(client, str(service.uid), bearer(people["warga2"]),
                    data=answers(alasan="hilang", nomor_laporan="LP/1/2026", surat_kehilangan=urn))
    assert fields(problem(theirs, 422)) == {"formData.data.surat_kehilangan": "document"}
    # A required file missing is named like the web form names it.
    missing = submit(client, str(service.uid), auth, data=answers(alasan="hilang", nomor_laporan="LP/1/2026"))
    assert fields(problem(missing, 422)) == {"formData.data.surat_kehilangan": "required"}
    done = submit(client, str(service.uid), auth,
                  data=answers(alasan="hilang", nomor_laporan="LP/1/2026", surat_kehilangan=urn))
    assert done.status_code == 200, done.content
    upload = Upload.objects.get()
    assert upload.field_path == "surat_kehilangan" and upload.name == "laporan polisi.pdf"
    assert done.json()["applicationData"]["documentUrls"] == [
        f"/permohonan/{upload.application_id}/berkas/{upload.pk}/"]
    assert not StagedDocument.objects.exists()
    # A retry with the same key returns the application although the document was consumed.
    retry = submit(client, str(service.uid), auth,
                   data=answers(alasan="hilang", nomor_laporan="LP/1/2026", surat_kehilangan=urn))
    assert retry.json()["fileId"] == done.json()["fileId"]


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- reading applications --------------------------------------------------------------------------

def test_listing_and_reading_are_scoped_by_the_chokepoint(submitted: dict, people: dict, service: Service) -> None:
    file_id = submitted["fileId"]
    mine = Client().get(f"{BASE}/applications", **bearer(people["warga"])).json()
    assert [a["fileId"] for a in mine] == [file_id] and mine[0]["status"]["code"] == "PENDING"
    assert Client().get(f"{BASE}/applications", **bearer(people["warga2"])).json() == []
    problem(Client().get(f"{BASE}/applications/{file_id}", **bearer(people["warga2"])), 404)
    problem(Client().get(f"{BASE}/applications/{file_id}", **bearer(people["polri"])), 404)
    assert Client().get(f"{BASE}/applications", **bearer(people["polri"])).json() == []
    officer = Client().get(f"{BASE}/applications/{file_id}", **bearer(people["petugas"]))
    assert officer.status_code == 200 and officer.json()["applicationData"]["formData"]["data"]["nama"] == "Siti Aminah"
    assert AuditEvent.objects.filter(action="application.viewed", actor_id=str(people["petugas"].pk)).exists()
    listed = Client().get(f"{BASE}/applications", {"serviceId": str(service.uid), "sortBy": "dueDate",
                                                   "sortOrder": "asc", "maxResult": 5},
                          **bearer(people["petugas"])).json()
    assert [a["fileId"] for a in listed] == [file_id]
    assert Client().get(f"{BASE}/applications", {"serviceId": "00000000-0000-0000-0000-000000000000"},
                        **bearer(people["petugas"])).json() == []
    problem(Client().get(f"{BASE}/applications", {"sortBy": "nama"}, **bearer(people["petugas"])), 422)
    problem(Client().get(f"{BASE}/applications", {"maxResult": 0}, **bearer(people["petugas"])), 422)
    problem(Client().get(f"{BASE}/applications", {"applicantId": "a\u0000b"}, **bearer(people["petugas"])), 422)
    problem(Client().get(f"{BASE}/applications/bukan-nomor", **bearer(people["petugas"])), 422)
    problem(Client().get(f"{BASE}/applications/SP-2026-999999", **bearer(people["petugas"])), 404)


# --- tasks -----------------------------------------------------------------------------------------

def test_officer_tasks_complete_with_roles_reasons_and_stale_ids(submitted: dict, people: dict) -> None:
    file_id = submitted["fileId"]
    officer = bearer(people["petugas"])
    verifier = bearer(people["verifikator"])
    tasks = Client().get(f"{BASE}/tasks", **officer).json()
    assert [(t["taskId"], t["fileId"], t["roleId"]) for t in tasks] == [
        (f"{file_id}.diajukan", file_id, "verifier")]
    task = Client().get(f"{BASE}/tasks/{file_id}.diajukan", **officer).json()
    assert task["formVariables"]["verifikasi"]["allowed"] is True
    assert task["formVariables"]["minta_perbaikan"]["reasonRequired"] is True
    assert task["data"]["nik"] == VALID_NIK
    problem(Client().get(f"{BASE}/tasks/{file_id}.diajukan", **bearer(people["polri"])), 404)
    assert Client().get(f"{BASE}/tasks", **bearer(people["polri"])).json() == []
    assert Client().get(f"{BASE}/tasks", **bearer(people["warga"])).json() == []  # nothing waits for the citizen
    complete = f"{BASE}/tasks/{file_id}.diajukan/complete"
    assert fields(problem(Client().post(complete, {"data": {}}, content_type="application/json", **officer),
                          422)) == {"data.transition": "required"}
    assert fields(problem(Client().post(complete, {"data": {"transition": "setujui"}},
                                        content_type="application/json", **officer), 422)) == {
        "data.transition": "choice"}
    assert fields(problem(Client().post(complete, {"data": {"transition": "minta_perbaikan"}},
                                        content_type="application/json", **officer), 422)) == {
        "data.reason": "required"}
    done = Client().post(complete, {"data": {"transition": "verifikasi"}}, content_type="application/json",
                         **verifier)
    assert done.status_code == 200, done.content
    assert done.json()["variables"]["transition"] == {"name": "verifikasi", "from": "diajukan", "to": "diverifikasi"}
    problem(Client().post(complete, {"data": {"transition": "verifikasi"}}, content_type="application/json",
                          **verifier), 404)  # the task is done
    approve = f"{BASE}/tasks/{file_id}.diverifikasi/complete"
    problem(Client().post(approve, {"data": {"transition": "setujui"}}, content_type="application/json",
                          **verifier), 403)  # not an approver
    finished = Client().post(approve, {"data": {"transition": "setujui"}}, content_type="application/json", **officer)
    assert finished.json()["status"]["code"] == "APPROVED"
    event = AuditEvent.objects.filter(action="application.transitioned").latest("seq")
    assert event.details["to"] == "disetujui" and event.actor_id == str(people["petugas"].pk)
    got = Client().get(f"{BASE}/applications/{file_id}", **bearer(people["warga"])).json()
    assert got["ended"] is True and got["status"]["code"] == "APPROVED"
    problem(Client().get(f"{BASE}/tasks/bukan-tugas", **officer), 422)


def test_send_back_revision_by_put_then_the_applicant_completes_the_task(submitted: dict, people: dict) -> None:
    file_id = submitted["fileId"]
    officer, citizen = bearer(people["petugas"]), bearer(people["warga"])
    sent = Client().post(f"{BASE}/tasks/{file_id}.diajukan/complete",
                         {"data": {"transition": "minta_perbaikan", "reason": "Foto buram"}},
                         content_type="application/json", **officer)
    assert sent.json()["status"]["code"] == "SENDBACK"
    mine = Client().get(f"{BASE}/tasks", **citizen).json()
    assert [t["taskId"] for t in mine] == [f"{file_id}.perlu_perbaikan"]
    assert Client().get(f"{BASE}/tasks", **officer).json() == []
    put = f"{BASE}/applications/{file_id}"
    problem(Client().put(put, {"formData": {"data": answers()}}, content_type="application/json", **officer), 403)
    bad = Client().put(put, {"formData": {"data": answers(nama="")}}, content_type="application/json", **citizen)
    assert fields(problem(bad, 422)) == {"formData.data.nama": "required"}
    revised = Client().put(put, {"formData": {"data": answers(nama="Siti Aminah Putri")}},
                           content_type="application/json", **citizen)
    assert revised.status_code == 200, revised.content
    assert revised.json()["applicationData"]["formData"]["data"]["nama"] == "Siti Aminah Putri"
    back = Client().post(f"{BASE}/tasks/{file_id}.perlu_perbaikan/complete",
                         {"data": {"transition": "kirim_perbaikan"}}, content_type="application/json", **citizen)
    assert back.status_code == 200 and back.json()["status"]["code"] == "PENDING"
    problem(Client().put(put, {"formData": {"data": answers()}}, content_type="application/json", **citizen), 409)


def test_an_officer_applying_is_told_why_in_the_callers_language(service: Service, people: dict) -> None:
    officer = bearer(people["petugas"])
    got = problem(submit(Client(), str(service.uid), officer), 403)
    assert got["title"] == "Akses ditolak" and got["detail"] == "Hanya warga yang sudah masuk yang dapat mengajukan."
    english = Client().post(f"{BASE}/services/{service.uid}/applications?lang=en", {"formData": {"data": {}}},
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-en", **officer)
    assert problem(english, 403)["detail"] == "Only a signed-in citizen can apply."


@pytest.mark.parametrize("path", ["applications", "complete"])
def test_a_multipart_body_to_a_json_operation_is_a_400_not_a_500(service: Service, people: dict,
                                                                 path: str) -> None:
    """The bearer-token check must not read the body: the toolkit parsed a multipart body as form
    fields, and the API's read of the JSON body then failed (RawPostDataException, a 500)."""
    url = (f"{BASE}/services/{service.uid}/applications" if path == "applications"
           else f"{BASE}/tasks/SP-2026-000001.diajukan/complete")
    response = Client().post(url, {"formData": "x"}, **bearer(people["warga"]), HTTP_IDEMPOTENCY_KEY="k-multi")
    got = problem(response, 400)
    assert got["errors"][0]["field"] == "body" and got["errors"][0]["rule"] == "json"


def test_a_document_upload_still_reads_its_multipart_body(people: dict) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("surat.pdf", pdf_bytes(), content_type="application/pdf")
    response = Client().post(f"{BASE}/documents", {"file": pdf}, **bearer(people["warga"]))
    assert response.status_code == 200, response.content


# --- statistics ------------------------------------------------------------------------------------

def test_statistics_on_both_paths(service: Service, people: dict) -> None:
    citizen, officer = bearer(people["warga"]), bearer(people["petugas"])
    ids = [submit(Client(), str(service.uid), citizen, key=f"k{i}").json()["fileId"] for i in range(3)]

    def take(task: str, transition: str, reason: str = "") -> None:
        response = Client().post(f"{BASE}/tasks/{task}/complete", {"data": {"transition": transition,
                                                                             "reason": reason}},
                                 content_type="application/json", **officer)
        assert response.status_code == 200, response.content

    take(f"{ids[0]}.diajukan", "verifikasi")
    take(f"{ids[0]}.diverifikasi", "setujui")
    take(f"{ids[1]}.diajukan", "verifikasi")
    take(f"{ids[1]}.diverifikasi", "tolak", "Tidak memenuhi syarat")
    take(f"{ids[2]}.diajukan", "minta_perbaikan", "Lengkapi")
    expected = {"processed": 2, "approved": 1, "sentBack": 1, "rejected": 1}
    for path in ("/data/statistics", "/data/statistics/1.0"):
        rows = Client().get(BASE + path, **officer).json()
        assert len(rows) == 1 and {k: rows[0][k] for k in expected} == expected, rows
        assert rows[0]["references"]["registrationName"] == "Layanan uji"
    today = timezone.localdate(timezone=dt.timezone(dt.timedelta(hours=7)))
    by_day = Client().get(f"{BASE}/data/statistics", {"startDate": (today - dt.timedelta(days=2)).isoformat(),
                                                      "endDate": today.isoformat(), "timeframe": "day"},
                          **officer).json()
    assert [r["processed"] for r in by_day] == [0, 0, 2] and by_day[0]["references"]["timeframeDay"] is True
    future = Client().get(f"{BASE}/data/statistics/1.0", {"startDate": (today + dt.timedelta(days=1)).isoformat()},
                          **officer).json()
    assert future[0]["processed"] == 0
    assert Client().get(f"{BASE}/data/statistics", {"registrationName": "tidak ada"}, **officer).json() == []
    assert Client().get(f"{BASE}/data/statistics", **bearer(people["polri"])).json() == []
    problem(Client().get(f"{BASE}/data/statistics", **citizen), 403)
    assert fields(problem(Client().get(f"{BASE}/data/statistics", {"startDate": "2026-02-01",
                                                                   "endDate": "2026-01-01"}, **officer), 422)) == {
        "endDate": "min_value"}
    problem(Client().get(f"{BASE}/data/statistics", {"timeframe": "abad"}, **officer), 422)
    for bad in ("0", "2026-02-30"):  # schemathesis: lax date parsing once accepted "0"
        assert fields(problem(Client().get(f"{BASE}/data/statistics", {"startDate": bad}, **officer), 422)) == {
            "startDate": "date_parsing" if bad != "0" else "pattern"}
    problem(Client().get(f"{BASE}/data/statistics", {"startDate": "2000-01-01", "timeframe": "day"}, **officer), 422)


@pytest.mark.parametrize(("query", "expected"), [
    ({"startDate": "9999-12-31", "endDate": "9999-12-31"}, {"startDate": "max_value"}),
    ({"endDate": "9999-12-31"}, {"endDate": "max_value"}),
    ({"startDate": "9999-12-01", "endDate": "9999-12-30", "timeframe": "month"}, {"startDate": "max_value"}),
    ({"startDate": "0001-01-01", "endDate": "0001-01-01"}, {"startDate": "min_value"}),
    ({"endDate": "0001-01-05", "timeframe": "day"}, {"endDate": "min_value"}),
])
def test_statistics_dates_at_the_ends_of_the_calendar_are_refused_by_name(
        people: dict, query: dict, expected: dict) -> None:
    """The day after 9999-12-31, or a WIB midnight of 0001-01-01 in UTC, does not exist: such
    dates were a 500 (OverflowError); they are a 422 naming the parameter and the rule."""
    response = Client().get(f"{BASE}/data/statistics", query, **bearer(people["petugas"]))
    assert fields(problem(response, 422)) == expected


def test_statistics_accept_the_last_and_first_allowed_dates(people: dict) -> None:
    officer = bearer(people["petugas"])
    for query in ({"startDate": "9998-01-01", "endDate": "9998-12-31", "timeframe": "month"},
                  {"startDate": "1900-01-01", "endDate": "1900-01-02", "timeframe": "day"}):
        assert Client().get(f"{BASE}/data/statistics", query, **officer).status_code == 200


def test_statistics_by_day_over_a_year_read_each_service_once(service: Service, people: dict,
                                                               django_assert_max_num_queries: Any) -> None:
    """A year by day is 366 periods: the figures come from one read of the applications (plus the
    sent-back events) per service, not a pair of queries per period (a fuzzing run timed out)."""
    citizen, officer = bearer(people["warga"]), bearer(people["petugas"])
    file_id = submit(Client(), str(service.uid), citizen, key="k-year").json()["fileId"]
    response = Client().post(f"{BASE}/tasks/{file_id}.diajukan/complete",
                             {"data": {"transition": "minta_perbaikan", "reason": "Lengkapi"}},
                             content_type="application/json", **officer)
    assert response.status_code == 200, response.content
    with django_assert_max_num_queries(15):
        rows = Client().get(f"{BASE}/data/statistics", {"timeframe": "day"}, **officer).json()
    assert len(rows) == 366 and sum(r["sentBack"] for r in rows) == 1 and rows[-1]["sentBack"] == 1
    assert {k: v for k, v in rows[-1]["references"].items() if k.startswith("timeframe")} == {
        "timeframeDay": True, "timeframeWeek": False, "timeframeMonth": False, "timeframeYear": False}


# --- the OpenAPI document -------------------------------------------------------------------------

def test_openapi_document_lists_every_operation_and_both_security_schemes() -> None:
    schema = Client().get(f"{BASE}/openapi.json").json()
    paths = {(m.upper(), p.removeprefix(BASE)) for p, ops in schema["paths"].items() for m in ops}
    assert paths >= {("GET", "/services/{serviceId}/eForms"), ("GET", "/eForms/{eFormId}"),
                     ("POST", "/services/{serviceId}/applications"), ("POST", "/documents"),
                     ("GET", "/applications"), ("GET", "/applications/{fileId}"), ("PUT", "/applications/{fileId}"),
                     ("GET", "/tasks"), ("GET", "/tasks/{taskId}"), ("POST", "/tasks/{taskId}/complete"),
                     ("GET", "/data/statistics"), ("GET", "/data/statistics/1.0")}
    assert set(schema["components"]["securitySchemes"]) == {"OAuthToken", "InformationMediator"}
    assert "4XX" in schema["paths"][f"{BASE}/applications"]["get"]["responses"]


def test_expired_staged_documents_are_unusable_then_cleared(service: Service, people: dict,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    from django.core.management import call_command

    from satupintu.applications import uploads

    auth = bearer(people["warga"])
    urn = Client().post(f"{BASE}/documents", {"file": _file("laporan.pdf", pdf_bytes())}, **auth).json()["url"]
    fresh = Client().post(f"{BASE}/documents", {"file": _file("baru.pdf", pdf_bytes())}, **auth).json()["url"]
    old = StagedDocument.objects.get(uid=urn.removeprefix("urn:uuid:"))
    StagedDocument.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    late = submit(Client(), str(service.uid), auth,
                  data=answers(alasan="hilang", nomor_laporan="LP/1/2026", surat_kehilangan=urn))
    assert fields(problem(late, 422)) == {"formData.data.surat_kehilangan": "document"}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("applications_clear_staged")
    assert [str(u) for u in StagedDocument.objects.values_list("uid", flat=True)] == [fresh.removeprefix("urn:uuid:")]
    assert not uploads.storage().exists(old.storage_name)


# --- bodies that cannot be used (one parser and one set of handlers for every ninja API) ----------

@pytest.mark.parametrize(("body", "rule", "english", "indonesian"), [
    ("{", "json", "The body is not valid JSON (line 1, column 2).",
     "Isi permintaan bukan JSON yang valid (baris 1, kolom 2)."),
    ('{"formData":\n  {"data": NaN}}', "json", "The body is not valid JSON.", "Isi permintaan bukan JSON yang valid."),
    ('{"formData": {"data": {"nama": "Siti \\ud800"}}}', "json", "The body is not valid JSON.",
     "Isi permintaan bukan JSON yang valid."),
    ("[" * 5000 + "]" * 5000, "max_depth", "The body is nested too deeply (at most 32 levels).",
     "Isi permintaan bersarang terlalu dalam (paling banyak 32 tingkat)."),
    ('{"formData": {"data": {"x": ' + "[" * 40 + "]" * 40 + "}}}", "max_depth",
     "The body is nested too deeply (at most 32 levels).",
     "Isi permintaan bersarang terlalu dalam (paling banyak 32 tingkat)."),
    ("[]", "object", "The body must be a JSON object.", "Isi permintaan harus berupa objek JSON."),
    ('"teks"', "object", "The body must be a JSON object.", "Isi permintaan harus berupa objek JSON."),
    ("null", "object", "The body must be a JSON object.", "Isi permintaan harus berupa objek JSON."),
])
def test_unusable_bodies_are_a_translated_400_without_parser_text(service: Service, people: dict, settings: Any,
                                                                   body: str, rule: str, english: str,
                                                                   indonesian: str) -> None:
    settings.DEBUG = True  # django-ninja appends the parser's own exception text under DEBUG
    auth = bearer(people["warga"])
    for lang, message in (("id", indonesian), ("en", english)):
        for method, path in (("post", f"/services/{service.uid}/applications"),
                             ("post", "/tasks/SP-2026-000001.verifikasi/complete")):
            response = getattr(Client(), method)(f"{BASE}{path}?lang={lang}", body, content_type="application/json",
                                                 HTTP_IDEMPOTENCY_KEY="k", **auth)
            got = problem(response, 400)
            assert got["type"] == "/problems/invalid-body" and got["detail"] == message
            assert got["errors"] == [{"field": "body", "rule": rule, "message": message}]
    assert Application.objects.count() == 0


def test_wrong_types_are_all_named_and_a_non_object_form_is_not_taken_as_empty(service: Service,
                                                                              people: dict) -> None:
    auth = bearer(people["warga"])
    response = Client().post(f"{BASE}/services/{service.uid}/applications?lang=en",
                             {"applicantId": 5, "applicationName": 7, "formData": [], "documentUrls": "x"},
                             content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
    body = problem(response, 422)
    assert fields(body) == {"applicantId": "string_type", "applicationName": "string_type",
                            "formData": "dict_type", "documentUrls": "list_type"}
    assert {e["field"]: e["message"] for e in body["errors"]}["formData"] == "Must be a JSON object."
    for form_data in (3, "x", [1]):
        response = Client().post(f"{BASE}/services/{service.uid}/applications", {"formData": form_data},
                                 content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
        assert fields(problem(response, 422)) == {"formData": "dict_type"}
    assert Application.objects.count() == 0


def test_every_wrong_field_is_reported_at_once(service: Service, people: dict) -> None:
    auth = bearer(people["warga"])
    wrong = answers(nama="", nik="1234", palsu="x", punya_paspor="ya")
    body = problem(submit(Client(), str(service.uid), auth, data=wrong, applicantId="orang-lain"), 422)
    assert fields(body) == {"applicantId": "reference", "formData.data.palsu": "unknown_field",
                            "formData.data.punya_paspor": "type", "formData.data.nama": "required",
                            "formData.data.nik": "nik_format"}
    other_service = Client().post(f"{BASE}/services/{service.uid}/applications",
                                  {"applicantId": "orang-lain", "formData": {"data": answers(), "eFormId": "lain.v1"}},
                                  content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
    assert fields(problem(other_service, 422)) == {"applicantId": "reference", "formData.eFormId": "reference"}
    # A valid form with a wrong applicantId is still refused, and nothing is written.
    body = problem(submit(Client(), str(service.uid), auth, applicantId="orang-lain"), 422)
    assert fields(body) == {"applicantId": "reference"}
    assert Application.objects.count() == 0


def test_a_revision_reports_shape_and_form_errors_together(submitted: dict, people: dict) -> None:
    file_id = submitted["fileId"]
    Client().post(f"{BASE}/tasks/{file_id}.diajukan/complete",
                  {"data": {"transition": "minta_perbaikan", "reason": "Foto buram"}},
                  content_type="application/json", **bearer(people["petugas"]))
    bad = Client().put(f"{BASE}/applications/{file_id}", {"formData": {"data": answers(nama="", palsu="x")}},
                       content_type="application/json", **bearer(people["warga"]))
    assert fields(problem(bad, 422)) == {"formData.data.nama": "required", "formData.data.palsu": "unknown_field"}


def test_a_body_over_the_size_limit_is_a_413_problem_not_a_500(service: Service, people: dict, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = submit(Client(), str(service.uid), bearer(people["warga"]), data=answers(alasan="x" * 2000))
    body = problem(response, 413)
    message = "Isi permintaan melebihi batas 1000 byte."
    assert body["type"] == "/problems/body-too-large" and body["detail"] == message
    assert body["errors"] == [{"field": "body", "rule": "max_size", "message": message}]
