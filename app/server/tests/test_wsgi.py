"""The server's wrapper around any WSGI app: probes, the drain, the front's client address, metrics."""

import json

from prometheus_client import REGISTRY
from werkzeug.test import Client

from fixture_app import teapot
from server import lifecycle
from server.wsgi import FRONT, load, wrap


def test_healthz_and_readyz_are_answered_around_the_app(served):
    assert served.get("/healthz").json == {"status": "ok"}
    assert served.get("/readyz").json == {"status": "ready"}


def test_readyz_flips_to_503_when_the_drain_starts(served):
    lifecycle.start_drain()
    response = served.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "draining"}
    # Liveness stays up: a draining pod must not be restarted; the app keeps serving.
    assert served.get("/healthz").status_code == 200
    assert served.get("/").status_code == 200


def test_probes_answer_get_and_head_and_405_to_any_other_method(served):
    for path in ("/healthz", "/readyz"):
        assert served.head(path).status_code == 200
        for method in ("PUT", "POST", "DELETE", "PATCH", "OPTIONS"):
            response = served.open(path, method=method)
            assert response.status_code == 405, (method, path)
            assert response.headers["Allow"] == "GET, HEAD"
            assert response.json["error"]["status"] == 405
            assert response.json["error"]["name"] == "Method Not Allowed"
            assert response.json["error"]["request_id"] == response.headers["X-Request-ID"]


def test_probes_hold_for_any_wsgi_app():
    client = Client(wrap(teapot))
    assert client.get("/healthz").status_code == 200
    assert client.get("/anything").status_code == 418


def test_a_plain_wsgi_app_is_loaded_as_it_is():
    assert load("fixture_app:teapot") is teapot


def test_the_client_address_is_the_one_the_front_adds(capsys, app):
    seen = {}

    @app.get("/whoami")
    def whoami():
        from flask import request

        seen["addr"] = request.remote_addr
        return {}

    Client(wrap(app)).get("/whoami", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.9"})
    # Only the last hop, which the front appended; what the client sent before it is not trusted.
    assert seen["addr"] == "203.0.113.9"


def test_behind_the_front_the_app_writes_no_access_log_of_its_own(capsys, app, served):
    def access_lines() -> list[dict]:
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        return [line for line in lines if line["logger"] == "access"]

    # On its own the app writes its access line; behind the wrapper, marked FRONT, it writes none.
    app.test_client().get("/")
    assert len(access_lines()) == 1
    served.get("/")
    assert access_lines() == []


def test_every_request_passed_on_is_marked_as_behind_the_front():
    seen = []

    def app(environ, start_response):
        seen.append(environ.get(FRONT))
        return teapot(environ, start_response)

    client = Client(wrap(app))
    client.get("/")
    client.get("/healthz")  # answered by the wrapper, never passed on
    assert seen == [True]


def test_a_flask_app_is_counted_by_route_rule_and_status():
    client = Client(wrap(load("fixture_app:create_app()")))

    def count(route: str, status: str) -> float:
        labels = {"method": "GET", "route": route, "status": status}
        return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0

    before = (count("/hello/<name>", "200"), count("/hello/<name>", "400"), count("<unmatched>", "404"))
    client.get("/hello/Ada")
    client.get("/hello/Grace")
    client.get("/hello/<b>")
    client.get("/nowhere")
    after = (count("/hello/<name>", "200"), count("/hello/<name>", "400"), count("<unmatched>", "404"))
    assert [a - b for a, b in zip(after, before)] == [2, 1, 1]
    assert REGISTRY.get_sample_value(
        "http_request_duration_seconds_count", {"method": "GET", "route": "/hello/<name>"}
    ) >= 3
