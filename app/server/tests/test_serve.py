"""The server as the image runs it (serve.py: nginx in front of gunicorn), started for real."""

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

from serve import max_uploads, nginx_string, render_nginx_conf
from server.settings import Settings
from slow_clients import MEMORY_LIMIT_BYTES, cut_off_after, hold_silent, open_silent, siege, still_open, tree_rss_bytes

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


# ---- the front's config ----


def test_the_rendered_front_config_is_complete_and_nginx_accepts_it(tmp_path):
    settings = Settings(port=9123, header_timeout_seconds=7, body_timeout_seconds=8, keepalive_seconds=400,
                        max_body_bytes=4096, max_connections=128)
    conf = render_nginx_conf(settings, tmp_path)
    assert "{{" not in conf
    for directive in ("listen 9123 ", "client_header_timeout 7s;", "client_body_timeout 8s;",
                      "keepalive_timeout 400s;", "client_max_body_size 4096;", "worker_connections 128;"):
        assert directive in conf
    (tmp_path / "nginx.conf").write_text(conf)
    check = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_large_uploads_are_admitted_as_many_as_the_run_directory_holds_twice_with_a_third_free(monkeypatch, tmp_path):
    def filesystem_of(size: int):
        monkeypatch.setattr("os.statvfs", lambda _: os.statvfs_result((4096, 4096, size // 4096, 0, 0, 0, 0, 0, 0, 255)))

    filesystem_of(64 * 2**20)  # the pod's /tmp
    assert max_uploads(tmp_path, 2**20) == 21  # 64 MiB * 2/3 / (2 * 1 MiB)
    assert max_uploads(tmp_path, 10**6) == 22
    filesystem_of(2**20)  # smaller than two bodies: one at a time still
    assert max_uploads(tmp_path, 2**20) == 1
    filesystem_of(64 * 2**20)
    conf = render_nginx_conf(Settings(max_body_bytes=2**20), tmp_path)
    assert "limit_conn uploads 21;" in conf
    assert "client_body_buffer_size 16k;" in conf
    # Never more than the connections the front holds (nginx refuses a limit of 65536 or more).
    filesystem_of(2**40)
    conf = render_nginx_conf(Settings(max_body_bytes=4096, max_connections=128), tmp_path)
    assert "limit_conn uploads 128;" in conf


def test_nginx_strings_escape_quotes_backslashes_and_variables():
    assert nginx_string(r'say "$x" \ ok') == r'"say \"\$x\" \\ ok"'


# ---- one server with short client deadlines, for the request-level tests ----


@pytest.fixture(scope="module")
def server():
    served = Served(
        DRAIN_SECONDS="0", GRACEFUL_TIMEOUT="2", HEADER_TIMEOUT_SECONDS="2", BODY_TIMEOUT_SECONDS="2",
        KEEPALIVE_SECONDS="6", MAX_BODY_BYTES="1000",
    ).wait_until_serving()
    yield served
    served.stop()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"NOT A REQUEST\r\n\r\n", 400, id="bad request line"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, id="bad header"),
        pytest.param(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400, id="line gunicorn refuses"),
        pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, id="line nginx refuses"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 400, id="huge header"),
        pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413, id="body over the limit"),
        pytest.param(b"GET /_front_error HTTP/1.1\r\nHost: x\r\n\r\n", 404, id="the front's internal page"),
    ],
)
def test_requests_refused_before_the_app_get_the_app_s_json_errors(server, raw, status):
    line, headers, body = raw_exchange(server.port, raw)
    assert line.startswith(f"HTTP/1.1 {status} "), line
    assert headers["content-type"] == "application/json"
    assert body["error"]["status"] == status
    assert body["error"]["message"] and body["error"]["request_id"] == headers.get("x-request-id")


def test_a_trickling_client_is_cut_off_at_the_head_deadline(server):
    closed = cut_off_after(server.port, 3, give_up=6)
    # The deadline is 2 s and is not reset by each byte; the trickle notices on its next send.
    assert len(closed) == 3 and all(2 <= t <= 4.5 for t in closed), closed


def test_a_silent_connection_is_closed_at_the_head_deadline(server):
    (sock,) = open_silent(server.port, 1)
    with sock:
        closed = closed_within(sock, 5)
    assert closed is not None and 1.5 <= closed <= 3, closed


def test_a_stalled_body_is_cut_off_at_the_body_deadline_without_holding_a_worker(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + b"x" * 10)
        # While the body stalls, the app answers others at once.
        assert get(server.port, "/healthz")[0] == 200
        closed = closed_within(sock, 5)
    assert closed is not None and 1 <= closed <= 3, closed


def test_an_idle_keep_alive_connection_outlives_the_head_deadline(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        time.sleep(3)  # past the 2 s head deadline, inside the 6 s keep-alive
        assert still_open(sock)
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_every_request_gets_one_json_access_line_with_the_app_s_request_id():
    served = Served().wait_until_serving()
    port = served.port
    assert get(port, "/?token=secret")[0] == 200
    raw_exchange(port, b"NOT A REQUEST\r\n\r\n")
    raw_exchange(port, b"GET /nope HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\nX-Request-ID: tag-1\r\n\r\n")
    raw_exchange(port, b"POST /upload?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n")
    time.sleep(0.5)  # the lingering close of the refused requests, before their lines are written
    # Buffered lines are written when the front stops, too.
    access = [e for e in served.json_lines() if e.get("logger") == "access"]
    by_path = {(e["method"], e["path"], e["status"]): e for e in access}
    assert len(access) == 5, access  # the readiness poll's /healthz, and the four above
    assert ("GET", "/", 200) in by_path  # the query string is not logged
    assert ("NOT", "", 400) in by_path
    assert ("POST", "/upload", 413) in by_path
    tagged = by_path[("GET", "/nope", 404)]
    # The app's request id and the front's view of the client address, not the client's header.
    assert (tagged["request_id"], tagged["remote_addr"]) == ("tag-1", "127.0.0.1")
    assert "secret" not in json.dumps(access)


def metric_samples(port: int) -> dict[tuple[str, str, str], float]:
    """http_requests_total from the metrics port: (method, route, status) to count."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("http_requests_total{"):
            labels = dict(part.split("=", 1) for part in line[line.index("{") + 1 : line.index("}")].split(","))
            key = tuple(labels[k].strip('"') for k in ("method", "route", "status"))
            samples[key] = float(line.rsplit(" ", 1)[1])
    return samples


def test_metrics_count_every_worker_s_requests_on_their_own_port_and_not_through_the_front():
    served = Served(WEB_CONCURRENCY="3").wait_until_serving()
    try:
        for _ in range(40):
            assert get(served.port, "/hello/Ada")[0] == 200
        assert get(served.port, "/hello/<x>")[0] == 400
        # The front does not serve the metrics: the public port answers the app's JSON 404.
        status, body = get(served.port, "/metrics")
        assert (status, body["error"]["status"]) == (404, 404)
        samples = metric_samples(served.metrics_port)
        # Summed over the three workers, whichever answered each request.
        assert samples[("GET", "/hello/<name>", "200")] == 40
        assert samples[("GET", "/hello/<name>", "400")] == 1
        assert samples[("GET", "<unmatched>", "404")] == 1
    finally:
        served.stop()


# ---- hostile clients against the shipped defaults ----


def test_a_thousand_silent_and_fifty_slowloris_clients_do_not_slow_a_normal_client():
    served = Served().wait_until_serving()
    memory = []
    try:
        result = siege(served.port, 1000, 50, 200, lambda: memory.append(tree_rss_bytes(served.process.pid)))
    finally:
        served.stop()
    print(f"p99 {result.p99_ms}, {result.silent_still_open} silent and {result.slowloris_still_open} slowloris "
          f"held, memory {memory[0] / 2**20:.0f} MiB")
    assert result.silent_still_open == 1000 and result.slowloris_still_open == 50
    assert all(ms < 100 for ms in result.p99_ms.values()), result.p99_ms
    assert memory[0] < MEMORY_LIMIT_BYTES


def test_a_holder_reopens_what_the_server_closes_at_the_head_deadline(server):
    # The benchmark relies on this to keep silent connections open for longer than the deadline.
    assert hold_silent(server.port, 5, 3) >= 5


def test_past_the_connection_cap_idle_connections_make_room_for_new_clients():
    served = Served(MAX_CONNECTIONS="64").wait_until_serving()
    try:
        held = open_silent(served.port, 200)
        time.sleep(0.5)
        # The cap holds: the front closed the longest-idle connections to admit new ones...
        assert sum(still_open(sock) for sock in held) <= 64
        # ...so idle connections past the cap cannot lock a client with a request out.
        assert get(served.port, "/healthz")[0] == 200
        for sock in held:
            sock.close()
    finally:
        output = served.stop()
    assert "64 worker_connections are not enough, reusing connections" in output


# ---- lifecycle ----


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
