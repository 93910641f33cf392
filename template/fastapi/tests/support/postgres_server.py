"""Real PostgreSQL for the tests: TEST_DATABASE_URL, else a throwaway local cluster."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .network import free_port

SEARCHED = (
    "PATH",
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/usr/local/opt/postgresql*/bin",
    "/opt/homebrew/opt/postgresql*/bin",
)
MISSING = (
    "PostgreSQL is required for the tests (no SQLite, no mocks), but TEST_DATABASE_URL is unset "
    f"and no initdb was found (searched: {', '.join(SEARCHED)}). Install it with "
    "`sudo apt-get install postgresql` or `brew install postgresql@16`, or start one with "
    "`docker compose up -d postgres` and set TEST_DATABASE_URL to its superuser, "
    "postgresql://OWNER_DB_USER:OWNER_DB_PASSWORD@127.0.0.1:5432/postgres with the values of .env."
)
NO_BASEBACKUP = (
    "The read replica tests stream a replica of a throwaway cluster, which needs pg_basebackup "
    "beside initdb (found: {bindir}). Install the PostgreSQL client and server tools: "
    "`sudo apt-get install postgresql` or `brew install postgresql@16`."
)
START_TIMEOUT = 120.0  # waited only while the server lives: slow on a loaded machine is fine


def find_bindir() -> Path | None:
    """Locate the newest PostgreSQL bin dir, since Debian and Homebrew keep initdb off PATH."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    for pattern in SEARCHED[1:]:
        found = glob.glob(f"{pattern}/initdb")
        if found:
            newest = max(found, key=lambda p: [int(n) for n in re.findall(r"\d+", p)])
            return Path(newest).parent
    return None


def _as_unprivileged(tmp: Path) -> dict[str, Any]:
    """Popen kwargs dropping root, because initdb and postgres refuse to run as root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        os.chown(tmp, user.pw_uid, user.pw_gid)
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    raise RuntimeError("Running as root, and no 'postgres' or 'nobody' user to run PostgreSQL as.")


def _wait_ready(bindir: Path, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Block until the server accepts connections, so tests never race its startup."""
    isready = bindir / "pg_isready"
    args = [str(isready), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-t", "1"]
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        if isready.exists():
            if subprocess.run(args, check=False).returncode == 0:
                return
        else:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                pass
        time.sleep(0.05)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    state = f"exited with {proc.returncode}" if proc.poll() is not None else "timed out"
    raise RuntimeError(f"Throwaway PostgreSQL on port {port} {state}; log tail:\n{tail}")


STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
"""pg_ctl's shutdown modes, as the signals it sends the postmaster."""


class Cluster:
    """A throwaway cluster of this run's own, which a test may stop and start like pg_ctl."""

    def __init__(
        self, bindir: Path, tmp: Path, *, durable: bool = False, settings: Sequence[str] = ()
    ) -> None:
        self.bindir, self.tmp, self.durable = bindir, tmp, durable
        self.settings = list(settings)  # more `name=value` server settings
        self.data, self.log, self.port = tmp / "data", tmp / "postgres.log", free_port()
        self.run_as = _as_unprivileged(tmp)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """A superuser libpq URL to the `postgres` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust"]
        initdb += ["-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]
        done = subprocess.run(initdb, cwd=self.tmp, capture_output=True, text=True, **self.run_as)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        # Fast and unsafe only against an operating system crash; a durable cluster also keeps
        # every acknowledged commit across its own crash (an immediate shutdown).
        settings = ["fsync=off", "full_page_writes=off"]
        settings += [] if self.durable else ["synchronous_commit=off"]
        settings += self.settings
        server = [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        server += ["-h", "127.0.0.1", "-k", str(self.tmp)]
        server += [arg for setting in settings for arg in ("-c", setting)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                server, cwd=self.tmp, stdout=out, stderr=out, **self.run_as
            )
        _wait_ready(self.bindir, self.port, self.process, self.log)

    def stop(self, mode: str = "fast") -> None:
        """Stop as `pg_ctl stop -m <mode>` does: smart, fast or immediate."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(STOP_SIGNALS[mode])
        try:
            self.process.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def clone(self, primary: Cluster) -> None:
        """Make this cluster a streaming replica of `primary` (instead of `init`): a base backup
        that writes its own standby settings (`pg_basebackup -R`)."""
        basebackup = self.bindir / "pg_basebackup"
        if not basebackup.exists():
            raise RuntimeError(NO_BASEBACKUP.format(bindir=self.bindir))
        source = f"host=127.0.0.1 port={primary.port} user=postgres"
        command = [str(basebackup), "-D", str(self.data), "-R", "-X", "stream", "-c", "fast"]
        done = subprocess.run(
            [*command, "-d", source], cwd=self.tmp, capture_output=True, text=True, **self.run_as
        )
        if done.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed ({done.returncode}):\n{done.stderr}")

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m <mode>`: sessions end, the server is gone, then back on its port."""
        self.stop(mode)
        self.start()


@contextmanager
def throwaway_cluster(*, durable: bool = False, settings: Sequence[str] = ()) -> Iterator[Cluster]:
    """A new cluster on a free port in a temporary directory, removed afterwards; `settings`
    are more `name=value` server settings (e.g. shared_preload_libraries=...)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(MISSING)
    tmp = Path(tempfile.mkdtemp(prefix="test-pg-"))
    cluster: Cluster | None = None
    try:
        cluster = Cluster(bindir, tmp, durable=durable, settings=settings)
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster is not None:
            cluster.stop("fast")
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def throwaway_replica(primary: Cluster) -> Iterator[Cluster]:
    """A streaming replica of `primary` on a free port (initdb's pg_hba trusts replication from
    the local host)."""
    tmp = Path(tempfile.mkdtemp(prefix="test-pg-replica-"))
    replica: Cluster | None = None
    try:
        replica = Cluster(primary.bindir, tmp)
        replica.clone(primary)
        replica.start()
        yield replica
    finally:
        if replica is not None:
            replica.stop("fast")
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a superuser libpq URL to the `postgres` database, starting a cluster if needed."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)
        return
    with throwaway_cluster() as cluster:
        yield cluster.url
