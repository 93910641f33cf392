"""A throwaway PgBouncer in transaction mode, in front of the tests' PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .network import free_port
from .postgres_server import _as_unprivileged

SEARCHED = ("PATH", "/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin")
MISSING = (
    "PgBouncer is required for the pooler's tests (the service runs behind it in transaction "
    f"mode), but no pgbouncer binary was found (searched: {', '.join(SEARCHED)}). Install it "
    "with `sudo apt-get install pgbouncer` (then `sudo service pgbouncer stop`, so the packaged "
    "one does not hold port 6432) or `brew install pgbouncer`."
)
START_TIMEOUT = 30.0


def find_pgbouncer() -> Path | None:
    """Debian installs pgbouncer in /usr/sbin, off a normal user's PATH."""
    on_path = shutil.which("pgbouncer")
    if on_path:
        return Path(on_path)
    for directory in SEARCHED[1:]:
        candidate = Path(directory) / "pgbouncer"
        if candidate.exists():
            return candidate
    return None


@dataclass
class PgBouncer:
    """A running PgBouncer: `pooled(url)` is `url` through it."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def pooled(self, url: str) -> str:
        """The same role and database, through PgBouncer."""
        through = make_url(url).set(host="127.0.0.1", port=self.port)
        return through.render_as_string(hide_password=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_ready(bouncer: PgBouncer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and bouncer.process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", bouncer.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    tail = "\n".join(bouncer.log.read_text(errors="replace").splitlines()[-20:])
    raise RuntimeError(f"Throwaway PgBouncer on port {bouncer.port} did not start:\n{tail}")


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@contextmanager
def pgbouncer(server_url: str, users: dict[str, str], *, pool_size: int = 1) -> Iterator[PgBouncer]:
    """PgBouncer in transaction mode before the server of `server_url`, for every database
    (`*`), letting in `users` (name: password) with SCRAM; `pool_size` server connections per
    database and user."""
    binary = find_pgbouncer()
    if binary is None:
        raise RuntimeError(MISSING)
    server = make_url(server_url)
    tmp = Path(tempfile.mkdtemp(prefix="test-pgbouncer-"))
    try:
        port = free_port()
        userlist = tmp / "userlist.txt"
        userlist.write_text(
            "".join(f"{_quoted(name)} {_quoted(password)}\n" for name, password in users.items())
        )
        log = tmp / "pgbouncer.log"
        ini = tmp / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host={server.host or '127.0.0.1'} port={server.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = scram-sha-256\nauth_file = {userlist}\n"
            f"logfile = {log}\npidfile = {tmp / 'pgbouncer.pid'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\nmin_pool_size = 0\nreserve_pool_size = 0\n"
            "max_client_conn = 200\n"
            # A client waiting longer than this for the one server connection is a deadlock.
            "query_wait_timeout = 20\n"
            "server_reset_query =\n"
        )
        run_as = _as_unprivileged(tmp)
        for path in (userlist, ini) if run_as else ():
            os.chown(path, run_as["user"], run_as["group"])  # pgbouncer refuses to run as root
        process = subprocess.Popen(
            [str(binary), str(ini)],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            **run_as,
        )
        bouncer = PgBouncer(port, process, log)
        try:
            _wait_ready(bouncer)
            yield bouncer
        finally:
            bouncer.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
