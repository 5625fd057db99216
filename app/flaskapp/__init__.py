"""The example Flask service: a JSON greeting and an example route, JSON errors and request ids.
Replace it with your package, or add yours beside it, and name yours in appModule."""

from .factory import create_app

__all__ = ["create_app"]
