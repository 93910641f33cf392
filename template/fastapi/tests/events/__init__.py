"""Tests of domain events: the broker, the outbox and its relay, the consumers."""
