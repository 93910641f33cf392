"""Test support: real servers, a database per run, API helpers."""
