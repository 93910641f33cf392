"""Alembic scripts of the tables every tenant has in its own storage (a schema or a database)."""
