"""What a broken release does, by BROKEN_MODE, on the app's port (8080) as the pod runs it:

- crash: exits at start, as an app whose import fails does (the kubelet restarts it: CrashLoopBackOff);
- never-ready: answers /healthz (so it is started and alive) but never /readyz.

A release that is ready but answers 500s is the real app with a fault: test/e2e/faulty.
"""

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = os.environ.get("BROKEN_MODE", "")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/healthz":
            status, body = 200, {"status": "ok"}
        elif self.path == "/readyz":
            status, body = 503, {"status": "not ready"}
        else:
            status, body = 500, {"error": {"status": 500, "name": "Internal Server Error"}, "mode": MODE}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


# As the container's first process, SIGTERM would be ignored without a handler, and the pod would
# wait out its grace period to go.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
if MODE == "crash":
    sys.exit("broken release: exiting at start")
if MODE != "never-ready":
    sys.exit(f"BROKEN_MODE: got {MODE!r}, expected crash or never-ready")
ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
