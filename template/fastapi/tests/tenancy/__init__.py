"""Tests of tenant isolation."""
