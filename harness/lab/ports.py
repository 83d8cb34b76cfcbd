"""Free loopback ports for the lab's processes.

Every part of the lab listens on 127.0.0.1 on a port the OS picked, so
several labs (pytest-xdist workers, an engineer's hand-control lab next to a
CI run) never collide. The port is released before the process binds it;
the tiny race is handled by the caller's health check failing loudly.
"""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free on ``host`` a moment ago.

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def can_connect(host: str, port: int, *, timeout_s: float = 0.2) -> bool:
    """True when a TCP connection to ``host:port`` is accepted."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


__all__ = ["LOOPBACK", "can_connect", "free_port"]
