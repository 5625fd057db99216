"""The container's entry point: nginx in front, gunicorn behind it, and the drain on SIGTERM.

nginx holds the client connections and passes gunicorn only complete requests over a unix socket
(nginx.conf.template says why). This process renders nginx's config from the app's settings,
starts both, and owns the order in which they stop:

- SIGTERM: /readyz answers 503 while both keep serving for DRAIN_SECONDS, so load balancers take
  the pod out; then nginx stops gracefully (stops listening, finishes what is in flight, at most
  GRACEFUL_TIMEOUT); then gunicorn, which by then has nothing in flight. Exit 0.
- A second SIGTERM, or SIGINT: skip what is left of the drain.
- nginx or gunicorn exiting on its own: stop the other and exit 1, so the kubelet restarts us.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.exceptions import default_exceptions

from server import lifecycle, logs
from server.settings import WORKER_TIMEOUT_SECONDS, Settings, SettingsError

APP_DIR = Path(__file__).resolve().parent
TEMPLATE = APP_DIR / "nginx.conf.template"
# The errors the front answers itself: unparseable or oversized requests, timeouts, the app
# unreachable or too slow, and a request for the front's own internal error page.
FRONT_ERRORS = (400, 404, 408, 413, 414, 429, 431, 500, 502, 503, 504)
SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
# gunicorn stops after nginx, with nothing left in flight: its stop is quick unless it hangs.
GUNICORN_STOP_SECONDS = 3

log = logging.getLogger("serve")


def nginx_string(text: str) -> str:
    """A double-quoted nginx string: escape what nginx would read as syntax or a variable."""
    return '"' + re.sub(r'(["\\$])', r"\\\1", text) + '"'


def render_nginx_conf(settings: Settings, run_dir: Path) -> str:
    errors = {status: default_exceptions[status]() for status in FRONT_ERRORS}
    # Error bodies are JSON, so each value is JSON-escaped first (without its quotes).
    names = "\n".join(f"        {s} {nginx_string(e.name)};" for s, e in errors.items())
    messages = "\n".join(f"        {s} {nginx_string(_json_inner(e.description))};" for s, e in errors.items())
    values = {
        "RUN_DIR": str(run_dir),
        "PORT": settings.port,
        "MAX_CONNECTIONS": settings.max_connections,
        # Each connection is a descriptor; leave room for the listener, logs and temp files.
        "OPEN_FILES": settings.max_connections + 64,
        "HEADER_TIMEOUT_SECONDS": settings.header_timeout_seconds,
        "BODY_TIMEOUT_SECONDS": settings.body_timeout_seconds,
        "KEEPALIVE_SECONDS": settings.keepalive_seconds,
        "MAX_BODY_BYTES": settings.max_body_bytes,
        "MAX_UPLOADS": min(settings.max_connections, max_uploads(run_dir, settings.max_body_bytes)),
        "GRACEFUL_TIMEOUT": settings.graceful_timeout,
        "APP_TIMEOUT": WORKER_TIMEOUT_SECONDS + 5,
        "ERROR_STATUSES": " ".join(str(s) for s in FRONT_ERRORS),
        "ERROR_NAMES": names,
        "ERROR_MESSAGES": messages,
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: str(values[m[1]]), TEMPLATE.read_text())


def max_uploads(run_dir: Path, max_body_bytes: int) -> int:
    """How many large bodies may be in flight at once: each may be held twice in the run directory's
    filesystem (nginx's buffer file, the app's spooled copy), and a third of it stays free."""
    stat = os.statvfs(run_dir)
    return max(1, stat.f_blocks * stat.f_frsize * 2 // 3 // (2 * max_body_bytes))


def _json_inner(text: str) -> str:
    """A JSON string's content, without its quotes."""
    return json.dumps(text)[1:-1]


def run_gunicorn(socket_path: Path) -> None:
    """gunicorn's own entry point, in a forked child: it shares lifecycle's drain flag with us."""
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = ["gunicorn", "--config", str(APP_DIR / "gunicorn.conf.py"), "--bind", f"unix:{socket_path}"]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


class Server:
    def __init__(self, settings: Settings, run_dir: Path):
        self.settings = settings
        self.run_dir = run_dir
        self.socket = run_dir / "gunicorn.sock"
        self.gunicorn = multiprocessing.get_context("fork").Process(
            target=run_gunicorn, args=(self.socket,), name="gunicorn"
        )
        self.nginx: subprocess.Popen | None = None

    def start(self) -> None:
        # Every gunicorn process writes its metrics here; the scrape in this process adds them up.
        metrics_dir = self.run_dir / "metrics"
        metrics_dir.mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(self.settings, self.run_dir))
        self.gunicorn.start()
        # nginx listens only once gunicorn does, so the first request never meets a 502.
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while not self.socket.exists():
            if not self.gunicorn.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (exit code {self.gunicorn.exitcode})")
            time.sleep(0.05)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = subprocess.Popen([nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", "stderr"])

    def exited(self) -> str | None:
        """The name of a child that has exited, if any."""
        if self.nginx is not None and self.nginx.poll() is not None:
            return "nginx"
        if not self.gunicorn.is_alive():
            return "gunicorn"
        return None

    def serve_until_stopped(self) -> int:
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        # Started after the mask, so its thread inherits it and the signals all come to this loop.
        # Imported only now: prometheus_client picks its multiprocess mode when first imported, so
        # it must not be imported before PROMETHEUS_MULTIPROC_DIR is set, nor before gunicorn forks.
        from server import metrics

        metrics.serve(self.settings.metrics_port)
        drain_until: float | None = None
        while True:
            if child := self.exited():
                log.error("%s exited on its own; stopping", child, extra={"fields": {"child": child}})
                self.stop(graceful=False)
                return 1
            timeout = 1.0 if drain_until is None else max(0.0, drain_until - time.monotonic())
            info = signal.sigtimedwait(SIGNALS, timeout)
            if info is None:
                if drain_until is not None and time.monotonic() >= drain_until:
                    break
            elif info.si_signo == signal.SIGTERM and drain_until is None:
                lifecycle.start_drain()
                log.info("SIGTERM: draining for %ss before a graceful stop", self.settings.drain_seconds)
                drain_until = time.monotonic() + self.settings.drain_seconds
            elif info.si_signo != signal.SIGCHLD:
                log.info("%s: stopping now", signal.Signals(info.si_signo).name)
                break
        return 0 if self.stop(graceful=True) else 1

    def stop(self, graceful: bool) -> bool:
        """nginx first (it may still be waiting on gunicorn for requests in flight), then gunicorn.
        Bounded by GRACEFUL_TIMEOUT plus a few seconds, inside the pod's grace period. True if
        both stopped cleanly."""
        clean = True
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT if graceful else signal.SIGTERM)
            try:
                # nginx closes whatever is left at GRACEFUL_TIMEOUT (worker_shutdown_timeout).
                clean &= self.nginx.wait(self.settings.graceful_timeout + 1) == 0
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                clean = False
        if self.gunicorn.is_alive():
            self.gunicorn.terminate()
            self.gunicorn.join(GUNICORN_STOP_SECONDS)
            if self.gunicorn.is_alive():
                self.gunicorn.kill()
                self.gunicorn.join()
        clean &= self.gunicorn.exitcode == 0
        return clean


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"server: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    run_dir = Path(tempfile.mkdtemp(prefix="server-"))
    # When started as root (never in the image), nginx's workers run as nobody and must reach the
    # socket; the directory holds nothing secret.
    run_dir.chmod(0o755)
    server = Server(settings, run_dir)
    try:
        server.start()
        return server.serve_until_stopped()
    finally:
        server.stop(graceful=False)
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
