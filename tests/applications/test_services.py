"""The six real services: valid, tied to the shared catalogue, loaded idempotently, usable."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply, application_transition
from satupintu.applications.models import DefinitionVersion, OnlineServiceDefinition
from satupintu.audit.models import AuditEvent
from tests.applications.conftest import VALID_NIK, citizen, officer, pdf_bytes, png_bytes, upload
from tests.conftest import SHARED_DATA

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "satupintu" / "applications" / "definitions"
EXPECTED = {"dukcapil-ktp-el-penggantian", "dukcapil-akta-kelahiran", "dukcapil-kk-perubahan", "polri-skck",
            "dukcapil-surat-pindah", "oss-nib"}


def test_every_definition_matches_a_catalogue_service_and_its_agency() -> None:
    catalogue = {s["id"]: s for s in yaml.safe_load((SHARED_DATA / "catalog" / "services.yaml").read_text())}
    seen = set()
    for path in BUNDLED.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        assert data["service"] in catalogue, path.name
        assert catalogue[data["service"]]["agency"] == data["agency"], path.name
        seen.add(data["slug"])
    assert seen == EXPECTED


@pytest.mark.django_db
def test_import_with_agencies_is_idempotent() -> None:
    out = StringIO()
    call_command("import_online_services", "--with-agencies", stdout=out)
    assert "Agencies created: bkpm, kemendagri, dukcapil, polri" in out.getvalue()
    assert set(OnlineServiceDefinition.objects.values_list("slug", flat=True)) == EXPECTED
    assert DefinitionVersion.objects.filter(status="published").count() == 6
    audit = AuditEvent.objects.count()
    out = StringIO()
    call_command("import_online_services", "--with-agencies", stdout=out)
    assert out.getvalue().count("unchanged (version 1)") == 6
    assert DefinitionVersion.objects.count() == 6 and AuditEvent.objects.count() == audit


@pytest.mark.django_db
def test_check_reports_unknown_agencies_like_the_import_and_writes_nothing(tmp_path: Path) -> None:
    data = yaml.safe_load((BUNDLED / "polri-skck.yaml").read_text())
    data["agency"] = "badan-tidak-ada"
    (tmp_path / "skck.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(CommandError, match="unknown agencies badan-tidak-ada"):
        call_command("import_online_services", str(tmp_path), "--check")
    out = StringIO()
    call_command("import_online_services", "--check", "--with-agencies", stdout=out)
    assert "6 definition(s) are valid (agencies to create: bkpm, dukcapil, polri)." in out.getvalue()
    assert OnlineServiceDefinition.objects.count() == 0 and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_broken_file_stops_the_import_naming_the_path(tmp_path: Path) -> None:
    data = yaml.safe_load((BUNDLED / "polri-skck.yaml").read_text())
    data["form"]["fields"][0]["type"] = "dropdown"
    data["workflow"]["initial"] = "mulai"
    (tmp_path / "skck.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(CommandError) as exc:
        call_command("import_online_services", str(tmp_path), "--with-agencies")
    assert "skck.yaml: form.fields.keperluan.type" in str(exc.value)
    assert "skck.yaml: workflow.initial" in str(exc.value)
    assert OnlineServiceDefinition.objects.count() == 0


@pytest.mark.django_db
def test_lost_ktp_application_end_to_end(settings, tmp_path: Path) -> None:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path)
    call_command("import_online_services", "--with-agencies", stdout=StringIO())
    definition = OnlineServiceDefinition.objects.get(slug="dukcapil-ktp-el-penggantian")
    data = MultiValueDict({k: [v] for k, v in {
        "_version": "1", "nik": VALID_NIK, "nama": "Siti Aminah", "nomor_kk": "3275010101200001",
        "alasan": "hilang", "telepon": "081234567890"}.items()})
    files = MultiValueDict({"surat_kehilangan": [upload("laporan polisi.pdf", pdf_bytes())],
                            "foto_kk": [upload("kk.png", png_bytes(), "image/png")],
                            "foto_ktp_rusak": [upload("ktp.png", png_bytes(), "image/png")]})
    app = application_apply(acting=citizen(), definition=definition, data=data, files=files, idempotency_key="e2e")
    assert set(app.answers) == {"nik", "nama", "nomor_kk", "alasan", "telepon", "surat_kehilangan", "foto_kk"}
    assert app.uploads.count() == 2  # the damaged-card photo belonged to a hidden field: not stored
    app = application_transition(acting=officer("dukcapil", "verifier"), application_id=app.pk,
                                 transition="verifikasi")
    app = application_transition(acting=officer("dukcapil", "approver", n=2), application_id=app.pk,
                                 transition="setujui")
    assert (app.status, app.outcome) == ("finished", "approved")
