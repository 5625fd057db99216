"""The server's settings from the environment, each with a default; a bad value stops startup with a
clear error. They are the platform's (the front, gunicorn, the drain, metrics), whatever app it serves."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# module:callable, "()" calling a factory: what gunicorn's app loader takes, without arguments.
APP_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\(\))?$")
# gunicorn kills a worker whose request runs longer; the front waits a little longer than this.
WORKER_TIMEOUT_SECONDS = 30


class SettingsError(ValueError):
    """Raised with one line per bad variable, naming it, its value and what is allowed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in problems))


def cpu_limit(cgroup_cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this container may use: the cgroup v2 quota rounded up, else the machine's count.

    os.cpu_count() reports the node's CPUs, not the pod's limit, and sizing workers from it
    oversubscribes a limited container.
    """
    try:
        quota, period = cgroup_cpu_max.read_text().split()
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    port: int = 8080
    # The WSGI app to serve (APP_MODULE): the example by default, yours once you set it.
    module: str = "flaskapp:create_app()"
    # Prometheus metrics, on a port of their own that the Service never exposes.
    metrics_port: int = 9090
    log_level: str = "INFO"
    version: str = "dev"
    # gthread workers: one per CPU the container may use (at least 2, so one busy or restarting
    # worker never stalls the pod), each with a few threads for I/O waits.
    workers: int = 2
    threads: int = 4
    max_body_bytes: int = 1024 * 1024
    # After SIGTERM: seconds of serving with /readyz at 503, so load balancers stop sending new
    # connections before the listener closes.
    drain_seconds: int = 5
    # Then: seconds in-flight requests get to finish before workers are killed.
    graceful_timeout: int = 20
    # Above the NLB's 350 s TCP idle timeout, so the load balancer, not the app, closes idle
    # connections and never sends a request down one the app just closed. An idle connection
    # waits in the front's event loop and holds no worker.
    keepalive_seconds: int = 360
    # The front's limits for clients that connect and then send slowly or not at all. A client
    # gets this long to send the whole request head (line and headers), counted from the
    # connection or the previous response; past it the front closes the connection.
    header_timeout_seconds: int = 10
    # The longest pause between two reads of a request body. The front buffers the whole body
    # (at most max_body_bytes) before the app sees it, so a slow body costs no worker either.
    body_timeout_seconds: int = 10
    # Connections the front holds at once, clients' and its own to gunicorn. Past it the front
    # closes its longest-idle connection to admit a new one, or, with none idle, the new one.
    # Bounds the front's memory and descriptors.
    max_connections: int = 4096
    pod_name: str = "unknown"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        problems: list[str] = []

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = int(raw)
            except ValueError:
                value = None
            if value is None or not low <= value <= high:
                problems.append(f"{name}: got {raw!r}, expected an integer from {low} to {high}")
                return default
            return value

        def choice(name: str, default: str, allowed: tuple[str, ...], normalise: Callable[[str], str]) -> str:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            if normalise(raw) not in allowed:
                problems.append(f"{name}: got {raw!r}, expected one of {', '.join(allowed)}")
                return default
            return normalise(raw)

        module = env.get("APP_MODULE") or cls.module
        if not APP_MODULE.match(module):
            problems.append(f"APP_MODULE: got {module!r}, expected module:callable, such as flaskapp:create_app()")
        settings = cls(
            port=integer("PORT", cls.port, 1, 65535),
            module=module,
            metrics_port=integer("METRICS_PORT", cls.metrics_port, 1, 65535),
            log_level=choice("LOG_LEVEL", cls.log_level, LOG_LEVELS, str.upper),
            version=env.get("APP_VERSION") or cls.version,
            workers=integer("WEB_CONCURRENCY", max(2, cpu_limit()), 1, 64),
            threads=integer("THREADS", cls.threads, 1, 64),
            max_body_bytes=integer("MAX_BODY_BYTES", cls.max_body_bytes, 1, 1024**3),
            drain_seconds=integer("DRAIN_SECONDS", cls.drain_seconds, 0, 300),
            graceful_timeout=integer("GRACEFUL_TIMEOUT", cls.graceful_timeout, 1, 600),
            keepalive_seconds=integer("KEEPALIVE_SECONDS", cls.keepalive_seconds, 1, 4000),
            header_timeout_seconds=integer("HEADER_TIMEOUT_SECONDS", cls.header_timeout_seconds, 1, 300),
            body_timeout_seconds=integer("BODY_TIMEOUT_SECONDS", cls.body_timeout_seconds, 1, 300),
            max_connections=integer("MAX_CONNECTIONS", cls.max_connections, 64, 65536),
            pod_name=env.get("POD_NAME") or env.get("HOSTNAME") or os.uname().nodename,
        )
        if settings.metrics_port == settings.port:
            problems.append(f"METRICS_PORT: got {settings.metrics_port}, expected a port other than PORT's")
        if problems:
            raise SettingsError(problems)
        return settings
