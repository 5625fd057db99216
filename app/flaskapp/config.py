"""The example app's own settings, from the environment (appEnv and appSecrets arrive there too)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Config:
    version: str = "dev"
    pod_name: str = "unknown"
    # What / says: set GREETING (appEnv) to change it.
    greeting: str = "Hello from Flask on EKS"
    # Bodies above this are refused (the front refuses them first when it serves the app).
    max_body_bytes: int = 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        env = os.environ if env is None else env
        max_body = env.get("MAX_BODY_BYTES", "")
        return cls(
            version=env.get("APP_VERSION") or cls.version,
            pod_name=env.get("POD_NAME") or env.get("HOSTNAME") or cls.pod_name,
            greeting=env.get("GREETING") or cls.greeting,
            max_body_bytes=int(max_body) if max_body.isdigit() else cls.max_body_bytes,
        )
