"""Prometheus metrics of the requests the app answers, right across gunicorn's worker processes.

prometheus_client's multiprocess mode: each worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (serve.py makes it, empty, before gunicorn starts), and the server adds
them up when scraped. The scrape endpoint is served by serve.py on METRICS_PORT, which neither the
front nor the Service exposes: the public load balancer never reaches it.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

REQUESTS = Counter(
    "http_requests_total", "Requests the app answered, by method, route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time the app took to answer, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def instrument(app) -> None:
    """Counts and times every request of a Flask app, labelled by its route's rule (/hello/<name>),
    not the path, so a path parameter cannot grow the metrics without bound."""
    from flask import g, request

    @app.before_request
    def _start() -> None:
        g._metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(time.perf_counter() - g.get("_metrics_started", time.perf_counter()))
        return response


def serve(port: int) -> None:
    """Serves every worker's samples, summed, on port (in a daemon thread of the calling process)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges go; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
