"""Routes, JSON errors, request ids and access logs."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from . import lifecycle, logs
from .settings import Settings

access_log = logging.getLogger("access")
error_log = logging.getLogger("app")

# An incoming X-Request-ID is echoed only if it is short and plain, so it cannot inject into logs.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(settings: Settings | None = None, behind_front: bool = False) -> Flask:
    """behind_front: the app is served behind serve.py's nginx, which writes the access log (with
    the request id this app sets) and sets X-Forwarded-For to the client's address: trust that one
    hop, and nothing a client sends directly."""
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)
    app = Flask(__name__)
    if behind_front:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes

    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Refuse an oversized body before routing, whatever the route would do with it.
        if request.content_length is not None and request.content_length > settings.max_body_bytes:
            raise RequestEntityTooLarge()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if behind_front:
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

    @app.get("/")
    def greet() -> Response:
        return jsonify(message="Hello from Flask on EKS", version=settings.version, pod=settings.pod_name)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        if lifecycle.is_draining():
            return jsonify(status="draining"), 503
        return jsonify(status="ready"), 200

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
