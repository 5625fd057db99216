"""gunicorn settings for the container, all derived from flaskapp.settings (so one place validates)."""

import json
import os
import signal
import threading

import gunicorn.util

from flaskapp import lifecycle
from flaskapp.logs import JsonFormatter
from flaskapp.settings import Settings, SettingsError

try:
    settings = Settings.from_env()
except SettingsError as error:
    raise SystemExit(f"flaskapp: {error}") from None

wsgi_app = "flaskapp:create_app()"
bind = f"0.0.0.0:{settings.port}"
worker_class = "gthread"
workers = settings.workers
threads = settings.threads
keepalive = settings.keepalive_seconds
graceful_timeout = settings.graceful_timeout
timeout = 30
# Import the app in the master: settings errors stop startup once, workers fork copy-on-write, and
# the drain flag in flaskapp.lifecycle is shared with every worker.
preload_app = True
# Heartbeat files in memory, not on the (read-only) root filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the app writes its own JSON access log
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonFormatter}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"level": settings.log_level, "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": settings.log_level, "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stdout"], "propagate": False},
    },
}


def when_ready(server):
    """Turn the first SIGTERM into a drain: /readyz answers 503 while the app keeps serving for
    drain_seconds, then gunicorn stops gracefully (in-flight requests get graceful_timeout).
    A second SIGTERM stops at once."""
    stop = server.handle_term

    def drain_then_stop():
        if lifecycle.is_draining():
            stop()
        lifecycle.start_drain()
        server.log.info("SIGTERM: draining for %ss before a graceful stop", settings.drain_seconds)
        timer = threading.Timer(settings.drain_seconds, os.kill, (os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()

    server.handle_term = drain_then_stop


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn answers requests it cannot parse (bad request line, oversized headers) itself, in
    HTML. Its workers call gunicorn.util.write_error for that; this replaces it so those answers
    have the app's JSON error shape too."""
    body = json.dumps(
        {"error": {"status": status_int, "name": reason, "message": mesg, "request_id": None}}, separators=(",", ":")
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    gunicorn.util.write_nonblock(sock, head + body)


gunicorn.util.write_error = write_json_error
