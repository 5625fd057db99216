"""Werkzeug's development server (what `flask run` uses) for the app APP_MODULE names, for local runs
and the benchmark's baseline. Production is serve.py. `flask --app 'flaskapp:create_app()' run` does
the same for the example app."""

from gunicorn.util import import_app
from werkzeug.serving import run_simple

from server.settings import Settings

if __name__ == "__main__":
    settings = Settings.from_env()
    # As Flask's app.run() serves: threaded, no reloader, no debugger.
    run_simple("0.0.0.0", settings.port, import_app(settings.module), threaded=True)
