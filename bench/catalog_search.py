"""Catalogue search: quality (MRR@10, recall@3 on the labelled queries) and latency at scale.

Quality: the 60-service shared catalogue and ``tests/catalog/queries.yaml``.

Speed: the catalogue is expanded with synthetic variants across the 552 regional governments (38
provinces + 514 regencies/cities from the shared region data): "<service> — <region>", owned by that
region's pemda, to ``CATALOG_BENCH_SIZES`` services (default ``10000,100000``). Their search documents
are the base service's analysed fields plus the analysed region name — what ``document_for`` returns,
built without re-analysing identical text (the real indexing rate is printed separately).

Latency is measured for the full search (``search_services``: analyse, typo-correct, full-text query,
re-rank, load the page's 20 services) and, as the same-run baseline, a bare full-text query of the
raw lower-cased words on the same index (no analyzer, no boost, ids only). Ratio = ours / bare.
"""

from __future__ import annotations

import csv
import os
import random
import sys
from collections import Counter

from bench import common
from bench.common import REPO, SHARED_DATA, percentile, prepare_backend, print_table, timed

SIZES = [int(s) for s in os.environ.get("CATALOG_BENCH_SIZES", "10000,100000").split(",") if s]
ROUNDS = int(os.environ.get("CATALOG_BENCH_ROUNDS", "3"))


def load_regions() -> list[tuple[str, str]]:
    """Provinces and regencies/cities (kode, nama) into the database; returns the 552 of them."""
    from satupintu.regions.models import Region

    rows = []
    with (SHARED_DATA / "wilayah" / "wilayah.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kode"].count(".") <= 1:
                rows.append((row["kode"], row["nama"]))
    Region.objects.bulk_create([Region(kode=k, nama=n, level=k.count(".") + 1, parent_id=k.split(".")[0] if "." in k
                                       else None, nama_lower=n.lower()) for k, n in rows])
    return rows


def quality(queries: list[dict]) -> tuple[float, float, list[tuple[str, object]]]:
    from satupintu.catalog.selectors import search_services

    reciprocal = top3 = 0.0
    misses = []
    for item in queries:
        found = [s.slug for s in search_services(q=item["q"], page_size=10).services]
        rank = next((i + 1 for i, slug in enumerate(found) if slug in item["expect"]), None)
        reciprocal += 1 / rank if rank else 0.0
        top3 += 1 if rank and rank <= 3 else 0
        if rank != 1:
            misses.append((item["q"], rank))
    return reciprocal / len(queries), top3 / len(queries), misses


def expand(target: int, regions: list[tuple[str, str]]) -> None:
    """Add synthetic regional variants until the catalogue holds ``target`` services."""
    from django.db import transaction

    from satupintu.catalog.analyzer import analyze_document
    from satupintu.catalog.models import Agency, SearchDocument, SearchTerm, Service, service_uuid

    base = list(Service.objects.filter(agency__kind__in=["kementerian", "lembaga", "badan", "bumn", "pemda"])
                .exclude(slug__contains="--").order_by("slug"))[:60]
    docs = {d.service_id: d for d in SearchDocument.objects.filter(service__in=base)}
    agencies = {a.code: a for a in Agency.objects.filter(code__startswith="pemda-")}
    with transaction.atomic():
        new_agencies = [Agency(code=f"pemda-{k.replace('.', '-')}", name_id=f"Pemerintah {n}", kind="pemda",
                               region_id=k) for k, n in regions if f"pemda-{k.replace('.', '-')}" not in agencies]
        Agency.objects.bulk_create(new_agencies)
        agencies = {a.code: a for a in Agency.objects.filter(code__startswith="pemda-")}
        region_terms = {k: " ".join(analyze_document(n)) for k, n in regions}
        have = Service.objects.count()
        i = have - len(base)
        batch: list[Service] = []
        meta: list[tuple[int, str]] = []
        while have + len(batch) < target:
            src = base[i % len(base)]
            kode, nama = regions[(i // len(base)) % len(regions)]
            round_ = i // (len(base) * len(regions))
            slug = f"{src.slug}--{kode.replace('.', '-')}" + (f"-{round_}" if round_ else "")
            batch.append(Service(
                slug=slug, uid=service_uuid(slug), agency=agencies[f"pemda-{kode.replace('.', '-')}"],
                name_id=f"{src.name_id} — {nama}", name_en=f"{src.name_en} — {nama}", summary_id=src.summary_id,
                summary_en=src.summary_en, requirements=src.requirements, procedure=src.procedure,
                fee_idr=src.fee_idr, product=src.product, keywords=src.keywords, priority_area_id=src.priority_area_id,
            ))
            meta.append((src.pk, kode))
            i += 1
            if len(batch) == 5000 or have + len(batch) >= target:
                created = Service.objects.bulk_create(batch)
                SearchDocument.objects.bulk_create([
                    SearchDocument(service=s, name_terms=f"{docs[src_pk].name_terms} {region_terms[kode]}",
                                   keyword_terms=docs[src_pk].keyword_terms,
                                   summary_terms=f"{docs[src_pk].summary_terms} {region_terms[kode]}",
                                   body_terms=docs[src_pk].body_terms, boost=docs[src_pk].boost)
                    for s, (src_pk, kode) in zip(created, meta, strict=True)])
                have += len(batch)
                batch, meta = [], []
        # Keep the vocabulary's document frequencies true for the expanded catalogue.
        df: Counter[str] = Counter()
        for name, keywords, summary, body in SearchDocument.objects.values_list(
                "name_terms", "keyword_terms", "summary_terms", "body_terms").iterator(chunk_size=5000):
            df.update(set(f"{name} {keywords} {summary} {body}".split()))
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create([SearchTerm(term=t, length=len(t), df=n) for t, n in df.items() if len(t) <= 64],
                                       batch_size=5000)
    from django.core.cache import cache

    cache.delete("catalog:search-documents")


def latency(queries: list[str]) -> tuple[list[float], list[float]]:
    from satupintu.catalog.analyzer import tokenize
    from satupintu.catalog.search import backend
    from satupintu.catalog.selectors import search_services

    impl = backend()
    ours: list[float] = []
    bare: list[float] = []
    for _ in range(ROUNDS):
        for q in queries:
            words = tokenize(q)
            bare.append(timed(lambda w=words: impl.bare(w, 20)))
            ours.append(timed(lambda q=q: search_services(q=q)))
    return ours, bare


def main(backend_name: str) -> None:
    # Our own PostgreSQL bench database, so parallel runs of other benches cannot drop it under us.
    common.PG_BENCH_DB = "satupintu_bench_catalog"
    prepare_backend(backend_name)
    import yaml
    from django.db import connection

    from satupintu.catalog.analyzer import reset_analyzer
    from satupintu.catalog.importer import import_catalog
    from satupintu.catalog.models import Service
    from satupintu.catalog.search import reindex_all
    from satupintu.catalog.selectors import search_services

    regions = load_regions()
    reset_analyzer()
    import_catalog(SHARED_DATA / "catalog")
    labelled = yaml.safe_load((REPO / "tests" / "catalog" / "queries.yaml").read_text(encoding="utf-8"))
    mrr, recall3, misses = quality(labelled)
    print_table(f"Search quality on {backend_name} ({len(labelled)} labelled queries, 60 services)",
                ["metric", "value", "goal"], [["MRR@10", mrr, "≥ 0.85"], ["recall@3", recall3, "—"]])
    if misses:
        print("\nnot first: " + "; ".join(f"{q!r} → {r}" for q, r in misses))
    index_seconds = timed(reindex_all)
    print(f"\nReal indexing (analyse + write) of {Service.objects.count()} services: {index_seconds:.2f} s "
          f"({index_seconds / Service.objects.count() * 1000:.1f} ms per service)")

    rng = random.Random(20261130)  # noqa: S311 - reproducible sampling, not security
    places = [n.replace("Kabupaten ", "").replace("Kota ", "") for _, n in regions]
    queries = [item["q"] for item in labelled] + [
        f"{item['q']} {rng.choice(places)}" for item in rng.sample(labelled, 20)]
    rows = []
    for size in SIZES:
        build = timed(lambda size=size: expand(size, regions))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO catalog_service_fts(catalog_service_fts) VALUES ('optimize')")
        search_services(q="warm up")
        ours, bare = latency(queries)
        p50, p95, b50, b95 = (percentile(ours, 50) * 1000, percentile(ours, 95) * 1000,
                              percentile(bare, 50) * 1000, percentile(bare, 95) * 1000)
        rows.append([f"{Service.objects.count():,}", f"{build:.1f}", len(ours), p50, p95, b50, b95, p50 / b50,
                     p95 / b95])
    print_table(f"Search latency on {backend_name} (ms; {len(queries)} queries × {ROUNDS} rounds)",
                ["services", "expand s", "samples", "search p50", "search p95", "bare FTS p50", "bare FTS p95",
                 "ratio p50", "ratio p95"], rows)
    if backend_name == "sqlite" and rows:
        print(f"\nGoal: search p95 < 20 ms at 10,000 services on SQLite: {rows[0][4]:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
