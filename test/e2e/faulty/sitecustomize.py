"""A fault for the end-to-end test's faulty release (test/e2e/faulty/Dockerfile), by FAULT:

- 500s: GET / answers 500, as an app whose database is gone does;
- slow: GET / answers as before, 0.6 s later, as an app whose queries lost their index does.

The probes answer as before.

Python imports this module at start. It wraps Flask's view dispatch, which runs between the app's
before- and after-request hooks, so the server's metrics (app/server/metrics.py) count each answer.
"""

import os
import time

import flask

FAULT = os.environ.get("FAULT", "")
if FAULT not in ("500s", "slow"):
    raise SystemExit(f"FAULT: got {FAULT!r}, expected 500s or slow")
SLOW_SECONDS = 0.6

_dispatch = flask.Flask.dispatch_request


def dispatch_request(self):
    if flask.request.path == "/":
        if FAULT == "500s":
            flask.abort(500)
        time.sleep(SLOW_SECONDS)
    return _dispatch(self)


flask.Flask.dispatch_request = dispatch_request
