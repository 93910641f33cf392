"""The generated README's way to run without Docker works: its commands, as written, on a machine
with PostgreSQL and Redis running (and no Docker), prepare the database of `.env` and serve.

Each service gets a `.env` naming a fresh database and fresh roles on the test server, runs the
README's commands exactly, then makes the first administrator as the README says (a single
tenant: `make create-admin`, the password set through the mailed link; with tenants: invited
through the operator API) and reads through the API. Everything it created is dropped afterwards.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_copie.plugin import Copie

from tests.conftest import answer_id, render, run

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery staple"
START_TIMEOUT = 120.0  # waited only while `make run` lives

MODES = [
    {"tenancy_need": "single", "tenancy": "none", "cache": "redis"},
    {"tenancy_need": "multi_shared", "tenancy": "shared", "cache": "none"},
    {"tenancy_need": "multi_schema", "tenancy": "schema", "cache": "none"},
    {"tenancy_need": "multi_database", "tenancy": "database", "cache": "redis"},
]


def readme_commands(project: Path) -> list[str]:
    """The commands of the README's code block that follows "Without Docker"."""
    readme = (project / "README.md").read_text()
    found = re.search(r"Without Docker.*?```sh\n(.*?)```", readme, re.DOTALL)
    assert found, "the README has no commands for running without Docker"
    lines = (line.split("#", 1)[0].strip() for line in found[1].splitlines())
    return [line for line in lines if line]


def write_env(project: Path, name: str) -> None:
    """Point the generated `.env` at a fresh database and fresh roles on the test servers."""
    server = urlsplit(ADMIN_URL)
    env = (project / ".env").read_text()
    values = {
        "POSTGRES_DB": name,
        "OWNER_DB_USER": f"{name}_owner",
        "APP_DB_USER": f"{name}_app",
        "REDIS_URL": REDIS_URL,
    }
    for key, value in values.items():
        env = re.sub(rf"(?m)^{key}=.*$", f"{key}={value}", env)
    env = env.replace("@localhost:5432/", f"@{server.hostname}:{server.port or 5432}/")
    (project / ".env").write_text(env)


def drop(name: str) -> None:
    """Drop the databases (the tenants' too) and roles a test created."""
    query = f"SELECT datname FROM pg_database WHERE starts_with(datname, '{name}')"
    databases = subprocess.run(
        ["psql", ADMIN_URL, "-XAtc", query], capture_output=True, text=True, check=False
    ).stdout.split()
    statements = [f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)' for database in databases]
    statements += [f"DROP ROLE IF EXISTS {name}_app", f"DROP ROLE IF EXISTS {name}_owner"]
    arguments = [argument for statement in statements for argument in ("-c", statement)]
    subprocess.run(["psql", ADMIN_URL, "-Xq", *arguments], capture_output=True, check=False)


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    token: str = "",
    headers: dict[str, str] | None = None,
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    with urllib.request.urlopen(call, timeout=10) as response:
        content = response.read()
        return json.loads(content) if content else None


def mailed_token(project: Path, to: str, pattern: str = r"token=([\w-]+)") -> str:
    """The token (`pattern`'s group) in the newest mail to `to` in the development sink,
    var/mail/."""
    for path in sorted((project / "var" / "mail").glob("*.eml"), reverse=True):
        message = BytesParser(policy=default).parsebytes(path.read_bytes())
        body = message.get_body(("plain",))
        if message["To"] == to and body is not None:
            found = re.search(pattern, body.get_content())
            assert found, path.read_text()
            return found[1]
    raise AssertionError(f"no mail to {to} in var/mail/")


def first_administrator(project: Path, port: int, tenancy: str) -> str:
    """An access token of the first administrator, made the way the README says."""
    email = f"first-{secrets.token_hex(3)}@example.com"
    login: dict[str, str] = {"email": email, "password": PASSWORD}
    if tenancy == "none":
        run(["make", "create-admin", f"EMAIL={email}"], project)
        chosen = {"token": mailed_token(project, email), "password": PASSWORD}
        request(port, "POST", "/api/v1/auth/password-reset/confirm", chosen)
    else:
        key = re.search(r"(?m)^OPERATOR_API_KEY=(.*)$", (project / ".env").read_text())
        assert key, "the generated .env has no OPERATOR_API_KEY"
        tenant = {"name": "Acme", "slug": f"acme-{secrets.token_hex(3)}", "admin_email": email}
        request(port, "POST", "/api/v1/tenants", tenant, headers={"X-Operator-Key": key[1]})
        invitation = mailed_token(project, email, r"Invitation token: (\S+)")
        acceptance = {"token": invitation, "password": PASSWORD}
        request(port, "POST", "/api/v1/invitations/accept", acceptance)
    tokens = request(port, "POST", "/api/v1/auth/login", login)
    token: str = tokens["access_token"]
    return token


@contextmanager
def running(command: str, project: Path, port: int) -> Iterator[None]:
    """`command` in the background (its own process group), until /health/ready answers 200."""
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["PORT"] = str(port)
    log = project / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command.split(),
            cwd=project,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"`{command}` exited ({process.returncode}):\n{log.read_text()}")
            try:
                if request(port, "GET", "/health/ready")["status"] == "ok":
                    break
            except (OSError, urllib.error.URLError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`{command}` did not get ready:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("answers", MODES, ids=answer_id)
def test_the_readme_runs_the_service_without_docker(copie: Copie, answers: dict[str, Any]) -> None:
    project = render(copie, answers)
    commands = readme_commands(project)
    assert commands == ["make database", "make run"], commands
    name = f"t{secrets.token_hex(4)}_local"
    write_env(project, name)
    port = free_port()
    try:
        run(commands[0].split(), project)
        run(commands[0].split(), project)  # again: nothing to do, nothing breaks
        with running(commands[1], project, port):
            token = first_administrator(project, port, answers["tenancy"])
            me = request(port, "GET", "/api/v1/auth/me", token=token)
            assert "admin" in me["roles"], me
            created = request(port, "POST", "/api/v1/projects", {"name": "first"}, token)
            listed = request(port, "GET", "/api/v1/projects", token=token)
            assert [item["id"] for item in listed["items"]] == [created["id"]]
    finally:
        drop(name)
