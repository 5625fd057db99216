"""serve.py (nginx in front of gunicorn) started for real in a subprocess, and the raw client
helpers the test_serve_*.py suites share."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
APP_DIR = TESTS_DIR.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


class Served:
    """serve.py in a subprocess, its output collected, serving the server's own Flask app
    (fixture_app.py) from a folder on PYTHONPATH, as the image serves a package beside server/."""

    def __init__(self, **env: str):
        self.port = free_port()
        self.metrics_port = free_port()
        # A file, not a pipe: nobody reads a pipe while a test runs, and a full one blocks the
        # server's logging. Append mode, so nginx (which reopens /dev/stdout by its path) and
        # gunicorn do not write over each other.
        fd, path = tempfile.mkstemp(prefix="serve-", suffix=".log")
        os.close(fd)  # mkstemp's descriptor has no O_APPEND; open() by name in "a+" does
        self.log = open(path, "a+")
        self.process = subprocess.Popen(
            [sys.executable, "serve.py"],
            cwd=APP_DIR,
            env={
                **os.environ,
                "APP_MODULE": "fixture_app:create_app()",
                "PYTHONPATH": str(TESTS_DIR),
                "PORT": str(self.port),
                "METRICS_PORT": str(self.metrics_port),
                "WEB_CONCURRENCY": "2",
                **env,
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: str | None = None

    def wait_until_serving(self) -> "Served":
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stop()
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        pytest.fail("serve.py did not start serving within 20 s")

    def stop(self) -> str:
        """Stop it (if it is still running) and return everything it printed."""
        if self.output is None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)
            self.log.seek(0)
            self.output = self.log.read()
            self.log.close()
            os.unlink(self.log.name)
        return self.output

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stop().splitlines() if line.startswith("{")]


def raw_exchange(port: int, raw: bytes) -> tuple[str, dict, dict]:
    """Send raw bytes, read one response: status line, headers, JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            assert chunk, f"closed without a response: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        while len(body) < int(headers["content-length"]):
            body += conn.recv(65536)
    return lines[0], headers, json.loads(body)


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closes `sock` (reading and discarding any response), or None."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    except OSError:
        pass
    return time.monotonic() - started
