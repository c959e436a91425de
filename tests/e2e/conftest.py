"""End-to-end harness: a real `satupintu serve` on 127.0.0.1 and headless Debian Chromium via Playwright.

Run with ``make test-e2e`` (PostgreSQL when DATABASE_URL is set, else SQLite in a temp folder).
Never downloads a browser: Chromium comes from the Debian package (``/usr/bin/chromium``,
override with ``SATUPINTU_E2E_CHROMIUM``). Screenshots of each step go to
``tests/e2e/artifacts/`` (override with ``SATUPINTU_E2E_ARTIFACTS``); a failing test also saves
the page's HTML there.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from satupintu.identity import testing

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "satupintu"
ARTIFACTS = Path(os.environ.get("SATUPINTU_E2E_ARTIFACTS", REPO / "tests" / "e2e" / "artifacts"))
CHROMIUM = os.environ.get("SATUPINTU_E2E_CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
pytestmark = pytest.mark.e2e
E2E_ADMIN = ("koordinator@e2e.example.go.id", "E2e-koordinator-2026!")
E2E_TOTP_SECRETS: dict[str, str] = {}
E2E_ENV: dict[str, str] = {}  # the server's environment (for manage_shell and the mail folder)
_USED_CODES: dict[str, str] = {}


def totp_now(secret: str) -> str:
    """The current TOTP code for ``secret`` (:func:`satupintu.identity.testing.totp_now`)."""
    return testing.totp_now(secret)


def sign_in_back_office(pg: Page, server: str, username: str = E2E_ADMIN[0], password: str = E2E_ADMIN[1]) -> None:
    """Sign in as an officer through the platform sign-in page: e-mail + password, then the TOTP code."""
    pg.goto(server + "/akun/login/")
    complete_sign_in(pg, username, password)


def fresh_totp_code(secret: str, who: str) -> str:
    """A TOTP code for ``secret`` that ``who`` has not used yet in this run (a code works once:
    wait for the next 30-second time step when the current one was used)."""
    code = totp_now(secret)
    while code == _USED_CODES.get(who):
        time.sleep(1)
        code = totp_now(secret)
    _USED_CODES[who] = code
    return code


def manage_shell(code: str, timeout: float = 120) -> str:
    """Run Python ``code`` in ``satupintu manage shell`` against the e2e server's database; return stdout.

    For test set-up only (accounts that a journey needs but does not create itself)."""
    done = subprocess.run([str(BIN), "manage", "shell", "-c", code], env=E2E_ENV, check=True, timeout=timeout,
                          capture_output=True, text=True)
    return done.stdout


def make_officer_account(email: str, password: str, agency_code: str, roles: list[str], name: str) -> str:
    """Create an officer (petugas) of ``agency_code`` with ``roles`` and TOTP; remember and return the TOTP secret."""
    code = (
        "from satupintu.catalog.models import Agency; from satupintu.identity.models import User; "
        "from satupintu.identity.testing import activate_totp, verify_email; "
        f"u = User.objects.create_user({email!r}, {password!r}, full_name={name!r}, kind='officer', is_staff=True, "
        f"roles={roles!r}, agency=Agency.objects.get(code={agency_code!r})); verify_email(u); print(activate_totp(u))"
    )
    secret = manage_shell(code).strip().splitlines()[-1]
    E2E_TOTP_SECRETS[email] = secret
    return secret


def read_mail(to: str, since: float = 0.0) -> list[str]:
    """Bodies of the e-mails the server (and its worker) sent to ``to``, oldest first, written after ``since``
    (a ``time.time()`` value). The e2e server uses Django's file e-mail backend."""
    folder = Path(E2E_ENV["SATUPINTU_EMAIL_FILE_PATH"])
    bodies = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime) if folder.exists() else []:
        if path.stat().st_mtime < since:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for message in text.split("-" * 79):
            if re.search(rf"^To: .*{re.escape(to)}", message, re.M | re.I):
                bodies.append(message)
    return bodies


def wait_for_mail(to: str, pattern: str, since: float = 0.0, timeout: float = 60) -> re.Match[str]:
    """Wait until an e-mail to ``to`` matches ``pattern`` (a regex); return the match."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for body in reversed(read_mail(to, since)):
            found = re.search(pattern, body)
            if found:
                return found
        time.sleep(0.5)
    raise AssertionError(f"no e-mail to {to} matching {pattern!r} within {timeout} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh_postgres(url: str) -> str:
    """Create a fresh database next to the one in ``url`` for the e2e server; return its URL.

    Its name is the given database's name + ``_e2e`` (``sp_alice`` → ``sp_alice_e2e``), so runs
    against different databases never drop each other's."""
    import psycopg

    base, _, name = url.rpartition("/")
    name = re.sub(r"[^A-Za-z0-9_]", "_", name.partition("?")[0]) or "satupintu"
    e2e_name = f"{name}_e2e"[:63]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {e2e_name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {e2e_name}")
    return f"{base}/{e2e_name}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real server (gunicorn) with migrated database and real region data."""
    var = tmp_path_factory.mktemp("e2e-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_")}
    env.update({"SATUPINTU_VAR_DIR": str(var), "SATUPINTU_ENV": "development", "SATUPINTU_DEBUG": "0",
                "SATUPINTU_SHARED_DATA": str(REPO.parent / "shared" / "data"),
                "SATUPINTU_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "SATUPINTU_EMAIL_FILE_PATH": str(var / "mail")})
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = _fresh_postgres(os.environ["DATABASE_URL"])
    E2E_ENV.clear()
    E2E_ENV.update(env)
    subprocess.run([str(BIN), "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([str(BIN), "import-regions", "--no-progress"], env=env, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN), "import-catalog"], env=env, check=True, timeout=600, stdout=subprocess.DEVNULL)
    # As `make run` does: holidays, the six online services, signing keys, the population register.
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    for step in (["import-holidays"], ["import-online-services"], ["keys", "init"], ["import-population"],
                 ["exchange", "setup-demo", "--base-url", base]):
        subprocess.run([str(BIN), *step], env=env, check=True, timeout=600, stdout=subprocess.DEVNULL)
    # The gateway checks the portal's tokens at this server's own provider (as `make run` sets up).
    env.update({"SATUPINTU_PUBLIC_URL": base, "SATUPINTU_EXCHANGE_INTROSPECTION_URL": f"{base}/o/introspect/",
                "SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID": "satupintu-gateway",
                "SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET_FILE":
                    str(var / "keys" / "exchange-introspection.secret")})
    E2E_ENV.update(env)
    # A national SPBE coordinator (an officer; officers must use MFA, so TOTP is set up).
    make_user = (
        "from satupintu.identity.models import User; from satupintu.identity.testing import activate_totp, "
        "verify_email; "
        f"u = User.objects.create_user('{E2E_ADMIN[0]}', '{E2E_ADMIN[1]}', full_name='Koordinator SPBE', "
        "kind='officer', is_staff=True, roles=['spbe_coordinator']); verify_email(u); print(activate_totp(u))"
    )
    made = subprocess.run([str(BIN), "manage", "shell", "-c", make_user], env=env, check=True, timeout=120,
                          capture_output=True, text=True)
    E2E_TOTP_SECRETS[E2E_ADMIN[0]] = made.stdout.strip().splitlines()[-1]
    subprocess.run([str(BIN), "consolidation", "generate", "--apps", "300", "--seed", "7"], env=env, check=True,
                   timeout=600, stdout=subprocess.DEVNULL)
    log = (var / "server.log").open("w")
    proc = subprocess.Popen([str(BIN), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([str(BIN), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start; see {var / 'server.log'}")
        yield base
    finally:
        for process in (worker, proc):
            process.terminate()
        for process in (worker, proc):
            process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _context(browser: Browser, *, javascript: bool) -> BrowserContext:
    return browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900},
                               locale="en-US")


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page with JavaScript on (an English-language browser, to prove Indonesian is the default)."""
    context = _context(browser, javascript=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.csp_errors = errors  # type: ignore[attr-defined]
    yield pg
    _save_on_failure(pg, request)
    context.close()


@pytest.fixture
def page_nojs(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page with JavaScript disabled."""
    context = _context(browser, javascript=False)
    pg = context.new_page()
    yield pg
    _save_on_failure(pg, request)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed  # type: ignore[attr-defined]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def _save_on_failure(pg: Page, request: pytest.FixtureRequest) -> None:
    if getattr(request.node, "failed_call", False) and not pg.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = _slug(request.node.nodeid)
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
        (ARTIFACTS / f"FAILED-{name}.html").write_text(pg.content(), encoding="utf-8")


def snap(pg: Page, name: str) -> None:
    """Save a full-page screenshot of the current step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{_slug(name)}.png"), full_page=True)


AXE_RESULTS: list[dict[str, Any]] = []


def check_accessibility(pg: Page, label: str) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A+AA rules) on the current page; return the serious or
    critical violations (empty when the page passes). Results are collected for the report."""
    if not AXE_JS.exists():
        pytest.fail("axe-core missing: run `npm ci` (package.json) first")
    if not pg.evaluate("() => typeof window.axe !== 'undefined'"):
        pg.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = pg.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    bad = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    AXE_RESULTS.append({"page": label, "url": pg.url, "passes": len(result["passes"]),
                        "violations": [{"id": v["id"], "impact": v["impact"]} for v in result["violations"]],
                        "serious_or_critical": bad})
    return bad


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if AXE_RESULTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "axe-report.json").write_text(json.dumps(AXE_RESULTS, indent=2), encoding="utf-8")
        (ARTIFACTS / "axe-summary.md").write_text(axe_summary(AXE_RESULTS), encoding="utf-8")


def axe_summary(results: list[dict[str, Any]]) -> str:
    """The axe results of a run as a Markdown table (one row per page check, in visiting order),
    with the date (UTC) and totals — the table ``docs/accessibility.md`` quotes."""
    from urllib.parse import urlsplit

    serious = sum(len(r["serious_or_critical"]) for r in results)
    lines = [f"Run of {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: {len(results)} page checks, "
             f"{serious} serious or critical findings.", "",
             "| page | path | axe rules passed | violations (any impact) | serious / critical |",
             "|---|---|---|---|---|"]
    for r in results:
        path = re.sub(r"/\d+/", "/<id>/", urlsplit(r["url"]).path)
        lines.append(f"| {r['page']} | `{path}` | {r['passes']} | {len(r['violations'])} | "
                     f"{len(r['serious_or_critical'])} |")
    return "\n".join(lines) + "\n"


def complete_sign_in(pg: Page, username: str, password: str,
                     before_code: Callable[[Page], None] | None = None) -> None:
    """Fill the sign-in form the browser is on now (e.g. after a redirect with ``?next=``), then the
    TOTP code of ``username`` (see :func:`make_officer_account`; citizens' secrets go in
    ``E2E_TOTP_SECRETS`` too). Unlike :func:`sign_in_back_office` it does not open /akun/login/ itself.
    ``before_code(pg)`` runs on the TOTP page before the code is entered (e.g. an axe check)."""
    pg.locator("#id_login").fill(username)
    pg.locator("#id_password").fill(password)
    pg.locator("form button[type=submit], form input[type=submit]").last.click()
    if before_code is not None:
        before_code(pg)
    pg.locator("#id_code").fill(fresh_totp_code(E2E_TOTP_SECRETS[username], username))
    pg.locator("form button[type=submit], form input[type=submit]").last.click()
