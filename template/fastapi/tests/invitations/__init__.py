"""Tests of invitations and members."""
