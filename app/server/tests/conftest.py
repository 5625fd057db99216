"""Fixtures of the server's tests: its own apps (fixture_app.py), never the example's, so these
tests hold whatever app sits beside server/ in app/."""

import pytest
from werkzeug.test import Client

from fixture_app import create_app
from server import lifecycle, logs
from server.wsgi import wrap


@pytest.fixture
def app():
    # JSON lines on stdout, as the server configures logging for whatever app it serves.
    logs.configure("INFO")
    yield create_app()
    lifecycle.reset()


@pytest.fixture
def served(app):
    """The app inside the server's wrapper (server/wsgi.py), as gunicorn serves it."""
    return Client(wrap(app))
