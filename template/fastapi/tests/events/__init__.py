"""Tests of domain events: the outbox, the relay, the brokers and the consumers."""
