import sys
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APP_DIR))

from flaskapp import create_app  # noqa: E402
from flaskapp.config import Config  # noqa: E402
from server import lifecycle, logs  # noqa: E402
from server.wsgi import wrap  # noqa: E402


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

    yield app
    lifecycle.reset()


@pytest.fixture
def client(app):
    """The app on its own, as `flask run` serves it."""
    return app.test_client()


@pytest.fixture
def served(app):
    """The app inside the server's wrapper (server/wsgi.py), as gunicorn serves it."""
    from werkzeug.test import Client

    return Client(wrap(app))
