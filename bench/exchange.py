"""Exchange gateway overhead and throughput against calling the same backend directly.

Setup (same run, same machine): a provider backend (gunicorn, 1 worker × 4 threads, small JSON)
and the gateway as deployed for production (``satupintu serve --role gateway``: granian, 2 workers ×
4 threads, ADR 0113) on 127.0.0.1, message log on (every call signed, chained and committed before
the answer). The client authenticates with a
TLS client certificate header from loopback (the trusted proxy path).

* latency: sequential calls over one keep-alive connection; overhead = gateway − direct at p50/p99;
* throughput: 8 client threads, calls/s, gateway / direct ratio (median of alternating rounds).
Goal (issue 7): p50 overhead < 3 ms and ≥ 50 % of the direct calls/s for small JSON.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from bench.common import REPO, percentile, prepare_backend, print_table

SEQUENTIAL = int(os.environ.get("BENCH_EXCHANGE_CALLS", "600"))
CONCURRENT = int(os.environ.get("BENCH_EXCHANGE_CONCURRENT_CALLS", "2000"))
THREADS = 8
ROUNDS = int(os.environ.get("BENCH_EXCHANGE_ROUNDS", "3"))
GATEWAY_THREADS = os.environ.get("BENCH_EXCHANGE_GATEWAY_THREADS", "4")
INSTANCE = "SPLP-DEV"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _seed(backend_url: str) -> dict[str, str]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    from satupintu.catalog.models import Agency
    from satupintu.exchange.models import AccessRight, Member, Service, Subsystem

    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .sign(key, None))
    a = Agency.objects.create(code="dukcapil", name_id="Dukcapil", kind="lembaga")
    b = Agency.objects.create(code="kemensos", name_id="Kemensos", kind="kementerian")
    pm = Member.objects.create(instance=INSTANCE, member_class="GOV", member_code="DUKCAPIL", name="Dukcapil", agency=a)
    cm = Member.objects.create(instance=INSTANCE, member_class="GOV", member_code="KEMENSOS", name="Kemensos", agency=b)
    provider = Subsystem.objects.create(member=pm, code="kependudukan")
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    client = Subsystem.objects.create(member=cm, code="bansos", cert_fingerprint=fingerprint)
    service = Service.objects.create(provider=provider, service_code="penduduk", backend_url=backend_url)
    AccessRight.objects.create(client=client, service=service, methods="GET", path_prefixes="/persons")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return {"X-Road-Client": f"{INSTANCE}/GOV/KEMENSOS/bansos", "X-SSL-Client-Cert": quote(pem, safe="")}


def _sequential(url: str, headers: dict[str, str], n: int) -> list[float]:
    import httpx

    samples = []
    with httpx.Client(headers=headers, timeout=30) as http:
        for _ in range(20):
            http.get(url).raise_for_status()
        for _ in range(n):
            start = time.perf_counter()
            response = http.get(url)
            samples.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    return samples


def _throughput(url: str, headers: dict[str, str], n: int) -> float:
    import httpx

    clients = [httpx.Client(headers=headers, timeout=30) for _ in range(THREADS)]

    def worker(i: int) -> int:
        http = clients[i]
        ok = 0
        for _ in range(n // THREADS):
            ok += http.get(url).status_code == 200
        return ok

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        ok = sum(pool.map(worker, range(THREADS)))
    elapsed = time.perf_counter() - start
    for c in clients:
        c.close()
    if ok != (n // THREADS) * THREADS:
        raise RuntimeError(f"{url}: only {ok} calls succeeded")
    return ok / elapsed


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants (Linux ``/proc``)."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                children = task / "children"
                if children.exists():
                    pids += [int(c) for c in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _database_server_cpu_seconds(backend: str) -> float | None:
    """User + system CPU seconds of the PostgreSQL server's processes on this machine (all processes
    of the ``postgres`` user; ``/proc``), or ``None`` for SQLite or a server that is not local."""
    if backend != "postgres":
        return None
    import pwd

    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return None
    total, found = 0.0, False
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid != uid:
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            found = True
    return total if found else None


def _commit_baseline(n: int = 200) -> list[float]:
    """Seconds per one-row INSERT + durable COMMIT on this database (the floor under any message
    log that is committed before the answer)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit_probe (x integer)")
    samples = []
    for i in range(n):
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit_probe (x) VALUES (%s)", [i])
        samples.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_commit_probe")
    return samples


def main(backend: str) -> None:
    prepare_backend(backend)
    commit = _commit_baseline()
    env = {**os.environ, "SATUPINTU_DEBUG": "0", "PYTHONPATH": str(REPO)}
    backend_port, gateway_port = _free_port(), _free_port()
    procs = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "bench.exchange_backend:app", "--bind",
                          f"127.0.0.1:{backend_port}", "--workers", "1", "--threads", "4", "--worker-class",
                          "gthread"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        backend_url = f"http://127.0.0.1:{backend_port}"
        headers = _seed(backend_url)
        from satupintu.exchange import keys

        keys.signing_key()  # create the development keys before the gateway workers start
        keys.body_cipher()
        keys.nik_index("0" * 16)
        procs.append(subprocess.Popen([sys.executable, "-m", "satupintu.cli", "serve", "--role", "gateway", "--bind",
                                       f"127.0.0.1:{gateway_port}", "--workers", "2", "--threads", GATEWAY_THREADS],
                                      cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait(f"{backend_url}/", procs[0])
        _wait(f"http://127.0.0.1:{gateway_port}/healthz", procs[1])
        direct_url = f"{backend_url}/persons/3174012345670001"
        gateway_url = (f"http://127.0.0.1:{gateway_port}/r1/{INSTANCE}/GOV/DUKCAPIL/kependudukan/penduduk"
                       f"/persons/3174012345670001")
        direct = _sequential(direct_url, headers, SEQUENTIAL)
        via = _sequential(gateway_url, headers, SEQUENTIAL)
        # Direct and gateway alternate for ROUNDS rounds, so a change in the machine's other load
        # hits both; the ratio reported is the median of the rounds' ratios.
        rounds: dict[str, list[tuple[float, list[float]]]] = {"direct": [], "gateway": []}
        for _round in range(ROUNDS):
            for name, url in (("direct", direct_url), ("gateway", gateway_url)):
                before = [_cpu_seconds(p.pid) for p in procs] + [time.process_time(),
                                                                  _database_server_cpu_seconds(backend) or 0.0]
                rps = _throughput(url, headers, CONCURRENT)
                after = [_cpu_seconds(p.pid) for p in procs] + [time.process_time(),
                                                                 _database_server_cpu_seconds(backend) or 0.0]
                rounds[name].append((rps, [(a - b) * 1000 / CONCURRENT for a, b in zip(after, before, strict=True)]))
        ratios = [g[0] / d[0] for d, g in zip(rounds["direct"], rounds["gateway"], strict=True)]
        ratio = statistics.median(ratios)
        cpu = {name: (statistics.median(r[0] for r in runs),
                      [statistics.median(r[1][i] for r in runs) for i in range(4)])
               for name, runs in rounds.items()}
        direct_rps, via_rps = cpu["direct"][0], cpu["gateway"][0]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
    from satupintu.exchange import keys, messagelog
    from satupintu.exchange.models import MessageLog

    database_cpu = _database_server_cpu_seconds(backend) is not None

    logged = MessageLog.objects.count()
    intact = messagelog.verify(MessageLog.objects.order_by("seq").iterator(), keys.signing_key()).ok
    ms = 1000.0
    d50, d99, g50, g99 = (percentile(direct, 50) * ms, percentile(direct, 99) * ms,
                          percentile(via, 50) * ms, percentile(via, 99) * ms)
    print_table(
        f"Exchange gateway on {backend} — small JSON, message log on ({logged:,} records logged, chain "
        f"{'intact' if intact else 'BROKEN'})",
        ["measure", "direct to backend", "through gateway", "overhead / ratio"],
        [
            [f"latency p50 (ms, {SEQUENTIAL} sequential calls)", d50, g50, f"+{g50 - d50:.2f} ms (goal < 3 ms)"],
            ["latency p99 (ms)", d99, g99, f"+{g99 - d99:.2f} ms"],
            ["one durable INSERT+COMMIT p50 (ms, same database, floor of the log write)", "-",
             percentile(commit, 50) * ms, "-"],
            [f"calls/s ({THREADS} client threads, {CONCURRENT} calls; median of {ROUNDS} alternating rounds)",
             direct_rps, via_rps,
             f"{ratio:.0%} of direct (goal >= 50%; rounds: {', '.join(f'{r:.0%}' for r in ratios)})"],
            ["CPU ms per call in the provider backend", cpu["direct"][1][0], cpu["gateway"][1][0], "-"],
            ["CPU ms per call in the gateway (all workers)", "-", cpu["gateway"][1][1], "-"],
            ["CPU ms per call in the bench client", cpu["direct"][1][2], cpu["gateway"][1][2], "-"],
            *([["CPU ms per call in the PostgreSQL server (same machine)", cpu["direct"][1][3],
                cpu["gateway"][1][3], "-"]] if database_cpu else []),
            ["CPU ms per call, all processes above", sum(cpu["direct"][1]), sum(cpu["gateway"][1]),
             f"{sum(cpu['direct'][1]) / sum(cpu['gateway'][1]):.0%} (calls/s ratio if CPU-bound)"],
        ],
    )
    if not intact:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1])
