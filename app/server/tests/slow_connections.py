"""Connections that send slowly or not at all, as an attacker holds them: silent ones, slowloris
trickles, and a holder that reopens whatever the server closes. The container test and the serve
benchmark run them through slow_clients.py."""

from __future__ import annotations

import selectors
import socket
import threading
import time

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
