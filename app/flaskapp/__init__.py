"""The Flask service: a JSON greeting, health and readiness probes, JSON errors and access logs."""

from .routes import create_app

__all__ = ["create_app"]
