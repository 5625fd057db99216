"""Hostile clients against a running server with the shipped defaults."""

import time

from floods import MEMORY_LIMIT_BYTES, siege, tree_rss_bytes
from serve_process import Served, get
from slow_connections import open_silent, still_open


def test_a_thousand_silent_and_fifty_slowloris_clients_do_not_slow_a_normal_client():
    served = Served().wait_until_serving()
    memory = []
    try:
        result = siege(served.port, 1000, 50, 200, lambda: memory.append(tree_rss_bytes(served.process.pid)))
    finally:
        served.stop()
    print(f"p99 {result.p99_ms}, {result.silent_still_open} silent and {result.slowloris_still_open} slowloris "
          f"held, memory {memory[0] / 2**20:.0f} MiB")
    assert result.silent_still_open == 1000 and result.slowloris_still_open == 50
    assert all(ms < 100 for ms in result.p99_ms.values()), result.p99_ms
    assert memory[0] < MEMORY_LIMIT_BYTES


def test_past_the_connection_cap_idle_connections_make_room_for_new_clients():
    served = Served(MAX_CONNECTIONS="64").wait_until_serving()
    try:
        held = open_silent(served.port, 200)
        time.sleep(0.5)
        # The cap holds: the front closed the longest-idle connections to admit new ones...
        assert sum(still_open(sock) for sock in held) <= 64
        # ...so idle connections past the cap cannot lock a client with a request out.
        assert get(served.port, "/healthz")[0] == 200
        for sock in held:
            sock.close()
    finally:
        output = served.stop()
    assert "64 worker_connections are not enough, reusing connections" in output
