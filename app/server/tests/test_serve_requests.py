"""Requests against one running server with short client deadlines: what the front refuses, and
when it cuts off clients that are slow to send."""

import socket
import time

import pytest

from serve_process import Served, closed_within, get, raw_exchange
from slow_connections import cut_off_after, hold_silent, open_silent, still_open


@pytest.fixture(scope="module")
def server():
    served = Served(
        DRAIN_SECONDS="0", GRACEFUL_TIMEOUT="2", HEADER_TIMEOUT_SECONDS="2", BODY_TIMEOUT_SECONDS="2",
        KEEPALIVE_SECONDS="6", MAX_BODY_BYTES="1000",
    ).wait_until_serving()
    yield served
    served.stop()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"NOT A REQUEST\r\n\r\n", 400, id="bad request line"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, id="bad header"),
        pytest.param(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400, id="line gunicorn refuses"),
        pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, id="line nginx refuses"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 400, id="huge header"),
        pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413, id="body over the limit"),
        pytest.param(b"GET /_front_error HTTP/1.1\r\nHost: x\r\n\r\n", 404, id="the front's internal page"),
    ],
)
def test_requests_refused_before_the_app_get_the_app_s_json_errors(server, raw, status):
    line, headers, body = raw_exchange(server.port, raw)
    assert line.startswith(f"HTTP/1.1 {status} "), line
    assert headers["content-type"] == "application/json"
    assert body["error"]["status"] == status
    assert body["error"]["message"] and body["error"]["request_id"] == headers.get("x-request-id")


def test_a_trickling_client_is_cut_off_at_the_head_deadline(server):
    closed = cut_off_after(server.port, 3, give_up=6)
    # The deadline is 2 s and is not reset by each byte; the trickle notices on its next send.
    assert len(closed) == 3 and all(2 <= t <= 4.5 for t in closed), closed


def test_a_silent_connection_is_closed_at_the_head_deadline(server):
    (sock,) = open_silent(server.port, 1)
    with sock:
        closed = closed_within(sock, 5)
    assert closed is not None and 1.5 <= closed <= 3, closed


def test_a_stalled_body_is_cut_off_at_the_body_deadline_without_holding_a_worker(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + b"x" * 10)
        # While the body stalls, the app answers others at once.
        assert get(server.port, "/healthz")[0] == 200
        closed = closed_within(sock, 5)
    assert closed is not None and 1 <= closed <= 3, closed


def test_an_idle_keep_alive_connection_outlives_the_head_deadline(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        time.sleep(3)  # past the 2 s head deadline, inside the 6 s keep-alive
        assert still_open(sock)
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_a_holder_reopens_what_the_server_closes_at_the_head_deadline(server):
    # The benchmark relies on this to keep silent connections open for longer than the deadline.
    assert hold_silent(server.port, 5, 3) >= 5
