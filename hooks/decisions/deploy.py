"""Deployment: Docker Compose on one machine, or Kubernetes manifests for many, once the scale
needs more than one machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("compose", "kubernetes")


def _past_one_machine(context: Context) -> bool:
    return context.scale in ("growth", "large")


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the scale is growth or large",
        _past_one_machine,
        "kubernetes",
        lambda context: (
            f"At {context.scale} scale the service runs as several replicas on several machines, "
            "replaced one at a time and scaled with the load: Kubernetes manifests (a kustomize "
            "base with development and production overlays) do that, with probes, limits and a "
            "network policy."
        ),
    ),
    otherwise(
        "compose",
        (
            "At prototype scale one machine runs the service: Docker Compose starts it with its "
            "database and servers, and a cluster would be more to run than the load needs."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    found = [
        (
            "`compose.yaml` runs the service with PostgreSQL and every server it needs on one "
            "machine, for local development in every case."
        )
    ]
    if value == "compose":
        found.append(
            "Running on several machines later is a new answer (`deploy: kubernetes`) and "
            "`copier update`: the manifests arrive under `deploy/kubernetes/`."
        )
        return found
    worker = answers.get("events", "none") != "none" or answers.get("jobs", "none") != "none"
    found += [
        (
            "`deploy/kubernetes/` holds a kustomize base and two overlays, `development` and "
            "`production`, built by `kubectl` alone (`kubectl apply -k`). "
            "The service is stateless (rate limits, tenant status, idempotency keys and the "
            "cache live in PostgreSQL or Redis), so any replica serves any request."
        ),
        (
            "Each Deployment has startup, liveness (`/health/live`) and readiness "
            "(`/health/ready`) probes, requests and limits sized from the scale answer, and "
            "runs as the image's non-root user (uid 10001) on a read-only root filesystem "
            "with every capability dropped and the default seccomp profile; a preStop pause "
            "lets endpoints drop the pod, and its termination grace period covers that pause, "
            "the service's drain and its in-flight requests. The API runs one uvicorn worker "
            "per pod, so it drains, and scales by replicas."
        ),
        (
            "A HorizontalPodAutoscaler scales the API on CPU, a PodDisruptionBudget keeps "
            "replicas up through node drains, and NetworkPolicies let traffic in only from the "
            "ingress controller's namespace (and Prometheus's, for metrics) and out only to DNS "
            "and the ports of what each component uses."
        ),
        (
            "A migration Job runs the migrations as the owner role before the rollout: it is "
            "applied on its own (`overlays/<name>/migrate`) and awaited with `kubectl wait "
            "--for=condition=complete` before the Deployments are applied, since kustomize "
            "orders by kind, not by completion. Settings are a ConfigMap; secrets are referenced "
            "by name and key and never kept in the repository (`deploy/kubernetes/README.md` "
            "says how to create them)."
        ),
    ]
    if worker:
        found.append(
            "The worker (relay, consumers, jobs) is a Deployment of its own, probed on its "
            "own port, so it scales and rolls apart from the API."
        )
    if answers.get("pooler") == "pgbouncer":
        found.append(
            "PgBouncer runs as a Deployment and Service of its own, in transaction mode, its "
            "configuration a ConfigMap and its user list a Secret."
        )
    if answers.get("metrics") == "prometheus":
        found.append("A ServiceMonitor lets the Prometheus Operator scrape `/metrics`.")
    return found


RECORD = Record(
    "Deployment",
    ("scale",),
    (
        Option(
            "compose",
            "Docker Compose on one machine",
            ("One file, one command, nothing else to run.", "The same file serves development."),
            (
                (
                    "One machine: no rolling replacement across machines, no autoscaling, and the "
                    "machine is a single point of failure."
                ),
            ),
        ),
        Option(
            "kubernetes",
            "Kubernetes manifests, a kustomize base and overlays",
            (
                "Replicas spread over machines, rolled one at a time behind readiness probes.",
                (
                    "Autoscaling, disruption budgets and network policies are declared beside the "
                    "service, reviewed like code."
                ),
            ),
            (
                "A cluster to run or rent, and its concepts to learn.",
                "The manifests are the team's to keep in step with the service.",
            ),
        ),
        Option(
            "helm",
            "A Helm chart (not offered)",
            ("Parameterised releases, a registry of charts.",),
            (
                (
                    "Templates over YAML hide what is applied; kustomize overlays patch plain "
                    "manifests that `kubectl` builds without another tool."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("deploy", VALUES, RULES, RECORD)
