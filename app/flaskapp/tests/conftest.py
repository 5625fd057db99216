"""Fixtures of the example app's tests. They go when flaskapp/ goes; the server's tests have their own
app (server/tests/fixture_app.py)."""

import pytest
from werkzeug.test import Client

from flaskapp import create_app
from flaskapp.config import Config
from server import logs
from server.wsgi import wrap


@pytest.fixture
def config() -> Config:
    return Config(version="1.2.3", pod_name="web-abc12", max_body_bytes=1024)


@pytest.fixture
def app(config):
    # JSON lines on stdout, as the server configures logging for whatever app it serves.
    logs.configure("INFO")
    app = create_app(config)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
def client(app):
    """The app on its own, as `flask run` serves it."""
    return app.test_client()


@pytest.fixture
def served(app):
    """The app inside the server's wrapper (server/wsgi.py), as gunicorn serves it."""
    return Client(wrap(app))
