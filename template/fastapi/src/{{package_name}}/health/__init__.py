"""Health: liveness and readiness probes."""
