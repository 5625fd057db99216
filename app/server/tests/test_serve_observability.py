"""What a running server reports: one JSON access line per request, and request metrics on their
own port."""

import json
import time
import urllib.request

from serve_process import Served, get, raw_exchange


def test_every_request_gets_one_json_access_line_with_the_app_s_request_id():
    served = Served().wait_until_serving()
    port = served.port
    assert get(port, "/?token=secret")[0] == 200
    raw_exchange(port, b"NOT A REQUEST\r\n\r\n")
    raw_exchange(port, b"GET /nope HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\nX-Request-ID: tag-1\r\n\r\n")
    raw_exchange(port, b"POST /upload?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n")
    time.sleep(0.5)  # the lingering close of the refused requests, before their lines are written
    # Buffered lines are written when the front stops, too.
    access = [e for e in served.json_lines() if e.get("logger") == "access"]
    by_path = {(e["method"], e["path"], e["status"]): e for e in access}
    assert len(access) == 5, access  # the readiness poll's /healthz, and the four above
    assert ("GET", "/", 200) in by_path  # the query string is not logged
    assert ("NOT", "", 400) in by_path
    assert ("POST", "/upload", 413) in by_path
    tagged = by_path[("GET", "/nope", 404)]
    # The app's request id and the front's view of the client address, not the client's header.
    assert (tagged["request_id"], tagged["remote_addr"]) == ("tag-1", "127.0.0.1")
    assert "secret" not in json.dumps(access)


def metric_samples(port: int) -> dict[tuple[str, str, str], float]:
    """http_requests_total from the metrics port: (method, route, status) to count."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("http_requests_total{"):
            labels = dict(part.split("=", 1) for part in line[line.index("{") + 1 : line.index("}")].split(","))
            key = tuple(labels[k].strip('"') for k in ("method", "route", "status"))
            samples[key] = float(line.rsplit(" ", 1)[1])
    return samples


def test_metrics_count_every_worker_s_requests_on_their_own_port_and_not_through_the_front():
    served = Served(WEB_CONCURRENCY="3").wait_until_serving()
    try:
        for _ in range(40):
            assert get(served.port, "/hello/Ada")[0] == 200
        assert get(served.port, "/hello/<x>")[0] == 400
        # The front does not serve the metrics: the public port answers the app's JSON 404.
        status, body = get(served.port, "/metrics")
        assert (status, body["error"]["status"]) == (404, 404)
        samples = metric_samples(served.metrics_port)
        # Summed over the three workers, whichever answered each request.
        assert samples[("GET", "/hello/<name>", "200")] == 40
        assert samples[("GET", "/hello/<name>", "400")] == 1
        assert samples[("GET", "<unmatched>", "404")] == 1
    finally:
        served.stop()
