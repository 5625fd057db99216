"""gunicorn settings for the container, all derived from server.settings (so one place validates).

gunicorn runs behind the front (serve.py starts both and binds gunicorn to the front's unix socket):
it only ever sees complete requests, so its threads never wait on a slow client."""

import json
import os

import gunicorn.util

from server import metrics
from server.logs import JsonFormatter
from server.settings import WORKER_TIMEOUT_SECONDS, Settings, SettingsError

try:
    settings = Settings.from_env()
except SettingsError as error:
    raise SystemExit(f"server: {error}") from None

# The app APP_MODULE names, inside the probes, the front's client address and metrics.
wsgi_app = "server.wsgi:create()"
worker_class = "gthread"
workers = settings.workers
threads = settings.threads
# The front's idle connections to gunicorn: longer than nginx keeps them (60 s), so nginx, not
# gunicorn, closes them and never sends a request down one gunicorn just closed.
keepalive = 75
graceful_timeout = settings.graceful_timeout
timeout = WORKER_TIMEOUT_SECONDS
# Import the app in the master: settings errors stop startup once, workers fork copy-on-write, and
# the drain flag in server.lifecycle (set by serve.py, which forks this master) reaches every worker.
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


def child_exit(server, worker):
    metrics.worker_exited(worker.pid)
