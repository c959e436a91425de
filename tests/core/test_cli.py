"""The `satupintu` command: serve (a real gunicorn), import-regions with a progress bar on a terminal."""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "satupintu"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_") and k != "DATABASE_URL"}
    env.update({"SATUPINTU_VAR_DIR": str(tmp_path), "SATUPINTU_ENV": "development"})
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unknown_command_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN), "frobnicate"], env=_env(tmp_path), capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_serve_runs_a_real_server_that_answers_healthz(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "HOME": str(tmp_path / "home")}
    env.pop("XDG_RUNTIME_DIR", None)
    subprocess.run([str(BIN), "manage", "migrate", "-v0"], env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([str(BIN), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(100):  # bounded wait for the server to boot
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert body == {"status": "ok"}
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert home.status_code == 200
        assert home.headers["server"].startswith("gunicorn")
        assert not (tmp_path / "home" / ".gunicorn").exists()  # no control socket (gunicornc) is opened
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_rejects_zero_workers(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN), "serve", "--workers", "0"], env=_env(tmp_path), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "--workers" in result.stderr


def test_import_regions_shows_a_progress_bar_on_a_terminal(tmp_path: Path, small_region_files: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([str(BIN), "manage", "migrate", "-v0"], env=env, check=True, timeout=120)
    pid, fd = pty.fork()
    if pid == 0:  # child: run the command attached to the pseudo-terminal
        os.execve(str(BIN), [str(BIN), "import-regions", str(small_region_files)], env)
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = output.decode("utf-8", errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "━" in text  # rich's bar
    assert "13/13" in text
    assert "added 13" in text
