"""Search behaviour, identical on SQLite FTS5 and PostgreSQL full-text (this file runs on both)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from satupintu.catalog.models import SearchTerm, Service
from satupintu.catalog.search import Filters, backend, correct, run_search
from satupintu.catalog.selectors import search_services
from tests.catalog.conftest import load_queries

pytestmark = pytest.mark.django_db


def _slugs(q: str, **kwargs) -> list[str]:
    return [s.slug for s in search_services(q=q, **kwargs).services]


def test_the_backend_matches_the_database(shared_catalog) -> None:
    assert backend().vendor == connection.vendor


def test_every_service_is_found_by_its_own_name(shared_catalog) -> None:
    misses = []
    for service in Service.objects.all():
        if service.slug not in _slugs(service.name_id, page_size=3):
            misses.append(service.slug)
    assert misses == []


def test_labelled_citizen_queries_reach_mrr_goal(shared_catalog) -> None:
    queries = load_queries()
    assert len(queries) >= 40
    reciprocal, in_top3, failures = 0.0, 0, []
    for item in queries:
        found = _slugs(item["q"], page_size=10)
        rank = next((i + 1 for i, slug in enumerate(found) if slug in item["expect"]), None)
        reciprocal += 1 / rank if rank else 0
        in_top3 += bool(rank and rank <= 3)
        if not rank or rank > 3:
            failures.append((item["q"], rank, found[:3]))
    assert reciprocal / len(queries) >= 0.85, failures
    assert in_top3 / len(queries) >= 0.9, failures


@pytest.mark.parametrize(("query", "expected"), [
    ("pasport", "imigrasi-paspor-baru"),
    ("akte kelahiran", "dukcapil-akta-kelahiran"),
    ("kelahirn", "dukcapil-akta-kelahiran"),
    ("perpanjngan sim a", "polri-sim-a-perpanjangan"),
])
def test_typos_are_tolerated(shared_catalog, query: str, expected: str) -> None:
    assert expected in _slugs(query, page_size=3)


def test_a_corrected_query_says_what_was_searched(shared_catalog) -> None:
    result = search_services(q="kelahirn")
    assert result.corrected == "lahir"


def test_place_names_are_never_corrected_into_words(shared_catalog) -> None:
    assert correct(["bekasi"]) == ["bekasi"]
    assert SearchTerm.objects.filter(term="bekas").exists()  # the tempting wrong correction exists


def test_zero_results_suggest_a_close_spelling(shared_catalog) -> None:
    # "paspr" (5 letters) is one edit too far for automatic correction, close enough to suggest.
    result = run_search("psspr", filters=Filters(), limit=10, offset=0)
    assert result.total == 0 and result.suggestion == "paspor"


def test_nonsense_gives_no_results_and_no_suggestion(shared_catalog) -> None:
    result = search_services(q="qwxzv")
    assert result.total == 0 and result.services == [] and result.suggestion is None


def test_name_outranks_keywords_and_body(shared_catalog) -> None:
    assert _slugs("skck")[0] == "polri-skck"


def test_filters_by_agency_and_life_event(shared_catalog) -> None:
    assert set(_slugs("paspor", agency="imigrasi")) == {
        "imigrasi-paspor-baru", "imigrasi-paspor-penggantian", "imigrasi-paspor-hilang-rusak"}
    assert _slugs("paspor", agency="dukcapil") == []
    born = _slugs("", life_event="kelahiran", page_size=50)
    assert "dukcapil-akta-kelahiran" in born
    assert all(Service.objects.get(slug=s).life_events.filter(slug="kelahiran").exists() for s in born)


def test_empty_query_lists_every_service_in_pages(shared_catalog) -> None:
    first = search_services(q="", page=1, page_size=25)
    last = search_services(q="", page=99, page_size=25)
    assert first.total == 60 and first.pages == 3 and len(first.services) == 25
    assert last.page == 3 and len(last.services) == 10


def test_pages_of_a_search_do_not_overlap(shared_catalog) -> None:
    one, two = search_services(q="ktp", page=1, page_size=5), search_services(q="ktp", page=2, page_size=5)
    assert one.total == two.total > 5
    assert not {s.slug for s in one.services} & {s.slug for s in two.services}


def test_popular_services_get_a_small_boost_after_reindex(shared_catalog) -> None:
    from satupintu.catalog.search import reindex_all

    before = _slugs("paspor")
    last = before[2]
    Service.objects.filter(slug=last).update(view_count=1_000_000)
    reindex_all()
    assert _slugs("paspor").index(last) < before.index(last)


BAD_QUERIES = ["", " ", "x" * 10_000, "!!!...,,,???", '"', "*", ":", "NEAR", "-", "AND", 'paspor" OR "x',
               "ktp NEAR/2 kk", "-ktp", "col:ktp", "🙂🎉", "مرحبا", "שלום ktp", "ktp\x00kk", "\x00",
               "'; DROP TABLE x; --", "%", "_", "\\", "()[]{}^~"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_on_the_search_page_never_fails(shared_catalog, client: Client, query: str) -> None:
    response = client.get("/layanan/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div role="status">' in html and "<h1>" in html


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_on_the_api_is_json_or_a_problem(shared_catalog, client: Client, query: str) -> None:
    response = client.get("/api/v1/services", {"q": query})
    assert response.status_code in (200, 422)
    body = response.json()
    if response.status_code == 200:
        assert isinstance(body["items"], list) and body["count"] >= 0
    else:
        assert response["Content-Type"] == "application/problem+json" and body["errors"][0]["field"] == "q"


def test_api_rejects_a_query_over_five_hundred_characters_with_a_problem(shared_catalog, client: Client) -> None:
    # Longer queries never help a search and would exceed request-line limits of proxies (8 KiB).
    response = client.get("/api/v1/services", {"q": "a" * 501})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "q", "rule": "max_length", "message": response.json()[
        "errors"][0]["message"]}


def test_no_results_page_is_friendly_and_offers_did_you_mean(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/", {"q": "psspr"}).content.decode()
    assert "Tidak ada layanan ditemukan" in html
    assert "Mungkin maksud Anda" in html and "?q=paspor" in html


def _holding_all(words: list[str]) -> set[str]:
    from satupintu.catalog.models import SearchDocument

    found = set()
    for doc in SearchDocument.objects.select_related("service"):
        terms = set(f"{doc.name_terms} {doc.keyword_terms} {doc.summary_terms} {doc.body_terms}".split())
        if set(words) <= terms:
            found.add(doc.service.slug)
    return found


def test_when_enough_services_hold_every_word_only_they_are_returned(shared_catalog) -> None:
    expected = _holding_all(["akta", "kk"])
    assert len(expected) >= 5
    result = search_services(q="akta kk", page_size=100)
    assert {s.slug for s in result.services} == expected and result.total == len(expected)


def test_otherwise_any_word_matches_and_all_words_come_first(shared_catalog) -> None:
    every = _holding_all(["paspor", "hilang"])
    assert 0 < len(every) < 5
    found = _slugs("paspor hilang", page_size=100)
    assert set(found[:len(every)]) == every and len(found) > len(every)


def test_a_word_in_most_services_only_reranks(shared_catalog) -> None:
    from satupintu.catalog.models import SearchDocument
    from satupintu.catalog.search import selective

    total = SearchDocument.objects.count()
    ktp = SearchTerm.objects.get(term="ktp")
    assert ktp.df > total / 2  # "ktp" is in most of the seed catalogue's texts
    assert selective(["urus", "ktp", "paspor"]) == [t for t in ["urus", "ktp", "paspor"]
                                                    if SearchTerm.objects.get(term=t).df <= total / 2]
    assert selective(["ktp"]) == ["ktp"]  # a query is never emptied
    assert _slugs("bikin ktp")[0] == "dukcapil-ktp-el-baru"  # "urus" still counts when re-ranking
