"""The example app's routes, as a Blueprint: add yours here, or a Blueprint of your own beside it
(register it in factory.py), each with a test in tests/test_views.py."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, jsonify

main = Blueprint("main", __name__)

# A name is echoed back, so only a plain one is accepted.
NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{0,63}$")


@main.get("/")
def greet() -> Response:
    config = current_app.config["FLASKAPP"]
    return jsonify(message=config.greeting, version=config.version, pod=config.pod_name)


@main.get("/hello/<name>")
def hello(name: str) -> Response:
    """The example route: a greeting for a name, 400 (as JSON) for anything but a plain name."""
    if not NAME.match(name):
        abort(400, description="name: letters, spaces, . ' and - only, at most 64")
    return jsonify(message=f"Hello, {name}!")
