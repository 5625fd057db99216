"""The server's own apps to serve, so its tests hold whatever app sits beside it (or none but these):

- create_app(): a small Flask app, for the path the server takes with a Flask app (metrics by route
  rule). It does what the server relies on an app to do, no more: JSON errors, the request id
  echoed in X-Request-ID, and its own access line only when no front writes one (server/wsgi.py's
  FRONT marker).
- teapot: a plain WSGI callable, for what the server does around any WSGI app.

test_serve.py serves this module through serve.py as a user's package is served: APP_MODULE
fixture_app:create_app(), with this folder on PYTHONPATH.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, abort, g, jsonify, request
from werkzeug.exceptions import HTTPException

from server.wsgi import FRONT

GREETING = "Hello from the server's fixture app"
PLAIN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("access")


def create_app() -> Flask:
    app = Flask(__name__)

    @app.before_request
    def request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if PLAIN.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if not request.environ.get(FRONT):
            access_log.info("request", extra={"fields": {"path": request.path, "status": response.status_code}})
        return response

    @app.errorhandler(HTTPException)
    def json_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        body = {"status": status, "name": error.name, "message": error.description, "request_id": g.get("request_id")}
        return jsonify(error=body), status

    @app.get("/")
    def root() -> Response:
        return jsonify(message=GREETING)

    @app.get("/hello/<name>")
    def hello(name: str) -> Response:
        if not name.isalpha():
            abort(400, description="name: letters only")
        return jsonify(message=f"Hello, {name}!")

    return app


def teapot(environ, start_response) -> list[bytes]:
    """Any WSGI app: no Flask, no JSON, a status of its own."""
    start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
    return [b"tea"]
