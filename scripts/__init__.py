"""Maintenance scripts for the Groundwork repository (run with `uv run python -m scripts.NAME`)."""
