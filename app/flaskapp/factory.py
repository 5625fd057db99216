"""The example app's factory: request ids, JSON errors, an access log when no front writes one, and
the routes of views.py. The server (server/wsgi.py) adds the probes, metrics and the client's
address from the front, around this or any other WSGI app."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .config import Config
from .views import main

access_log = logging.getLogger("access")
error_log = logging.getLogger("app")

# An incoming X-Request-ID is echoed only if it is short and plain, so it cannot inject into logs.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The key server/wsgi.py sets on each request it passes on: its front writes the access log.
FRONT = "flask_eks.front"


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["FLASKAPP"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.register_blueprint(main)

    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Refuse an oversized body before routing, whatever the route would do with it.
        if request.content_length is not None and request.content_length > config.max_body_bytes:
            raise RequestEntityTooLarge()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.environ.get(FRONT):
            return response
        access_log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 3),
                    "request_id": g.get("request_id"),
                    "remote_addr": request.remote_addr,
                }
            },
        )
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        return error_body(status, error.name, error.description or error.name), status

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        error_log.exception("unhandled error", extra={"fields": {"request_id": g.get("request_id")}})
        return error_body(500, "Internal Server Error", "The server could not complete the request."), 500

    return app


def error_body(status: int, name: str, message: str) -> Response:
    """The one error shape: {"error": {"status", "name", "message", "request_id"}}."""
    return jsonify(error={"status": status, "name": name, "message": message, "request_id": g.get("request_id")})
