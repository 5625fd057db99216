import json

import pytest

# The example app's platform pieces: JSON errors, request ids, its access log when no front writes one.


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "name"),
    [
        ("get", "/nope", {}, 404, "Not Found"),
        ("post", "/", {"data": "x"}, 405, "Method Not Allowed"),
        ("delete", "/hello/Ada", {}, 405, "Method Not Allowed"),
        ("post", "/", {"data": "x" * 2048}, 413, "Request Entity Too Large"),
        ("get", "/boom", {}, 500, "Internal Server Error"),
    ],
)
def test_errors_are_json_with_one_shape(client, method, path, kwargs, status, name):
    response = getattr(client, method)(path, headers={"X-Request-ID": "req-1"}, **kwargs)
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert response.get_json() == {
        "error": {"status": status, "name": name, "message": response.get_json()["error"]["message"], "request_id": "req-1"}
    }
    body = response.get_data(as_text=True)
    assert "<html" not in body.lower() and "Traceback" not in body and "secret internals" not in body


def test_request_id_is_echoed(client):
    assert client.get("/", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("bad", ["", "has space", "x" * 129, "line\nbreak"])
def test_unsafe_request_id_is_replaced(client, bad):
    echoed = client.get("/", headers={"X-Request-ID": bad} if "\n" not in bad else {}).headers["X-Request-ID"]
    assert echoed != bad and len(echoed) == 32


def access_lines(output: str) -> list[dict]:
    return [line for line in map(json.loads, output.splitlines()) if line["logger"] == "access"]


def test_access_log_is_one_json_line_per_request(capsys, client):
    client.get("/", headers={"X-Request-ID": "log-1"})
    client.get("/nope")
    first, second = access_lines(capsys.readouterr().out)
    assert {k: first[k] for k in ("method", "path", "status", "request_id", "level")} == {
        "method": "GET",
        "path": "/",
        "status": 200,
        "request_id": "log-1",
        "level": "INFO",
    }
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["time"].endswith("Z")
    assert second["status"] == 404 and len(second["request_id"]) == 32


def test_behind_the_front_it_writes_no_access_log_of_its_own(capsys, served):
    # The server's wrapper marks each request it passes on; the front writes that request's line.
    assert served.get("/").status_code == 200
    assert access_lines(capsys.readouterr().out) == []


def test_unhandled_error_is_logged_with_its_traceback_not_returned(capsys, client):
    client.get("/boom", headers={"X-Request-ID": "boom-1"})
    errors = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"logger":"app"' in line]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "boom-1"
    assert "RuntimeError: secret internals" in errors[0]["exception"]
