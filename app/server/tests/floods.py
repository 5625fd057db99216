"""Floods of hostile clients, measured: what a normal client sees while silent and slowloris
connections are open (siege), and what slow large uploads and others' requests get (upload_flood).
The container test and the serve benchmark run them through slow_clients.py."""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from slow_connections import HOST, Slowloris, open_silent, still_open

MEMORY_LIMIT_BYTES = 512 * 2**20  # the pod's memory limit: workloadMemoryLimit's default in Pulumi.yaml


def timed_gets(port: int, path: str, count: int) -> list[float]:
    """Milliseconds for `count` GETs of `path` on one keep-alive connection; each must answer 200."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    timings = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise AssertionError(f"GET {path}: {response.status}")
    finally:
        conn.close()
    return timings


def p99(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (shared pages counted in each)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


@dataclass
class Siege:
    """What a normal client saw while silent and slowloris connections were held open."""

    p99_ms: dict[str, float]
    silent_still_open: int
    slowloris_still_open: int
    seconds: float


def siege(port: int, silent: int, slowloris: int, requests: int, on_hold=None) -> Siege:
    """Open the hostile connections, time `requests` GETs of / and /healthz, then check the
    hostile connections were still open throughout. `on_hold()` runs while they are open."""
    started = time.monotonic()
    idle = open_silent(port, silent)
    trickle = Slowloris(port, slowloris)
    try:
        time.sleep(1)  # every hostile connection accepted and waiting
        result = {path: p99(timed_gets(port, path, requests)) for path in ("/healthz", "/")}
        if on_hold:
            on_hold()
        return Siege(
            p99_ms=result,
            silent_still_open=sum(still_open(s) for s in idle),
            slowloris_still_open=sum(still_open(s) for s in trickle.sockets),
            seconds=time.monotonic() - started,
        )
    finally:
        trickle.stop()
        for sock in idle:
            sock.close()


def read_status(sock: socket.socket, wait: float) -> int | None:
    """The status of the response waiting on `sock` within `wait` seconds; None when none came."""
    sock.settimeout(wait)
    try:
        line = sock.recv(64)
    except (TimeoutError, OSError):
        return None
    parts = line.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


@dataclass
class UploadFlood:
    """What a flood of slow large uploads got, and what the requests of others got meanwhile."""

    flood: dict[str, int]
    others: dict[str, int]


def upload_flood(port: int, count: int, size: int, hold: float = 6.0) -> UploadFlood:
    """`count` uploads of `size` bytes, each sent but for its last bytes, which follow one a second
    (under the body deadline) for `hold` seconds, so all of them are in flight at once. Meanwhile
    another client GETs / and POSTs a 200 kB body. Status counts by class (2xx ... 5xx, or none
    when a connection got nothing)."""
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
    tail = int(hold)
    flood = [socket.create_connection((HOST, port), timeout=10) for _ in range(count)]
    answered: dict[socket.socket, int | None] = {}
    for sock in flood:
        try:
            sock.sendall(head.encode() + b"x" * (size - tail))
        except OSError:
            answered[sock] = read_status(sock, 1)
    others: list[int | None] = []
    for _ in range(tail):
        for sock in flood:
            if sock in answered:
                continue
            try:
                sock.sendall(b"x")
            except OSError:
                answered[sock] = read_status(sock, 1)
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        for method, body in (("GET", None), ("POST", b"y" * 200_000)):
            try:
                conn.request(method, "/", body=body, headers={"Content-Type": "application/octet-stream"})
                response = conn.getresponse()
                response.read()
                others.append(response.status)
            except OSError:
                others.append(None)
        conn.close()
        time.sleep(1)
    for sock in flood:
        if sock not in answered:
            answered[sock] = read_status(sock, 10)
        sock.close()

    def classes(statuses) -> dict[str, int]:
        counted: dict[str, int] = {}
        for status in statuses:
            name = f"{status // 100}xx" if status else "none"
            counted[name] = counted.get(name, 0) + 1
        return counted

    return UploadFlood(flood=classes(answered.values()), others=classes(others))
