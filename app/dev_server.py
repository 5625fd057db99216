"""Flask's development server, for local runs and the benchmark's baseline. Production is serve.py.
`flask --app flaskapp run` does the same for the example app."""

import os

from flaskapp import create_app

if __name__ == "__main__":
    create_app().run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
