    # The relay's queue: unpublished events in commit order (`seq`), each aggregate's in order.
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
{%- if multi_tenant and tenancy != 'database' %}
        # A deleted tenant's events go with it.
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=True,
        ),
{%- else %}
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
{%- endif %}
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("aggregate", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column(
            "headers", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_outbox_events_seq",
        "outbox_events",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_index("ix_outbox_events_aggregate_seq", "outbox_events", ["aggregate", "seq"])
    op.create_index(
        "ix_outbox_events_published_at",
        "outbox_events",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
{%- if multi_tenant and tenancy != 'database' %}
    op.create_index("ix_outbox_events_tenant_id", "outbox_events", ["tenant_id"])
{%- endif %}
    # One notification per inserting statement wakes the relays LISTENing on the channel.
    op.execute(
        "CREATE OR REPLACE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()"
    )
