"""The real server as a subprocess, for the tests that need its sockets and signals."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 120.0
"""Generous: on a loaded CI machine importing the service alone has taken ~30 s."""


def wait_until_live(
    port: int, process: subprocess.Popen[bytes], log: Path, *, timeout: float = START_TIMEOUT
) -> None:
    """Wait while the process lives for /health/live to answer 200; fail at once if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = log.read_text(errors="replace")[-4000:]
            pytest.fail(f"the server exited with {process.returncode} at start:\n{output}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace")[-4000:]
            pytest.fail(f"the server did not answer within {timeout:.0f} s:\n{output}")
        time.sleep(0.1)


@contextmanager
def service_process(
    command: Sequence[str], environment: Mapping[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait until it is live on `port`, kill it afterwards."""
    with tempfile.TemporaryDirectory(prefix="test-server-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                list(command), env=dict(environment), stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_until_live(port, process, log)
            yield process
        finally:
            process.kill()
            process.wait()
