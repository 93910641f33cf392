"""Background jobs: enqueued with the transaction, run under their tenant, retried, stopped
gracefully."""
