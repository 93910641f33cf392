    # A consumer's processed message ids, recorded in the transaction of its side effect: a
    # redelivered message finds its id and changes nothing. Unique per tenant where rows of many
    # tenants share the table.
    create_resource_table(
        "processed_messages",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
    )
    create_resource_index("processed_messages", ["consumer", "message_id"], unique=True)
    create_resource_index("processed_messages", ["created_at"])  # the purge walks it
    # The example projection: one counter per kind of project event, per tenant.
    create_resource_table(
        "project_activity",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_occurred_at", sa.DateTime(timezone=True), nullable=True),
    )
    create_resource_index("project_activity", ["kind"], unique=True)