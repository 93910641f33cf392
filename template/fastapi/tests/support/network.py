"""Ports for throwaway servers."""

import socket


def free_port() -> int:
    """Ask the kernel for an unused TCP port so parallel runs don't collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
