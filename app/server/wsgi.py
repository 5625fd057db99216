"""What gunicorn serves: the WSGI app APP_MODULE names, behind the front.

Around any app: the probes (/healthz alive, /readyz 503 once SIGTERM starts the drain; GET and HEAD,
405 to any other method), answered here so they hold whatever the app does; the client's address
from the one X-Forwarded-For hop the front adds, and nothing a client sends; and, for a Flask app,
request metrics by route. The environ key FRONT tells the app a front writes the access log.
"""

from __future__ import annotations

import json
import uuid

from gunicorn.util import import_app
from werkzeug.middleware.proxy_fix import ProxyFix

from . import lifecycle, metrics
from .settings import Settings

FRONT = "flask_eks.front"


def _json(start_response, status: str, body: dict, headers: tuple = ()) -> list[bytes]:
    data = json.dumps(body, separators=(",", ":")).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers],
    )
    return [data]


PROBE_METHODS = ("GET", "HEAD")


def _probe(environ, start_response, status: str, body: dict) -> list[bytes]:
    """A probe's answer to GET and HEAD (kubelet's, a load balancer's); 405 in the app's error shape
    to anything else, which changes nothing and is no probe."""
    if environ.get("REQUEST_METHOD") not in PROBE_METHODS:
        request_id = uuid.uuid4().hex
        error = {
            "status": 405,
            "name": "Method Not Allowed",
            "message": "The method is not allowed for the requested URL.",
            "request_id": request_id,
        }
        headers = (("Allow", ", ".join(PROBE_METHODS)), ("X-Request-ID", request_id))
        return _json(start_response, "405 Method Not Allowed", {"error": error}, headers)
    return _json(start_response, status, body)


def wrap(app):
    """The app with the probes, the front's client address and the FRONT marker."""
    behind_front = ProxyFix(app, x_for=1, x_proto=0, x_host=0, x_port=0, x_prefix=0)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _probe(environ, start_response, "200 OK", {"status": "ok"})
        if path == "/readyz":
            if lifecycle.is_draining():
                return _probe(environ, start_response, "503 Service Unavailable", {"status": "draining"})
            return _probe(environ, start_response, "200 OK", {"status": "ready"})
        environ[FRONT] = True
        return behind_front(environ, start_response)

    return application


def load(module: str):
    """The app APP_MODULE names, instrumented if it is a Flask app."""
    app = import_app(module)
    if hasattr(app, "before_request") and hasattr(app, "url_map"):
        metrics.instrument(app)
    return app


def create():
    """gunicorn's app (gunicorn.conf.py): the one APP_MODULE names, wrapped. A factory, so importing
    this module loads no app: the server's tests import it with no example app beside it."""
    return wrap(load(Settings.from_env().module))
