"""Observability: structured logs and the request context they carry."""
