"""Real Redis for the tests: TEST_REDIS_URL, else a throwaway local redis-server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .network import free_port

MISSING = (
    "Redis is required for the tests (no mocks), but TEST_REDIS_URL is unset and redis-server "
    "is not on PATH. Install it with `sudo apt-get install redis-server` or `brew install redis`, "
    "or start one with `docker compose up -d redis` and set TEST_REDIS_URL=redis://127.0.0.1:6379/0."
)
START_TIMEOUT = 120.0  # waited only while the server lives: slow on a loaded machine is fine


def ping(port: int, host: str = "127.0.0.1") -> bool:
    """Raw RESP PING, so readiness needs no client library."""
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server() -> Iterator[str]:
    """Yield a redis:// URL, starting a throwaway redis-server if none is configured."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(MISSING)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="test-redis-") as tmp:
        log = Path(tmp) / "redis.log"
        args = [binary, "--save", "", "--appendonly", "no", "--port", str(port)]
        args += ["--bind", "127.0.0.1", "--daemonize", "no", "--dir", tmp]
        with log.open("wb") as out:
            proc = subprocess.Popen(args, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not ping(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                    raise RuntimeError(f"Throwaway redis-server on port {port} failed:\n{tail}")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def empty_cache(app: Any) -> None:
    """Delete every key of the service's cache namespace: entries named `{namespace:...}`."""
    cache = app.state.cache
    async for key in cache.client.scan_iter(match="{" + cache.namespace + ":*"):
        await cache.client.delete(key)
