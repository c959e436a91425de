"""Region import time (91,599 regions + 83,762 postal codes) against a bare bulk INSERT baseline.

Baseline: the same rows inserted with one ``executemany`` into an unindexed scratch table with no
validation, in the same process and database. Ratio = import time / baseline time.
"""

from __future__ import annotations

import sys

from bench.common import SHARED_DATA, prepare_backend, print_table, timed


def main(backend: str) -> None:
    prepare_backend(backend)
    from django.db import connection, transaction

    from satupintu.regions.importer import import_regions, read_rows, resolve_sources

    regions_path, postal_path = resolve_sources(SHARED_DATA / "wilayah")
    rows = [(r.key, r.value) for r in read_rows(regions_path, "regions") if hasattr(r, "key")]

    def baseline() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain_region (kode varchar(13), nama varchar(100))")
            cursor.executemany("INSERT INTO bench_plain_region (kode, nama) VALUES (%s, %s)", rows)
            cursor.execute("DROP TABLE bench_plain_region")

    base = timed(baseline)
    first = timed(lambda: import_regions(regions_path=regions_path, postal_path=postal_path))
    again = timed(lambda: import_regions(regions_path=regions_path, postal_path=postal_path))
    print_table(
        f"Region import on {backend} ({len(rows):,} regions + postal codes)",
        ["step", "seconds", "ratio to bare INSERT of the regions"],
        [
            ["bare executemany INSERT (regions only, baseline)", base, 1.0],
            ["first import (validate + insert regions and postal codes)", first, first / base],
            ["re-import, no changes (validate + diff)", again, again / base],
        ],
    )


if __name__ == "__main__":
    main(sys.argv[1])
