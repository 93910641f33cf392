"""The service behind PgBouncer in transaction mode."""
