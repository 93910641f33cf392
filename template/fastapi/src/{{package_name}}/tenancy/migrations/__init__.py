"""Alembic scripts of the tables each tenant has in its own {{ tenancy }}."""
