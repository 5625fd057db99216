import sys
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APP_DIR))

from flaskapp import create_app, lifecycle  # noqa: E402
from flaskapp.settings import Settings  # noqa: E402


@pytest.fixture
def settings() -> Settings:
    return Settings(version="1.2.3", pod_name="web-abc12", max_body_bytes=1024)


@pytest.fixture
def app(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    yield app
    lifecycle.reset()


@pytest.fixture
def client(app):
    return app.test_client()
