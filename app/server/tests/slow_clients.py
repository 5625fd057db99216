"""Hostile clients for the server tests: silent connections, slowloris trickles, and a normal client
timing its requests while they are open. Used by pytest and, as a script, by the container test and
the serve benchmark (each exits non-zero when the server fails the check):

    python slow_clients.py siege PORT [--pid PID]    1000 silent + 50 slowloris; normal p99 < 100 ms
    python slow_clients.py deadline PORT SECONDS    trickling clients are cut off at the head deadline
    python slow_clients.py hold PORT COUNT SECONDS  keep COUNT silent connections open, reopening
                                                    any the server closes, as an attacker would
    python slow_clients.py uploads PORT COUNT BYTES  COUNT slow uploads of BYTES each held open while
                                                    others' requests, an upload among them, get no 5xx
"""

from __future__ import annotations

import argparse
import http.client
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def open_silent(port: int, count: int) -> list[socket.socket]:
    """Connections that never send a byte."""
    return [socket.create_connection((HOST, port), timeout=5) for _ in range(count)]


class Slowloris:
    """Clients that each send one byte of an endless request head per second, from one thread."""

    HEAD = b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: " + b"a" * 4000

    def __init__(self, port: int, count: int):
        self.sockets = open_silent(port, count)
        self.closed_after: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self.started = time.monotonic()
        self._thread.start()

    def _trickle(self) -> None:
        open_sockets = list(self.sockets)
        for byte in self.HEAD:
            for sock in list(open_sockets):
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    self.closed_after.append(time.monotonic() - self.started)
                    open_sockets.remove(sock)
            if not open_sockets or self._stop.wait(1):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()


def still_open(sock: socket.socket) -> bool:
    """True if the server has not closed this connection (nothing to read, no EOF)."""
    timeout = sock.gettimeout()
    # A socket with a timeout waits for it even with MSG_DONTWAIT; peek without waiting.
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)


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


def cut_off_after(port: int, count: int, give_up: float) -> list[float]:
    """Seconds until the server closed each of `count` trickling clients (those it closed within
    `give_up` seconds)."""
    trickle = Slowloris(port, count)
    try:
        deadline = time.monotonic() + give_up
        while len(trickle.closed_after) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return list(trickle.closed_after)
    finally:
        trickle.stop()


def hold_silent(port: int, count: int, seconds: float) -> int:
    """Keep `count` silent connections open for `seconds`, reopening each one the server closes.
    Waits on the sockets instead of polling them, so the holder costs next to no CPU on a machine
    it shares with the server. Returns how many were reopened."""
    selector = selectors.DefaultSelector()
    for sock in open_silent(port, count):
        selector.register(sock, selectors.EVENT_READ)
    reopened = 0
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        for key, _ in selector.select(timeout=left):
            sock = key.fileobj
            try:
                if sock.recv(65536):
                    continue  # something sent to a silent client: not a close
            except OSError:
                pass
            selector.unregister(sock)
            sock.close()
            selector.register(socket.create_connection((HOST, port), timeout=5), selectors.EVENT_READ)
            reopened += 1
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    selector.close()
    return reopened


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


MEMORY_LIMIT_BYTES = 512 * 2**20  # the pod's memory limit: workloadMemoryLimit's default in Pulumi.yaml


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    siege_args = commands.add_parser("siege")
    siege_args.add_argument("port", type=int)
    siege_args.add_argument("--pid", type=int, help="the server's process, whose tree's memory is measured")
    deadline_args = commands.add_parser("deadline")
    deadline_args.add_argument("port", type=int)
    deadline_args.add_argument("seconds", type=float)
    hold_args = commands.add_parser("hold")
    hold_args.add_argument("port", type=int)
    hold_args.add_argument("count", type=int)
    hold_args.add_argument("seconds", type=float)
    uploads_args = commands.add_parser("uploads")
    uploads_args.add_argument("port", type=int)
    uploads_args.add_argument("count", type=int)
    uploads_args.add_argument("bytes", type=int)
    args = parser.parse_args()

    if args.command == "uploads":
        result = upload_flood(args.port, args.count, args.bytes)
        print(f"uploads: {args.count} slow uploads of {args.bytes} bytes got {result.flood}; "
              f"meanwhile another client's GETs and 200 kB POSTs got {result.others}")
        no_5xx = "5xx" not in result.flood and "5xx" not in result.others and "none" not in result.others
        return 0 if no_5xx and "none" not in result.flood else 1
    if args.command == "hold":
        print(f"hold: {args.count} silent connections for {args.seconds:.0f} s, "
              f"{hold_silent(args.port, args.count, args.seconds)} reopened after the server closed them")
        return 0
    if args.command == "deadline":
        closed = cut_off_after(args.port, 3, args.seconds + 5)
        print(f"deadline: 3 trickling clients cut off after {', '.join(f'{t:.1f}' for t in closed)} s "
              f"(head deadline {args.seconds:.0f} s)")
        return 0 if len(closed) == 3 and all(args.seconds <= t <= args.seconds + 2.5 for t in closed) else 1

    memory: list[int] = []
    result = siege(args.port, 1000, 50, 200, lambda: memory.append(tree_rss_bytes(args.pid)) if args.pid else None)
    print(
        f"siege: 1000 silent + 50 slowloris held ({result.silent_still_open} and "
        f"{result.slowloris_still_open} still open at the end, {result.seconds:.1f} s); "
        + ", ".join(f"{path} p99 {ms:.1f} ms over 200" for path, ms in result.p99_ms.items())
        + (f"; server memory (RSS of every process) {memory[0] / 2**20:.0f} MiB" if memory else "")
    )
    ok = (
        all(ms < 100 for ms in result.p99_ms.values())
        and result.silent_still_open == 1000
        and result.slowloris_still_open == 50
        and all(m < MEMORY_LIMIT_BYTES for m in memory)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
