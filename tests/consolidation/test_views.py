"""The SPBE pages end to end: sign-in and role checks, agency isolation in pages, import with
row/column errors, reports with accessible SVG charts and CSV, the moratorium check, and the
SPBE self-assessment → review → index flow."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from satupintu.consolidation.models import Application, Assessment, Framework, Proposal
from satupintu.core.principal import Principal
from satupintu.identity.testing import make_officer
from tests.a11y import form_problems
from tests.consolidation.conftest import COORDINATOR, admin_of, make_app
from tests.consolidation.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db
BASE = "/backoffice/spbe/"


def call(principal: Principal, method: str, path: str, data: dict[str, Any] | None = None,
         lang: str = "en") -> HttpResponse:
    """Run the view for ``path`` as ``principal`` (request.principal is what the identity and
    exchange layers set); sessions and messages as the middleware would provide them."""
    factory = RequestFactory()
    request = factory.post(path, data or {}) if method == "POST" else factory.get(path, data or {})
    request.principal = principal  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    match = resolve(path)
    with translation.override(lang):
        response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


@pytest.fixture
def coordinator_client(agencies) -> Client:  # noqa: ANN001
    # An officer with MFA set up (officers must use MFA) and the coordinator role.
    user = make_officer(agency=agencies["kominfo"], roles=["spbe_coordinator"], with_totp=True)
    client = Client()
    client.force_login(user)
    client.cookies["satupintu_lang"] = "en"
    return client


def test_anonymous_is_sent_to_sign_in_and_users_without_role_get_403(agencies) -> None:  # noqa: ANN001
    response = Client().get(BASE + "laporan/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login") + "?next=")
    client = Client()
    client.force_login(make_officer(agency=agencies["bkn"], roles=["operator"], with_totp=True))
    response = client.get(BASE + "aplikasi/")
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()  # Indonesian by default


def test_agency_admin_pages_show_only_own_rows(agencies) -> None:  # noqa: ANN001
    mine = make_app(agencies["pemda-32-16"], "simpeg-kab", name="SIMPEG Kabupaten")
    theirs = make_app(agencies["pemda-32-75"], "simpeg-kota", name="SIMPEG Kota")
    admin = admin_of("pemda-32-16")
    page = call(admin, "GET", BASE + "aplikasi/").content.decode()
    assert "SIMPEG Kabupaten" in page and "SIMPEG Kota" not in page
    assert call(admin, "GET", f"{BASE}aplikasi/{mine.pk}/").status_code == 200
    assert call(admin, "GET", f"{BASE}aplikasi/{theirs.pk}/").status_code == 404
    assert call(admin, "POST", f"{BASE}aplikasi/{theirs.pk}/hapus/").status_code == 404
    assert Application.objects.filter(pk=theirs.pk).exists()
    exported = call(admin, "GET", BASE + "aplikasi/ekspor.csv").content.decode("utf-8-sig")
    assert "simpeg-kab" in exported and "simpeg-kota" not in exported


def test_import_page_lists_errors_by_row_and_column_and_writes_nothing(agencies) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    bad = SimpleUploadedFile("inv.csv", csv_bytes(row(), row(kode_aplikasi="x", hosting="awan")), "text/csv")
    response = call(admin, "POST", BASE + "aplikasi/impor/", {"file": bad}, lang="id")
    html = response.content.decode()
    assert response.status_code == 422
    assert "<td>3</td><td><code>hosting</code></td>" in html and "tidak ada yang diimpor" in html
    assert Application.objects.count() == 0
    good = SimpleUploadedFile("inv.csv", csv_bytes(row()), "text/csv")
    response = call(admin, "POST", BASE + "aplikasi/impor/", {"file": good})
    assert response.status_code == 200 and "1 created" in response.content.decode()
    assert Application.objects.get().code == "simpeg"


def test_add_form_reports_field_errors_and_saves_for_own_agency(agencies) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    form = {"agency": agencies["pemda-32-16"].pk, "code": "sipd", "name": "", "owner_unit": "Bappeda",
            "function": "01.01", "service_area": "32.16", "users_kind": "internal", "users_count": "10",
            "build_budget_idr": "-1", "run_budget_idr": "5", "hosting": "pdn", "status": "live", "app_type": "khusus"}
    response = call(admin, "POST", BASE + "aplikasi/baru/", form)
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html and Application.objects.count() == 0
    assert form_problems(html) == []  # help/error ids exist and are unique, summary links reach the fields
    assert 'id="id_name_error"' in html and '<a href="#id_name">' in html
    form |= {"name": "SIPD Lokal", "build_budget_idr": "0"}
    response = call(admin, "POST", BASE + "aplikasi/baru/", form)
    assert response.status_code == 302
    assert Application.objects.get().name == "SIPD Lokal"
    # Posting for another agency is refused by the form's agency choices.
    form |= {"agency": agencies["pemda-32-75"].pk, "code": "other"}
    call(admin, "POST", BASE + "aplikasi/baru/", form)
    assert not Application.objects.filter(code="other").exists()


def test_reports_have_accessible_svg_charts_tables_and_csv(agencies, coordinator_client) -> None:  # noqa: ANN001
    make_app(agencies["pemda-32-16"], "a", name="SIMPEG A", run_budget_idr=400_000_000, hosting="pdn")
    make_app(agencies["pemda-32-75"], "b", name="SIMPEG B", run_budget_idr=300_000_000)
    response = coordinator_client.get(BASE + "laporan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 4 and "<title id=" in html and "<desc id=" in html
    assert "Replace with the aplikasi umum SIASN" in html  # 01.05 has SIASN in data/general_apps.yaml
    assert "<script" not in html.split("<main", 1)[1]
    # waste: 700M − (400M × 120% + 50M) = 170M
    body = coordinator_client.get(BASE + "laporan/waste.csv").content.decode("utf-8-sig")
    waste = list(csv.reader(io.StringIO(body)))
    assert waste[0][2] == "estimasi_pemborosan_rupiah_per_tahun"
    assert sum(int(r[2]) for r in waste[1:]) in (169_999_999, 170_000_000)
    overlaps = coordinator_client.get(BASE + "laporan/overlaps.csv").content.decode("utf-8-sig")
    assert "01.05" in overlaps and "replace_general" in overlaps
    for kind in ("hosting", "function", "flagged", "similar"):
        assert coordinator_client.get(f"{BASE}laporan/{kind}.csv").status_code == 200
    assert coordinator_client.get(BASE + "laporan/unknown.csv").status_code == 404
    assert coordinator_client.get(BASE + "laporan/kemiripan/").status_code == 200
    group = coordinator_client.get(BASE + "laporan/fungsi/01.05/").content.decode()
    assert "SIMPEG A" in group and "SIMPEG B" in group and "Rp 170,000,000" in group
    assert coordinator_client.get(BASE + "laporan/fungsi/04.01/").status_code == 404  # no such group


def test_moratorium_check_shows_closest_and_coordinator_decides(agencies, coordinator_client) -> None:  # noqa: ANN001
    make_app(agencies["pemda-32-75"], "lapor", name="Aplikasi Pengaduan Masyarakat Kota", function_id="01.10",
             users_kind="public")
    admin = admin_of("pemda-32-16")
    response = call(admin, "POST", BASE + "moratorium/baru/", {
        "agency": agencies["pemda-32-16"].pk, "name": "Pengaduan Warga Online", "function": "01.10",
        "description": "Aplikasi pengaduan masyarakat untuk warga kabupaten", "budget_idr": "500000000"})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    html = coordinator_client.get(f"{BASE}moratorium/{proposal.pk}/").content.decode()
    assert "Aplikasi Pengaduan Masyarakat Kota" in html and "same function" in html
    assert "lapor-pengaduan-pelayanan-publik" in html  # from the catalogue seed data
    assert call(admin, "POST", f"{BASE}moratorium/{proposal.pk}/", {"decision": "approve"}).status_code == 403
    response = coordinator_client.post(f"{BASE}moratorium/{proposal.pk}/", {"decision": "reject", "note": ""})
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    coordinator_client.post(f"{BASE}moratorium/{proposal.pk}/", {"decision": "reject",
                                                                 "note": "Gunakan SP4N-LAPOR!"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "Gunakan SP4N-LAPOR!")


def test_self_assessment_review_and_index(agencies, coordinator_client, tmp_path, settings) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    admin = admin_of("pemda-32-16")
    fw = Framework.objects.get(code="spbe-7-aspek-provisional")
    response = call(admin, "POST", BASE + "indeks/buka/", {"agency": agencies["pemda-32-16"].pk,
                                                           "framework": fw.pk, "year": "2025"})
    assert response.status_code == 302
    item = Assessment.objects.get()
    path = f"{BASE}indeks/{item.pk}/"
    levels = {1: 4, 2: 3, 3: 2, 4: 5, 5: 1, 6: 3, 7: 4}
    # Submitting with a missing level is refused and names the indicator.
    data: dict[str, Any] = {"mode": "self", "submit": "1"} | {f"level-{n}": v for n, v in levels.items() if n != 7}
    response = call(admin, "POST", path, data)
    assert response.status_code == 422 and "indicator-7" in response.content.decode()
    data["level-7"] = 4
    data["evidence-1"] = SimpleUploadedFile("bukti.pdf", b"MZ not a pdf", "application/pdf")
    response = call(admin, "POST", path, data)
    assert response.status_code == 422 and "does not match its type" in response.content.decode()
    data["evidence-1"] = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 test", "application/pdf")
    assert call(admin, "POST", path, data).status_code == 302
    item.refresh_from_db()
    assert (str(item.index_value), item.predicate, item.status) == ("3.30", "Baik", "submitted")
    assert call(admin, "GET", f"{path}bukti/1/").status_code == 200
    assert call(admin_of("pemda-32-75"), "GET", path).status_code == 404  # another agency
    # The coordinator reviews: final levels all 5 → 5.00 Memuaskan.
    response = coordinator_client.post(path, {"mode": "review"} | {f"final-{n}": 5 for n in levels})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (str(item.index_value), item.predicate, item.status) == ("5.00", "Memuaskan", "reviewed")
    assert call(admin, "POST", path, data).status_code in (302, 403)
    item.refresh_from_db()
    assert item.index_value is not None and str(item.index_value) == "5.00"  # final stays final
    history = coordinator_client.get(f"{BASE}indeks/instansi/pemda-32-16/").content.decode()
    assert 'role="img"' in history and "5.00" in history and "Memuaskan" in history
    # A second agency, all 1s → 1.00 Kurang; the national average for 2025 is (5.00 + 1.00) / 2 = 3.00.
    from satupintu.consolidation import actions
    from tests.consolidation.conftest import COORDINATOR

    other = actions.assessment_open(agency=agencies["pemda-32-75"], framework=fw, year=2025,
                                    acting=admin_of("pemda-32-75"))
    actions.assessment_save(assessment=other, entries={n: {"level": 1} for n in levels}, submit=True,
                            acting=admin_of("pemda-32-75"))
    other = actions.assessment_review(assessment=other, final_levels=dict.fromkeys(levels, 1), notes={},
                                      acting=COORDINATOR)
    assert (str(other.index_value), other.predicate) == ("1.00", "Kurang")
    table = coordinator_client.get(BASE + "indeks/").content.decode()
    assert "Pemerintah Kabupaten Bekasi" in table and "provisional" in table
    assert "Average SPBE index by year" in table and '<td class="num">3.00</td><td class="num">2</td>' in table
    assert "<td>Memuaskan</td><td class=\"num\">1</td>" in table and "<td>Kurang</td><td class=\"num\">1</td>" in table
    assert "<td>Baik</td><td class=\"num\">0</td>" in table
    from satupintu.audit.models import AuditEvent

    trail = list(AuditEvent.objects.filter(target_id=str(item.pk), action__startswith="spbe_assessment")
                 .order_by("seq").values_list("action", flat=True))
    assert trail == ["spbe_assessment.saved", "spbe_assessment.submitted", "spbe_assessment.reviewed"]


def test_waste_assumption_only_coordinator_changes_it(agencies, coordinator_client) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    assert call(admin, "POST", BASE + "asumsi/", {"shared_cost_factor_pct": "50",
                                                  "onboarding_cost_idr": "0"}).status_code == 403
    response = coordinator_client.post(BASE + "asumsi/", {"shared_cost_factor_pct": "150",
                                                         "onboarding_cost_idr": "10000000"})
    assert response.status_code == 302
    from satupintu.consolidation.selectors import current_assumption

    assert current_assumption().shared_cost_factor_pct == 150


def test_templates_download(db) -> None:  # noqa: ANN001
    client = Client()
    assert client.get(BASE + "aplikasi/templat.csv").content.decode("utf-8-sig").startswith("kode_instansi,")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(BASE + "aplikasi/templat.xlsx").content))
    assert book.sheetnames == ["Aplikasi", "Petunjuk", "Fungsi bisnis"]


def test_every_spbe_page_requires_sign_in_except_the_blank_templates(db) -> None:  # noqa: ANN001
    from django.urls import URLPattern, URLResolver, get_resolver, reverse

    resolver = get_resolver()
    spbe = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "consolidation")
    public = {"app-template"}
    samples = {"fmt": "csv", "function": "01.05", "app_id": "1", "proposal_id": "1", "assessment_id": "1",
               "number": "1", "code": "x", "kind": "hosting"}
    client = Client()
    checked = 0
    for pattern in spbe.url_patterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {k: samples[k] for k in pattern.pattern.regex.groupindex}
        url = reverse(f"consolidation:{pattern.name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if pattern.name in public:
                assert response.status_code in (200, 405), url
            else:
                assert response.status_code in (302, 405), (method, url, response.status_code)
                if response.status_code == 302:
                    assert response["Location"].startswith(reverse("account_login")), url
        checked += 1
    assert checked == len(spbe.url_patterns) >= 20


def test_add_form_stores_the_code_in_lower_case_so_a_case_twin_is_a_duplicate(agencies) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    form = {"agency": agencies["pemda-32-16"].pk, "code": "SIPD-1", "name": "SIPD", "owner_unit": "Bappeda",
            "function": "01.01", "service_area": "32.16", "users_kind": "internal", "users_count": "10",
            "build_budget_idr": "0", "run_budget_idr": "5", "hosting": "pdn", "status": "live", "app_type": "khusus"}
    assert call(admin, "POST", BASE + "aplikasi/baru/", form).status_code == 302
    assert Application.objects.get().code == "sipd-1"  # the import's key: its export imports again
    twin = call(admin, "POST", BASE + "aplikasi/baru/", form | {"code": "sipd-1", "name": "Kembar"}, lang="id")
    assert twin.status_code == 200 and "sudah ada" in twin.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize(("area", "message"), [
    ("jakarta", "Gunakan “nasional” atau kode provinsi/kabupaten/kota seperti 32 atau 32.16."),
    ("99.99", "Kode wilayah 99.99 tidak ada."),
])
def test_add_form_explains_a_bad_service_area_like_the_import(agencies, area: str, message: str) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    form = {"agency": agencies["pemda-32-16"].pk, "code": "sipd", "name": "SIPD", "owner_unit": "Bappeda",
            "function": "01.01", "service_area": area, "users_kind": "internal", "users_count": "10",
            "build_budget_idr": "0", "run_budget_idr": "5", "hosting": "pdn", "status": "live", "app_type": "khusus"}
    response = call(admin, "POST", BASE + "aplikasi/baru/", form, lang="id")
    assert response.status_code == 200 and message in response.content.decode()
    assert not Application.objects.exists()


def _open_assessment(agencies, settings, tmp_path) -> tuple[Principal, str]:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    admin = admin_of("pemda-32-16")
    fw = Framework.objects.get(code="spbe-7-aspek-provisional")
    call(admin, "POST", BASE + "indeks/buka/", {"agency": agencies["pemda-32-16"].pk, "framework": fw.pk,
                                                "year": "2025"})
    return admin, f"{BASE}indeks/{Assessment.objects.get().pk}/"


def test_self_assessment_refuses_odd_levels_and_nul_with_indonesian_field_errors(agencies, settings, tmp_path) -> None:  # noqa: ANN001, E501
    admin, path = _open_assessment(agencies, settings, tmp_path)
    # "²" passes str.isdigit() but not int(): it was a 500. Here it counts as "no level".
    data = {"mode": "self", "submit": "1", "explanation-2": "Ada\x00", "level-1": "²"} | {
        f"level-{n}": "3" for n in range(2, 8)}
    response = call(admin, "POST", path, data, lang="id")
    html = response.content.decode()
    assert response.status_code == 422
    assert "indicator-2: Penjelasan berisi karakter NUL" in html
    assert "indicator-1: Setiap indikator harus diberi tingkat" in html
    assert Assessment.objects.get().status == "draft" and not Assessment.objects.get().scores.exclude(
        self_level=None).exists()


def test_review_errors_are_in_the_users_language(agencies, settings, tmp_path) -> None:  # noqa: ANN001
    admin, path = _open_assessment(agencies, settings, tmp_path)
    assert call(admin, "POST", path, {"mode": "self", "submit": "1"} | {f"level-{n}": "3" for n in range(1, 8)}
                ).status_code == 302
    response = call(COORDINATOR, "POST", path, {"mode": "review", "note-1": "x\x00"} | {
        f"final-{n}": "5" for n in range(2, 8)}, lang="id")
    html = response.content.decode()
    assert response.status_code == 422
    assert "indicator-1: Tetapkan tingkat akhir 1–5." in html and "indicator-1: Catatan berisi karakter NUL" in html
    assert Assessment.objects.get().status == "submitted"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("inventaris.xls", b"\xd0\xcf\x11\xe0", "Berkas harus .csv atau .xlsx."),
    ("kosong.csv", b"", "Berkas yang dikirimkan kosong."),
])
def test_a_rejected_import_file_is_a_422_naming_the_file_field(agencies, name: str, data: bytes, message: str) -> None:  # noqa: ANN001
    response = call(admin_of("pemda-32-16"), "POST", BASE + "aplikasi/impor/",
                    {"file": SimpleUploadedFile(name, data, "text/csv")}, lang="id")
    html = response.content.decode()
    assert response.status_code == 422
    assert f'<a href="#id_file">Berkas CSV atau XLSX: {message}</a>' in html


def test_opening_an_assessment_with_a_bad_year_names_the_field_and_rule(agencies) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(make_officer(agency=agencies["pemda-32-16"], roles=["agency_admin"], with_totp=True))
    client.cookies["satupintu_lang"] = "id"
    fw = Framework.objects.get(code="spbe-7-aspek-provisional")
    response = client.post(BASE + "indeks/buka/", {"agency": agencies["pemda-32-16"].pk, "framework": fw.pk,
                                                   "year": "1999"}, follow=True)
    html = response.content.decode()
    assert "Tahun: Pastikan nilai ini lebih besar dari atau sama dengan 2018." in html
    assert not Assessment.objects.exists()
