"""Tenancy: shared tables, rows kept apart by PostgreSQL row-level security."""
