"""Flask's development server, for local runs and the benchmark's baseline. Production is serve.py."""

from flaskapp import create_app
from flaskapp.settings import Settings

if __name__ == "__main__":
    settings = Settings.from_env()
    create_app(settings).run(host="0.0.0.0", port=settings.port)
