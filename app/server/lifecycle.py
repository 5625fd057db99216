"""Drain state, shared by the gunicorn master and its workers.

The byte lives in an anonymous shared mapping created at import. With preload_app the master
imports this before forking, so a drain it starts is seen by every worker at once.
"""

import mmap

_state = mmap.mmap(-1, 1)


def start_drain() -> None:
    _state[0] = 1


def is_draining() -> bool:
    return _state[0] == 1


def reset() -> None:
    """For tests: back to serving."""
    _state[0] = 0
