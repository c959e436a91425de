"""The citizen's address: edited on the account page with the kode wilayah picker, returned as
the OIDC ``address`` claim (Core §5.1.1) in userinfo and the ID token for the ``address`` scope,
shown on the consent screen; bad input is a clear form error and writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.identity.actions import address_set
from satupintu.identity.models import Address, User
from tests.identity.test_oidc import AUTHORIZE, auth_params, exchange, get_code, jwt_claims, sign_in

pytestmark = pytest.mark.django_db
PAGE = "/akun/alamat/"
VILLAGE = "32.75.01.1001"  # Margahayu, Bekasi Timur, Kota Bekasi, Jawa Barat, 17113 (tests/conftest.py)


def _post(**overrides: str) -> dict[str, str]:
    data = {"street_address": "Jl. Melati No. 5, RT 003/RW 007", "wilayah_0": "32", "wilayah_1": "32.75",
            "wilayah_2": "32.75.01", "wilayah_3": VILLAGE, "postal_code": ""}
    data.update(overrides)
    return data


def test_citizen_saves_an_address_with_the_region_picker_and_sees_it(client: Client, citizen: User,
                                                                       small_regions) -> None:  # noqa: ANN001
    client.force_login(citizen)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, _post())
    assert response.status_code == 302, response.content.decode()[:3000]
    address = Address.objects.get(user=citizen)
    assert address.claim() == {
        "formatted": ("Jl. Melati No. 5, RT 003/RW 007\nMargahayu, Bekasi Timur\nKota Bekasi 17113\nJawa Barat\n"
                      "Indonesia"),
        "street_address": "Jl. Melati No. 5, RT 003/RW 007", "locality": "Kota Bekasi", "region": "Jawa Barat",
        "postal_code": "17113", "country": "Indonesia"}
    assert address.region_code == VILLAGE
    assert AuditEvent.objects.filter(action="account.address_changed", target_id=str(citizen.pk)).exists()
    page = client.get("/akun/").content.decode()
    assert "Jl. Melati No. 5" in page and "Kota Bekasi 17113" in page
    # Editing replaces it (one address per account); a typed postal code must be the village's.
    assert client.post(PAGE, _post(street_address="Jl. Mawar 1", postal_code="17113")).status_code == 302
    address = Address.objects.get(user=citizen)
    assert (address.street_address, address.postal_code) == ("Jl. Mawar 1", "17113")


def test_a_postal_code_not_of_the_chosen_village_is_refused_naming_the_expected_one(
        client: Client, citizen: User, small_regions) -> None:  # noqa: ANN001
    from satupintu.regions.models import PostalCode

    client.force_login(citizen)
    refused = client.post(PAGE, _post(postal_code="99999"))
    assert refused.status_code == 200
    assert "99999 bukan kode pos Margahayu: kode posnya adalah 17113." in refused.content.decode()
    english = client.post(f"{PAGE}?lang=en", _post(postal_code="17114"))
    assert "17114 is not a postal code of Margahayu: its postal code is 17113." in english.content.decode()
    assert not Address.objects.filter(user=citizen).exists()
    # A village the postal-code data does not cover takes any five-digit code.
    PostalCode.objects.filter(region_id=VILLAGE).delete()
    assert client.post(PAGE, _post(postal_code="17114")).status_code == 302
    assert Address.objects.get(user=citizen).postal_code == "17114"


def test_removing_the_address_is_audited(client: Client, citizen: User, small_regions) -> None:  # noqa: ANN001
    address_set(user=citizen, street_address="Jl. Melati 5", region_code=VILLAGE)
    client.force_login(citizen)
    assert client.post(PAGE, {"remove": "1"}).status_code == 302
    assert not Address.objects.filter(user=citizen).exists()
    assert AuditEvent.objects.filter(action="account.address_removed", target_id=str(citizen.pk)).exists()


def test_the_picker_button_shows_the_next_list_without_saving(client: Client, citizen: User,
                                                              small_regions) -> None:  # noqa: ANN001
    client.force_login(citizen)
    response = client.post(PAGE, {"street_address": "Jl. Melati 5", "wilayah_0": "32", "_wilayah_refresh": "1"})
    assert response.status_code == 200
    assert "Kota Bekasi" in response.content.decode()
    assert not Address.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"street_address": "x" * 10_240}, "Street address must be 1 to 200 characters."),
    ({"street_address": "   "}, "This field is required."),
    ({"street_address": "Jl. Jahat\x01 5"}, "Street address contains control characters."),
    ({"wilayah_3": ""}, "Choose down to the village level."),
    ({"wilayah_3": "32.16.01.2001"}, "does not belong to the region above it"),
    ({"wilayah_0": "99", "wilayah_1": "99.01", "wilayah_2": "99.01.01", "wilayah_3": "99.01.01.1001"},
     "Region code 99.01.01.1001 does not exist."),
    ({"wilayah_3": "32.75.01.1001'; DROP TABLE x"}, "does not belong to the region above it"),
    ({"postal_code": "1711"}, "A postal code has five digits."),
    ({"postal_code": "١٧١١٣"}, "A postal code has five digits."),
    ({"postal_code": "9" * 5000}, "at most 64 characters"),
])
def test_bad_address_input_names_the_rule_and_writes_nothing(client: Client, citizen: User, small_regions,  # noqa: ANN001
                                                             overrides: dict[str, str], message: str) -> None:
    client.force_login(citizen)
    client.cookies["satupintu_lang"] = "en"
    response = client.post(PAGE, _post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Address.objects.exists()
    assert not AuditEvent.objects.filter(action="account.address_changed").exists()


def test_address_page_needs_a_signed_in_user(client: Client) -> None:
    assert client.get(PAGE).status_code == 302


def test_address_claim_in_userinfo_and_id_token_only_for_the_address_scope(client: Client, citizen: User,
                                                                            make_client, small_regions) -> None:  # noqa: ANN001
    address_set(user=citizen, street_address="Jl. Melati No. 5", region_code=VILLAGE)
    app = make_client(allowed_scopes="openid profile address")
    sign_in(client, citizen)
    code, verifier = get_code(client, app, scope="openid address")
    tokens = exchange(client, app, code, verifier).json()
    expected = Address.objects.get(user=citizen).claim()
    assert jwt_claims(tokens["id_token"])["address"] == expected
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert userinfo["address"] == expected
    code, verifier = get_code(client, app, scope="openid profile")
    tokens = exchange(client, app, code, verifier).json()
    assert "address" not in jwt_claims(tokens["id_token"])
    assert "address" not in client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()


def test_no_address_claim_when_none_is_stored(client: Client, citizen: User, make_client) -> None:  # noqa: ANN001
    app = make_client(allowed_scopes="openid address")
    sign_in(client, citizen)
    code, verifier = get_code(client, app, scope="openid address")
    tokens = exchange(client, app, code, verifier).json()
    assert "address" not in client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()


def test_consent_screen_shows_the_address_the_client_would_receive(client: Client, citizen: User, make_client,
                                                                   small_regions) -> None:  # noqa: ANN001
    app = make_client(allowed_scopes="openid address")
    sign_in(client, citizen)
    client.cookies["satupintu_lang"] = "en"
    params, _verifier = auth_params(app, scope="openid address")
    assert "none stored yet" in client.get(AUTHORIZE, params).content.decode()
    address_set(user=citizen, street_address="Jl. Melati No. 5", region_code=VILLAGE)
    html = client.get(AUTHORIZE, params).content.decode()
    assert "Your address" in html and "Jl. Melati No. 5" in html and "Kota Bekasi 17113" in html


def test_discovery_lists_the_address_claim(client: Client) -> None:
    assert "address" in client.get("/.well-known/openid-configuration").json()["claims_supported"]
