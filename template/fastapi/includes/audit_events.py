    # Append-only for the service's role: isolated like every resource table, then its UPDATE
    # and DELETE taken back (it never had TRUNCATE), so it adds and reads events, nothing more.
    create_resource_table(
        "audit_events",
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("resource_type", sa.String(100), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("changes", postgresql.JSONB(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
    )
    create_resource_index("audit_events", ["id"])
    create_resource_index("audit_events", ["resource_type", "resource_id"])
    create_resource_index("audit_events", ["actor_id"])
    ddl.revoke("audit_events", "UPDATE, DELETE")