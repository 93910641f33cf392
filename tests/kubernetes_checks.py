"""Static checks of a generated service's Kubernetes manifests (`deploy: kubernetes`), offline.

Each overlay and its migration Job are built with `kubectl kustomize` and validated against the
Kubernetes schemas that `kubernetes-validate` ships. Then: every container runs as the
Dockerfile's user with the hardened security context, the probes reach the service's health
paths and ports, the grace period covers the drain, every setting the service requires reaches
each Deployment, the Job and the CronJob (from the ConfigMap or a Secret reference, never a
value), and the network policies let each component reach what it uses and nothing of what it
does not. With partitioning, the CronJob runs the partitions command daily with the migration
Job's image, environment, pod security and network policy.

`kubernetes_problems(project_dir, answers, settings, migrate_command)` yields each problem found;
`static_checks.check_container_files` calls it on every render.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import yaml

MANIFESTS = Path("deploy/kubernetes")
OVERLAYS = ("development", "production")
# The oldest Kubernetes the manifests are checked against (autoscaling/v2, policy/v1 and the
# `kubernetes.io/metadata.name` namespace label are all older).
KUBERNETES_VERSION = "1.30"
# Custom resources: their schemas come with their operator, not with Kubernetes, so
# kubernetes-validate has none; they are checked by the assertions below only.
CUSTOM_RESOURCES = {("monitoring.coreos.com/v1", "ServiceMonitor")}
KUBECTL_MISSING = (
    "kubectl not found: the Kubernetes checks build the manifests with `kubectl kustomize`. "
    "Install it (https://kubernetes.io/docs/tasks/tools/, e.g. `apt-get install kubectl` from "
    "the Kubernetes apt repository, or `brew install kubectl`)."
)
# Settings a validator requires outside development, though their field has a default (the
# field must exist: a rename breaks this check rather than passing it).
_REQUIRED_IN_PRODUCTION: tuple[tuple[str, str], ...] = (
    ("mail_url", "mail.Settings: mail is sent, never written to files, outside development"),
    ("oidc_issuer", "auth.oidc.Settings: whom to trust"),
    ("oidc_audience", "auth.oidc.Settings: which tokens are this service's"),
    ("rate_limit_key_secret", "ratelimit.Settings: no JWT_SECRET to derive the key from"),
    ("operator_api_key", "tenants.Settings: the operator API's key"),
    # Its default, DATABASE_URL, is PgBouncer's: LISTEN and session locks need PostgreSQL.
    ("database_direct_url", "db.Settings: a session of its own, past PgBouncer"),
)
_SECRETS = {
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "DATABASE_DIRECT_URL",
    "DATABASE_REPLICA_URL",
    "JWT_SECRET",
    "RATE_LIMIT_KEY_SECRET",
    "OPERATOR_API_KEY",
    "REDIS_URL",
    "BROKER_URL",
    "MAIL_URL",
}
_BROKER_PORTS = {"rabbitmq": 5672, "nats": 4222}
# The kinds whose pods run the service's image (PgBouncer's Deployment aside).
_WORKLOADS = ("Deployment", "Job", "CronJob")
_USER = re.compile(r"^USER\s+(?P<uid>\d+)(?::(?P<gid>\d+))?\s*$", re.MULTILINE)

Manifest = dict[str, Any]


def kubernetes_problems(
    project_dir: Path,
    answers: Mapping[str, Any],
    settings: Mapping[str, str | None] | None,
    migrate_command: list[str],
) -> Iterator[str]:
    """Every problem of the project's Kubernetes manifests (none asked: none may be there)."""
    root = project_dir / MANIFESTS
    if answers.get("deploy") != "kubernetes":
        if root.exists():
            yield f"{MANIFESTS} exists, but deploy={answers.get('deploy')!r}"
        return
    if not root.is_dir():
        yield f"{MANIFESTS} is missing (deploy='kubernetes')"
        return
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        yield KUBECTL_MISSING
        return
    uid = _dockerfile_uid(project_dir)
    if uid is None:
        yield "Dockerfile has no numeric `USER uid:gid`, which runAsNonRoot needs to verify"
    fields = dict(settings or {})
    for overlay in OVERLAYS:
        where = f"{MANIFESTS}/overlays/{overlay}"
        service, problem = _build(kubectl, root / "overlays" / overlay)
        if problem:
            yield f"{where}: {problem}"
            continue
        migration, problem = _build(kubectl, root / "overlays" / overlay / "migrate")
        if problem:
            yield f"{where}/migrate: {problem}"
            continue
        for manifest in service + migration:
            yield from (f"{where}: {p}" for p in _schema_problems(manifest))
        yield from (f"{where}: {p}" for p in _secret_problems(service + migration))
        yield from (
            f"{where}: {p}" for p in _service_problems(service, answers, fields, uid, overlay)
        )
        yield from (
            f"{where}/migrate: {p}"
            for p in _migration_problems(migration, answers, fields, uid, migrate_command)
        )
        yield from (f"{where}: {p}" for p in _image_problems(service, migration))
        yield from (
            f"{where}: {p}" for p in _partitions_problems(service, migration, answers, fields, uid)
        )


def required_settings(
    settings: Mapping[str, str | None], answers: Mapping[str, Any]
) -> dict[str, str]:
    """The environment variables the service refuses to start without in production, each with
    why: fields without a default, and those a validator requires outside development."""
    required = {
        name.upper(): "a field without a default"
        for name, default in settings.items()
        if default is None
    }
    for name, why in _REQUIRED_IN_PRODUCTION:
        if name in settings and _applies(name, answers):
            required[name.upper()] = why
    return required


def _applies(name: str, answers: Mapping[str, Any]) -> bool:
    if name == "rate_limit_key_secret":
        return bool(answers.get("auth") == "oidc")
    if name == "database_direct_url":
        return bool(answers.get("pooler") == "pgbouncer")
    if name == "operator_api_key":
        return bool(answers.get("tenancy", "none") != "none")
    return True


def _build(kubectl: str, directory: Path) -> tuple[list[Manifest], str | None]:
    completed = subprocess.run(  # fixed arguments, no shell
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return [], f"`kubectl kustomize` fails:\n{completed.stderr.strip()}"
    return [doc for doc in yaml.safe_load_all(completed.stdout) if doc], None


def _schema_problems(manifest: Manifest) -> Iterator[str]:
    kind = (manifest.get("apiVersion"), manifest.get("kind"))
    if kind in CUSTOM_RESOURCES:
        return
    name = f"{manifest.get('kind')} {manifest.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        yield f"{name} does not validate against Kubernetes {KUBERNETES_VERSION}: {error.message}"
    except kubernetes_validate.SchemaNotFoundError:
        yield f"{name}: no Kubernetes {KUBERNETES_VERSION} schema for {kind} (not a built-in kind?)"


def _secret_problems(manifests: list[Manifest]) -> Iterator[str]:
    for manifest in manifests:
        if manifest.get("kind") == "Secret":
            yield f"Secret {manifest['metadata']['name']} is in the repository; reference it by name"
        if manifest.get("kind") == "ConfigMap" and manifest["metadata"]["name"].endswith(
            "-settings"
        ):
            for key in sorted(set(manifest.get("data", {})) & _SECRETS):
                yield f"ConfigMap {manifest['metadata']['name']} holds the secret {key}"


def _find(manifests: list[Manifest], kind: str, name: str) -> Manifest | None:
    for manifest in manifests:
        if manifest.get("kind") == kind and manifest["metadata"]["name"] == name:
            return manifest
    return None


def _service_problems(
    manifests: list[Manifest],
    answers: Mapping[str, Any],
    settings: Mapping[str, str | None],
    uid: int | None,
    overlay: str,
) -> Iterator[str]:
    slug = str(answers["project_slug"])
    worker = answers.get("events", "none") != "none" or answers.get("jobs", "none") != "none"
    expected = {
        ("ConfigMap", f"{slug}-settings"),
        ("Deployment", f"{slug}-api"),
        ("Service", slug),
        ("HorizontalPodAutoscaler", f"{slug}-api"),
        ("PodDisruptionBudget", f"{slug}-api"),
        ("NetworkPolicy", f"{slug}-api"),
        ("NetworkPolicy", f"{slug}-migrate"),
    }
    if worker:
        expected |= {(kind, f"{slug}-worker") for kind in ("Deployment", "NetworkPolicy")}
    if answers.get("pooler") == "pgbouncer":
        expected |= {
            (kind, f"{slug}-pgbouncer")
            for kind in ("Deployment", "Service", "ConfigMap", "NetworkPolicy")
        }
    if answers.get("metrics") == "prometheus":
        expected.add(("ServiceMonitor", slug))
    if _partitioned(answers):
        expected.add(("CronJob", f"{slug}-partitions"))
    found = {(m.get("kind"), m["metadata"]["name"]) for m in manifests}
    for kind, name in sorted(expected - found):
        yield f"no {kind} {name}"
    unneeded = {
        "-worker": worker,
        "-pgbouncer": answers.get("pooler") == "pgbouncer",
        "-partitions": _partitioned(answers),
    }
    for found_kind, found_name in sorted(found - expected, key=str):
        if any(found_name.endswith(suffix) and not wanted for suffix, wanted in unneeded.items()):
            yield f"{found_kind} {found_name}, which these answers do not need"
        if found_kind == "ServiceMonitor" and answers.get("metrics") != "prometheus":
            yield f"ServiceMonitor {found_name}, but metrics={answers.get('metrics')!r}"

    config = _find(manifests, "ConfigMap", f"{slug}-settings") or {}
    known = {name.upper() for name in settings}
    for key in sorted(set(config.get("data", {})) - known):
        yield f"ConfigMap {slug}-settings sets {key}, which is no setting of the service"
    required = required_settings(settings, answers)
    port = int(settings.get("port") or 8000)
    api = _find(manifests, "Deployment", f"{slug}-api")
    if api is not None:
        yield from _container_problems(api, manifests, required, uid, port)
        yield from _drain_problems(api, manifests, settings)
    worker_deployment = _find(manifests, "Deployment", f"{slug}-worker")
    if worker_deployment is not None:
        worker_port = int(settings.get("worker_port") or 8001)
        yield from _container_problems(worker_deployment, manifests, required, uid, worker_port)
    pgbouncer = _find(manifests, "Deployment", f"{slug}-pgbouncer")
    if pgbouncer is not None:
        yield from _security_problems(pgbouncer, None)
        config = _find(manifests, "ConfigMap", f"{slug}-pgbouncer") or {}
        if "pool_mode = transaction" not in config.get("data", {}).get("pgbouncer.ini", ""):
            yield "PgBouncer's pgbouncer.ini does not set pool_mode = transaction"
    yield from _autoscaling_problems(manifests, slug, overlay)
    yield from _network_problems(manifests, answers)


def _partitioned(answers: Mapping[str, Any]) -> bool:
    return answers.get("partitioning") is True


def _pod(workload: Manifest) -> Manifest:
    """The pod spec of a Deployment or Job, or of a CronJob's Jobs."""
    spec = workload["spec"]
    if workload.get("kind") == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def _pod_labels(workload: Manifest) -> dict[str, str]:
    spec = workload["spec"]
    if workload.get("kind") == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"].get("metadata", {}).get("labels", {}))


def _containers(workload: Manifest) -> list[Manifest]:
    return list(_pod(workload)["containers"])


def _container_problems(
    workload: Manifest,
    manifests: list[Manifest],
    required: Mapping[str, str],
    uid: int | None,
    port: int | None,
) -> Iterator[str]:
    name = f"{workload['kind']} {workload['metadata']['name']}"
    yield from _security_problems(workload, uid)
    for container in _containers(workload):
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        if "/tmp" not in mounts:  # the container's own /tmp, an emptyDir
            yield f"{name}: no writable /tmp on its read-only root filesystem"
        given = _environment(container, manifests)
        for setting, why in sorted(required.items()):
            if setting not in given:
                yield f"{name} does not get {setting}, which the service requires ({why})"
        if port is None:
            continue
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        probes = {
            probe: container.get(f"{probe}Probe", {}).get("httpGet")
            for probe in ("startup", "liveness", "readiness")
        }
        paths = {
            "startup": "/health/live",
            "liveness": "/health/live",
            "readiness": "/health/ready",
        }
        for probe, http in probes.items():
            if http is None:
                yield f"{name}: no HTTP {probe} probe"
                continue
            if http.get("path") != paths[probe]:
                yield f"{name}: the {probe} probe asks {http.get('path')}, not {paths[probe]}"
            target = ports.get(http["port"], http["port"])
            if target != port:
                yield f"{name}: the {probe} probe reaches port {target}, the service's is {port}"


def _security_problems(workload: Manifest, uid: int | None) -> Iterator[str]:
    name = f"{workload['kind']} {workload['metadata']['name']}"
    for container in _containers(workload):
        context = container.get("securityContext", {})
        wanted = {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
        }
        for key, value in wanted.items():
            if context.get(key) is not value:
                yield f"{name}: container {container['name']} does not set {key}: {value}"
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            yield f"{name}: container {container['name']} does not drop ALL capabilities"
        if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            yield f"{name}: container {container['name']} has no RuntimeDefault seccomp profile"
        if uid is not None and context.get("runAsUser") != uid:
            yield (
                f"{name}: container {container['name']} runs as {context.get('runAsUser')}, "
                f"not the Dockerfile's user {uid}"
            )


def _environment(container: Manifest, manifests: list[Manifest]) -> set[str]:
    """The variables a container gets: its ConfigMaps' keys and its env entries."""
    names: set[str] = set()
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config = _find(manifests, "ConfigMap", source["configMapRef"]["name"])
            names |= set((config or {}).get("data", {}))
    for variable in container.get("env", []):
        reference = variable.get("valueFrom", {}).get("secretKeyRef")
        if reference is not None and reference.get("key") != variable["name"]:
            continue  # the Secret's keys are the variables' names (README)
        names.add(variable["name"])
    return names


def _drain_problems(
    api: Manifest, manifests: list[Manifest], settings: Mapping[str, str | None]
) -> Iterator[str]:
    """The grace period covers the preStop pause, the drain and the in-flight requests."""
    config = _find(
        manifests, "ConfigMap", f"{api['metadata']['name'].removesuffix('-api')}-settings"
    )
    data = (config or {}).get("data", {})

    def seconds(name: str) -> float:
        return float(data.get(name.upper(), settings.get(name) or 0))

    pause = 0.0
    for container in _containers(api):
        command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
        if command and command[0] == "sleep":
            pause = float(command[1])
    if pause == 0:
        yield "Deployment of the API has no preStop pause for endpoints to drop the pod"
    needed = pause + seconds("shutdown_drain_seconds") + seconds("shutdown_grace_seconds")
    grace = _pod(api).get("terminationGracePeriodSeconds", 30)
    if grace <= needed:
        yield (
            f"the API's terminationGracePeriodSeconds ({grace}) is not above preStop + "
            f"SHUTDOWN_DRAIN_SECONDS + SHUTDOWN_GRACE_SECONDS ({needed:g})"
        )
    if data.get("WEB_CONCURRENCY") != "1":
        yield "WEB_CONCURRENCY is not 1: serve.py drains only with one uvicorn worker per pod"


def _autoscaling_problems(manifests: list[Manifest], slug: str, overlay: str) -> Iterator[str]:
    hpa = _find(manifests, "HorizontalPodAutoscaler", f"{slug}-api") or {"spec": {}}
    spec = hpa["spec"]
    resources = [m.get("resource", {}).get("name") for m in spec.get("metrics", [])]
    if hpa.get("apiVersion") != "autoscaling/v2" or resources != ["cpu"]:
        yield "the API's HorizontalPodAutoscaler is not autoscaling/v2 on CPU"
    pdb = _find(manifests, "PodDisruptionBudget", f"{slug}-api") or {"spec": {}}
    api = _find(manifests, "Deployment", f"{slug}-api") or {"spec": {}}
    if overlay == "development":
        if api["spec"].get("replicas") != 1:
            yield "the development overlay runs more than one replica of the API"
    else:
        minimum = spec.get("minReplicas", 1)
        available = pdb["spec"].get("minAvailable")
        if not isinstance(available, int) or not 0 < available < minimum:
            yield (
                f"the production PodDisruptionBudget's minAvailable ({available}) is not between "
                f"0 and the autoscaler's minimum ({minimum}): drains would stop or take them all"
            )


def _network_problems(manifests: list[Manifest], answers: Mapping[str, Any]) -> Iterator[str]:
    slug = str(answers["project_slug"])
    pooled = answers.get("pooler") == "pgbouncer"
    tenant_storage = answers.get("tenancy") in ("schema", "database")
    events = str(answers.get("events", "none"))
    policies = {
        m["metadata"]["name"].removeprefix(f"{slug}-"): m
        for m in manifests
        if m.get("kind") == "NetworkPolicy"
    }
    for component, policy in policies.items():
        if set(policy["spec"].get("policyTypes", [])) != {"Ingress", "Egress"}:
            yield f"NetworkPolicy {slug}-{component} does not restrict both ingress and egress"
        if 53 not in _egress_ports(policy):
            yield f"NetworkPolicy {slug}-{component} does not allow DNS"
    api = policies.get("api")
    if api is not None:
        sources = [
            peer.get("namespaceSelector", {}).get("matchLabels", {})
            for rule in api["spec"].get("ingress", [])
            for peer in rule.get("from", [])
        ]
        wanted = {"kubernetes.io/metadata.name": "ingress-nginx"}
        if wanted not in sources:
            yield "NetworkPolicy of the API lets nothing in from the ingress controller"
        if any(not rule.get("from") for rule in api["spec"].get("ingress", [])):
            yield "NetworkPolicy of the API lets traffic in from anywhere"
        ports = _egress_ports(api)
        uses = {
            5432: not pooled or tenant_storage or bool(answers.get("read_replicas")),
            6432: pooled,
            6379: answers.get("cache") == "redis",
            4318: answers.get("tracing") == "otlp",
            443: answers.get("auth") == "oidc",
            **{port: False for port in _BROKER_PORTS.values()},  # the worker's relay publishes
        }
        yield from _port_problems("the API", ports, uses)
    worker = policies.get("worker")
    if worker is not None:
        uses = {
            5432: True,  # LISTEN and session locks go straight to PostgreSQL
            6432: pooled,
            6379: answers.get("cache") == "redis",
            4318: answers.get("tracing") == "otlp",
            **{port: name == events for name, port in _BROKER_PORTS.items()},
        }
        yield from _port_problems("the worker", _egress_ports(worker), uses)
    migrate = policies.get("migrate")
    if migrate is not None and _egress_ports(migrate) != {53, 5432}:
        yield f"NetworkPolicy of the migration reaches {sorted(_egress_ports(migrate))}, not DNS and PostgreSQL only"


def _port_problems(who: str, ports: set[int], uses: Mapping[int, bool]) -> Iterator[str]:
    for port, used in sorted(uses.items()):
        if used and port not in ports:
            yield f"NetworkPolicy of {who} does not let it reach port {port}, which it uses"
        elif not used and port in ports:
            yield f"NetworkPolicy of {who} lets it reach port {port}, which it does not use"


def _egress_ports(policy: Manifest) -> set[int]:
    return {
        int(port["port"])
        for rule in policy["spec"].get("egress", [])
        for port in rule.get("ports", [])
    }


def _migration_problems(
    manifests: list[Manifest],
    answers: Mapping[str, Any],
    settings: Mapping[str, str | None],
    uid: int | None,
    migrate_command: list[str],
) -> Iterator[str]:
    jobs = [m for m in manifests if m.get("kind") == "Job"]
    if len(jobs) != 1:
        yield f"builds {len(jobs)} Jobs, expected the one migration Job"
        return
    job = jobs[0]
    required = {**required_settings(settings, answers)}
    required["MIGRATION_DATABASE_URL"] = "migrations run as the owner"
    yield from _container_problems(job, manifests, required, uid, None)
    for container in _containers(job):
        if container.get("command") != migrate_command:
            yield f"the Job runs {container.get('command')}, expected {migrate_command}"
    if _pod(job).get("restartPolicy") != "Never":
        yield "the Job restarts its pod in place; backoffLimit should retry it"


def _partitions_problems(
    service: list[Manifest],
    migration: list[Manifest],
    answers: Mapping[str, Any],
    settings: Mapping[str, str | None],
    uid: int | None,
) -> Iterator[str]:
    """The CronJob of the audit table's partitions: the migration Job's environment, security
    and network policy, the partitions command, daily, one run at a time."""
    slug = str(answers["project_slug"])
    cronjob = _find(service, "CronJob", f"{slug}-partitions")
    if cronjob is None:
        return  # _service_problems says whether it should be there
    name = f"CronJob {slug}-partitions"
    required = {**required_settings(settings, answers)}
    required["MIGRATION_DATABASE_URL"] = "the partitions are DDL, run as the owner"
    yield from _container_problems(cronjob, service, required, uid, None)
    command = ["python", "-m", f"{answers['package_name']}.partitions"]
    for container in _containers(cronjob):
        if container.get("command") != command:
            yield f"{name} runs {container.get('command')}, expected {command}"
    spec = cronjob["spec"]
    fields = spec["schedule"].split()
    if len(fields) != 5 or not all(f.isdigit() for f in fields[:2]) or fields[2:] != ["*"] * 3:
        yield f"{name}'s schedule {spec['schedule']!r} is not once a day"
    if spec.get("concurrencyPolicy") != "Forbid":
        yield f"{name} lets runs overlap (concurrencyPolicy is not Forbid)"
    if not spec.get("startingDeadlineSeconds"):
        yield f"{name} has no startingDeadlineSeconds: a long outage's missed runs pile up"
    if spec["jobTemplate"]["spec"].get("backoffLimit") is None:
        yield f"{name} sets no backoffLimit for its failed runs"
    if _pod(cronjob).get("restartPolicy") != "Never":
        yield f"{name} restarts its pod in place; backoffLimit should retry it"
    job = next((m for m in migration if m.get("kind") == "Job"), None)
    if job is not None:
        if _pod(cronjob).get("securityContext") != _pod(job).get("securityContext"):
            yield f"{name}'s pod securityContext differs from the migration Job's"
        for field in ("envFrom", "env"):
            given = [c.get(field) for c in _containers(cronjob)]
            wanted = [c.get(field) for c in _containers(job)]
            if given != wanted:
                yield f"{name}'s {field} is {given}, the migration Job's {wanted}"
    # Its pods must be the migration's network policy's: DNS and PostgreSQL only.
    labels = _pod_labels(cronjob)
    policy = _find(service, "NetworkPolicy", f"{slug}-migrate") or {"spec": {}}
    selector = policy["spec"].get("podSelector", {}).get("matchLabels", {"": ""})
    if any(labels.get(key) != value for key, value in selector.items()):
        yield f"{name}'s pods ({labels}) are not selected by NetworkPolicy {slug}-migrate"


def _image_problems(service: list[Manifest], migration: list[Manifest]) -> Iterator[str]:
    def images(manifests: list[Manifest]) -> set[str]:
        return {
            container["image"]
            for m in manifests
            if m.get("kind") in _WORKLOADS and not m["metadata"]["name"].endswith("-pgbouncer")
            for container in _containers(m)
        }

    if images(service) != images(migration):
        yield (
            f"the Job runs the image {sorted(images(migration))}, the Deployments (and "
            f"CronJob) {sorted(images(service))}: set both in the overlay and its migrate/"
        )


def _dockerfile_uid(project_dir: Path) -> int | None:
    dockerfile = project_dir / "Dockerfile"
    if not dockerfile.is_file():
        return None
    users = list(_USER.finditer(dockerfile.read_text()))
    return int(users[-1]["uid"]) if users else None


# Stand-ins for the Secret's values: shaped like the real ones, so the settings' validators run.
_SECRET_STAND_INS = {
    "DATABASE_URL": "postgresql+asyncpg://app:password@pgbouncer:6432/service",
    "MIGRATION_DATABASE_URL": "postgresql+asyncpg://owner:password@postgres:5432/service",
    "DATABASE_DIRECT_URL": "postgresql+asyncpg://app:password@postgres:5432/service",
    "DATABASE_REPLICA_URL": "postgresql+asyncpg://app:password@replica:5432/service",
    "REDIS_URL": "redis://:password@redis:6379/0",
    "MAIL_URL": "smtp://user:password@mail.example.com:587",
}
_BROKER_STAND_INS = {"rabbitmq": "amqp://user:password@rabbitmq:5672/", "nats": "nats://nats:4222"}


def settings_accept_manifests(project_dir: Path, answers: Mapping[str, Any]) -> list[str]:
    """Start the service's own settings, in its installed environment, with exactly what each
    production container gets (the ConfigMap, and a stand-in for each Secret key): every
    validator runs, so a setting the service requires and no manifest gives is found whatever
    declares it. Needs the project's `.venv` (`uv sync`)."""
    if answers.get("deploy") != "kubernetes":
        return []
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return [KUBECTL_MISSING]
    python = project_dir / ".venv" / "bin" / "python"
    problems = []
    overlay = project_dir / MANIFESTS / "overlays" / "production"
    for directory in (overlay, overlay / "migrate"):
        manifests, problem = _build(kubectl, directory)
        if problem:
            problems.append(f"{directory}: {problem}")
            continue
        for workload in manifests:
            if workload.get("kind") not in _WORKLOADS:
                continue
            if workload["metadata"]["name"].endswith("-pgbouncer"):
                continue
            for container in _containers(workload):
                environment = _stand_in_environment(container, manifests, answers)
                # An empty working directory: no .env is read, only this environment.
                with tempfile.TemporaryDirectory() as empty:
                    completed = subprocess.run(  # fixed arguments, no shell
                        [str(python), "-c", _START_SETTINGS.format(answers["package_name"])],
                        cwd=empty,
                        env={"PATH": os.environ.get("PATH", ""), **environment},
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                if completed.returncode != 0:
                    problems.append(
                        f"{workload['kind']} {workload['metadata']['name']} in production: the "
                        f"service's settings refuse its environment:\n{completed.stderr.strip()}"
                    )
    return problems


_START_SETTINGS = "from {0}.settings import Settings\nSettings()"


def _stand_in_environment(
    container: Manifest, manifests: list[Manifest], answers: Mapping[str, Any]
) -> dict[str, str]:
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config = _find(manifests, "ConfigMap", source["configMapRef"]["name"]) or {}
            environment.update({k: str(v) for k, v in config.get("data", {}).items()})
    for variable in container.get("env", []):
        name = variable["name"]
        if "value" in variable:
            environment[name] = str(variable["value"])
        elif "secretKeyRef" in variable.get("valueFrom", {}):
            if name == "BROKER_URL":
                environment[name] = _BROKER_STAND_INS[str(answers.get("events"))]
            else:
                environment[name] = _SECRET_STAND_INS.get(name) or secrets.token_urlsafe(48)
    return environment
