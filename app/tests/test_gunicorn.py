"""The committed gunicorn config, served for real in a subprocess."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def start(**env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py"],
        cwd=APP_DIR,
        env={**os.environ, "WEB_CONCURRENCY": "2", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not start serving within 15 s")


def test_sigterm_drains_with_readyz_503_then_exits_cleanly():
    port = free_port()
    server = start(PORT=str(port), DRAIN_SECONDS="2", GRACEFUL_TIMEOUT="5")
    try:
        wait_until_serving(port, server)
        assert get(port, "/readyz") == (200, {"status": "ready"})
        sent = time.monotonic()
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # Draining: not ready, still alive, still serving.
        assert get(port, "/readyz") == (503, {"status": "draining"})
        assert get(port, "/healthz")[0] == 200
        assert get(port, "/")[0] == 200
        assert server.wait(timeout=2 + 5 + 3) == 0
        elapsed = time.monotonic() - sent
        assert 2 <= elapsed < 2 + 5, elapsed
    finally:
        server.kill()
    logs = [json.loads(line) for line in server.stdout.read().splitlines()]
    assert any(entry["message"].startswith("SIGTERM: draining for 2s") for entry in logs)


def test_bad_settings_stop_startup_with_a_clear_error():
    server = start(PORT="not-a-port", THREADS="0")
    output, _ = server.communicate(timeout=15)
    assert server.returncode != 0
    assert "PORT: got 'not-a-port', expected an integer from 1 to 65535" in output
    assert "THREADS: got '0', expected an integer from 1 to 64" in output
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def served_port():
    """One server for the raw-request tests, stopped quickly (no drain, short grace) afterwards."""
    port = free_port()
    server = start(PORT=str(port), DRAIN_SECONDS="0", GRACEFUL_TIMEOUT="2")
    try:
        wait_until_serving(port, server)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
        assert server.returncode == 0, output


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NOT A REQUEST\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
)
def test_requests_gunicorn_cannot_parse_get_json_errors_too(served_port, raw, status):
    with socket.create_connection(("127.0.0.1", served_port), timeout=5) as conn:
        conn.sendall(raw)
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), response
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["error"]["status"] == status
