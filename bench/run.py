"""``make bench``: run every benchmark module once per database backend, each in a fresh process.

Usage: ``python bench/run.py [--only NAME[,NAME]] [--backends sqlite,postgres]``.
PostgreSQL is skipped (and said so) when it is not reachable.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, git_rev, postgres_available  # noqa: E402

# Module name -> does it run per database backend?
BENCHES: dict[str, bool] = {
    "regions_import": True,
    "consolidation": False,  # CPU-bound analysis: SQLite only
    "documents": True,
    "identity": True,
    "exchange": True,
    "audit_append": True,
    "catalog_search": True,
    "applications": True,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated bench names")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends and not postgres_available():
        print("PostgreSQL not reachable on 127.0.0.1:5432: postgres rows skipped.")
        backends.remove("postgres")
    print(f"# satupintu benchmarks — commit {git_rev()}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    failed = 0
    for name in names:
        if name not in BENCHES:
            print(f"unknown bench {name!r}; known: {', '.join(BENCHES)}")
            return 2
        for backend in backends if BENCHES[name] else ["sqlite"]:
            print(f"\n## {name} — {backend}", flush=True)
            result = subprocess.run([sys.executable, "-m", f"bench.{name}", backend], cwd=REPO, check=False)
            if result.returncode != 0:
                print(f"!! {name} on {backend} failed with exit code {result.returncode}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
