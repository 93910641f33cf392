    # The example domain's tables, isolated by the tenancy mode (`create_resource_table`).
    create_resource_table(
        "projects",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=True),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        user_column("created_by", ondelete="RESTRICT"),
        user_column("updated_by", ondelete="RESTRICT"),
        *deletion.columns(),
        sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("status IN ('active', 'archived')", name="status_known"),
    )
    live = Deletable.LIVE  # with soft delete, deleted rows neither block a name nor slow a page
    create_resource_index("projects", ["name"], unique=True, postgresql_where=live)
    create_resource_index("projects", ["id"], postgresql_where=live)
    op.create_index(None, "projects", ["created_by"])
    op.create_index(None, "projects", ["updated_by"])
    create_resource_table(
        "idempotency_keys",
        user_column("user_id", ondelete="CASCADE"),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", postgresql.JSONB(), nullable=True),
    )
    create_resource_index("idempotency_keys", ["user_id", "key"], unique=True)
    op.create_index(None, "idempotency_keys", ["user_id"])