"""Domain events: the outbox written with each change, and the relay that publishes it."""
