"""Overlap analysis time and memory for 1,000, 10,000 and 30,000 synthetic apps.

Setup: the provinces and regencies/cities of the shared region data, then
``generate(apps=30000)`` (synthetic, seeded). For each size N the first N apps (by id) are
analysed: load from the database, group by business function with the waste estimate, and
find similar name/description pairs (TF-IDF over the Indonesian analyzer, k=5, cosine ≥ 0.6).
Baseline, same run and same texts: a bare ``TfidfVectorizer().fit_transform`` with
scikit-learn's default analyzer. Memory peak: ``tracemalloc`` over a second, separate run of
the analysis (tracing slows Python code, so it is not used for the timing).
Goal (issue 9): 30,000 apps in under 60 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import SHARED_DATA, prepare_backend, print_table, timed

SIZES = (1_000, 10_000, 30_000)


def _regions_file() -> Path:
    src = SHARED_DATA / "wilayah" / "wilayah.csv"
    out = Path(tempfile.mkdtemp(prefix="bench-consolidation-")) / "wilayah.csv"
    with src.open(encoding="utf-8") as fin, out.open("w", encoding="utf-8") as fout:
        for number, line in enumerate(fin):
            code = line.split(",", 1)[0]
            if number == 0 or code.count(".") <= 1:
                fout.write(line)
    return out


def main(backend: str) -> None:
    prepare_backend(backend)
    from sklearn.feature_extraction.text import TfidfVectorizer

    from satupintu.consolidation import analysis
    from satupintu.consolidation.generator import generate
    from satupintu.consolidation.models import Application
    from satupintu.consolidation.selectors import current_assumption, function_names, general_apps_by_function
    from satupintu.consolidation.text import analyze, stem
    from satupintu.regions.importer import import_regions

    import_regions(regions_path=_regions_file())
    started = time.perf_counter()
    generate(apps=max(SIZES))
    generation = time.perf_counter() - started
    ids = list(Application.objects.order_by("id").values_list("id", flat=True))

    def analyse(n: int) -> tuple[int, int]:
        rows = analysis.load_rows(Application.objects.filter(id__lte=ids[n - 1]).select_related("agency"))
        groups = analysis.function_groups(rows, assumption=current_assumption(),
                                          general_apps=general_apps_by_function(), function_names=function_names())
        pairs = analysis.similar_pairs(rows, analyzer=analyze)
        return len(groups), len(pairs)

    table = []
    for n in SIZES:
        texts = [r.text for r in analysis.load_rows(Application.objects.filter(id__lte=ids[n - 1]))]
        base = timed(lambda texts=texts: TfidfVectorizer().fit_transform(texts))
        stem.cache_clear()  # every size starts with a cold stemmer cache
        counts: list[tuple[int, int]] = []
        seconds = timed(lambda n=n, counts=counts: counts.append(analyse(n)))
        stem.cache_clear()
        tracemalloc.start()
        analyse(n)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        groups, pairs = counts[0]
        table.append([f"{n:,}", base, seconds, seconds / base, peak, groups, pairs,
                      "yes" if n < 30_000 or seconds < 60 else "NO"])
    print(f"(generated {max(SIZES):,} synthetic apps in {generation:.1f} s)")
    print_table(
        f"Overlap analysis on {backend} (load + function groups + similar pairs)",
        ["apps", "baseline: bare TF-IDF fit (s)", "analysis (s)", "ratio", "peak MiB (tracemalloc)",
         "groups", "similar pairs", "< 60 s at 30k"],
        table,
    )


if __name__ == "__main__":
    main(sys.argv[1])
