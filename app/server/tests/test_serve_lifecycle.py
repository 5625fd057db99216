"""A running server's lifecycle: it drains on SIGTERM, stops when a child dies, and refuses bad
settings at startup."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from serve_process import Served, get


def test_sigterm_drains_with_readyz_503_then_exits_cleanly():
    served = Served(DRAIN_SECONDS="2", GRACEFUL_TIMEOUT="5").wait_until_serving()
    port = served.port
    assert get(port, "/readyz") == (200, {"status": "ready"})
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    # Draining: not ready, still alive, still serving, through the front.
    assert get(port, "/readyz") == (503, {"status": "draining"})
    assert get(port, "/healthz")[0] == 200
    assert get(port, "/")[0] == 200
    assert served.process.wait(timeout=2 + 5 + 5) == 0
    elapsed = time.monotonic() - sent
    assert 2 <= elapsed < 2 + 5, elapsed
    logs = served.json_lines()
    assert any(entry["message"].startswith("SIGTERM: draining for 2s") for entry in logs)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_a_child_that_dies_stops_the_server_with_an_error():
    served = Served().wait_until_serving()
    # gunicorn's master: its workers exit when it does (nginx's would outlive a killed master here;
    # in a container they go with PID 1).
    children = subprocess.run(["pgrep", "-P", str(served.process.pid)], capture_output=True, text=True).stdout.split()
    gunicorn_master = [pid for pid in children if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_text()
                       or "nginx" not in Path(f"/proc/{pid}/cmdline").read_text()]
    assert len(gunicorn_master) == 1, children
    os.kill(int(gunicorn_master[0]), signal.SIGKILL)
    assert served.process.wait(timeout=30) == 1
    assert any(e.get("child") == "gunicorn" for e in served.json_lines())


def test_bad_settings_stop_startup_with_a_clear_error():
    served = Served(PORT="not-a-port", THREADS="0", HEADER_TIMEOUT_SECONDS="0")
    assert served.process.wait(timeout=15) == 2
    output = served.stop()
    assert "PORT: got 'not-a-port', expected an integer from 1 to 65535" in output
    assert "THREADS: got '0', expected an integer from 1 to 64" in output
    assert "HEADER_TIMEOUT_SECONDS: got '0', expected an integer from 1 to 300" in output
    assert "Traceback" not in output
