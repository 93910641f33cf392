"""A rendered `auth: oidc` service accepts the access tokens of a certified OpenID Connect
provider and refuses a tampered one.

The provider is panva/node-oidc-provider (OpenID Certified), pinned by tests/oidc_provider/'s
package.json and package-lock.json, installed with `npm ci` into a cache folder and started on a
free port. The test asks it for an access token as a client would (client_credentials with a
resource indicator, so it issues a JWT for the service's audience), then runs a test inside the
rendered service that presents it: discovery, the key set, the signature, issuer, audience and
role claim are the real provider's, not the generated suite's own test provider.
"""

import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_copie.plugin import Copie

from tests.conftest import REPO, render, run

PROVIDER = REPO / "tests" / "oidc_provider"
FILES = ("package.json", "package-lock.json", "server.mjs")
AUDIENCE = "https://api.example.com"
CLIENT_ID = "groundwork-tests"
INSTALL = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]

SERVICE_TEST = '''"""The certified provider's token, presented to this service (tests/test_oidc_provider.py)."""

import base64
import json
import os

from {package}.settings import Settings

from .support.apps import started

ISSUER = os.environ["CERTIFIED_OIDC_ISSUER"]
TOKEN = os.environ["CERTIFIED_OIDC_TOKEN"]


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{{header}}.{{forged}}.{{signature}}"


async def test_the_certified_providers_token_works_and_a_tampered_one_does_not(
    settings: Settings,
) -> None:
    async with started(settings, oidc_issuer=ISSUER, oidc_audience="{audience}") as client:
        headers = {{"Authorization": f"Bearer {{TOKEN}}"}}
        created = await client.post("/api/v1/projects", json={{"name": "certified"}}, headers=headers)
        listed = await client.get("/api/v1/projects", headers=headers)
        tampered = {{"Authorization": f"Bearer {{_tampered(TOKEN)}}"}}
        refused = await client.get("/api/v1/projects", headers=tampered)

    assert created.status_code == 201, created.text
    assert [project["name"] for project in listed.json()["items"]] == ["certified"]
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "invalid_token"
'''


def _installed() -> Path:
    """The provider installed with `npm ci` in a cache folder named after its pinned files."""
    digest = hashlib.sha256(b"".join((PROVIDER / name).read_bytes() for name in FILES))
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "groundwork" / f"oidc-provider-{digest.hexdigest()[:16]}"
    if (folder / "node_modules" / "oidc-provider").is_dir():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"npm is not installed: install Node.js 20.19+ to run `{' '.join(INSTALL)}`")
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(PROVIDER / name, folder / name)
    done = subprocess.run(
        [npm, *INSTALL[1:]], cwd=folder, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        shutil.rmtree(folder / "node_modules", ignore_errors=True)
        pytest.fail(
            f"`{' '.join(INSTALL)}` failed in {folder} ({done.returncode}); the registry must be "
            f"reachable:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}",
            pytrace=False,
        )
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[str, str]]:
    """The running provider's issuer, and the secret of its client."""
    folder = _installed()
    port, secret = _free_port(), secrets.token_urlsafe(24)
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        ["node", "server.mjs", str(port), AUDIENCE, secret],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration") as answer:
                    assert json.load(answer)["issuer"] == issuer
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(f"oidc-provider did not start:\n{output}", pytrace=False)
                time.sleep(0.2)
        yield issuer, secret
    finally:
        process.terminate()
        process.wait(timeout=10)


def _access_token(issuer: str, secret: str) -> str:
    """An access token as a client gets one: client_credentials for the service's audience."""
    form = {"grant_type": "client_credentials", "scope": "api", "resource": AUDIENCE}
    request = urllib.request.Request(
        f"{issuer}/token",
        data=urllib.parse.urlencode(form).encode(),
        headers={
            "Authorization": "Basic " + base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request) as answer:
        token: str = json.load(answer)["access_token"]
    return token


def test_a_rendered_service_accepts_a_certified_providers_token(
    copie: Copie, provider: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer, secret = provider
    token = _access_token(issuer, secret)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["typ"] == "at+jwt"  # RFC 9068, not opaque

    project = render(copie, {"auth": "oidc", "tenancy_need": "single", "cache": "none"})
    run(["uv", "sync", "--locked", "--quiet"], project)
    (project / "tests" / "test_certified_provider.py").write_text(
        SERVICE_TEST.format(package="example_service", audience=AUDIENCE)
    )
    monkeypatch.setenv("CERTIFIED_OIDC_ISSUER", issuer)
    monkeypatch.setenv("CERTIFIED_OIDC_TOKEN", token)

    output = run(
        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_certified_provider.py"],
        project,
    )

    assert "1 passed" in output, output
