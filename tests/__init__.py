"""Tests of the Groundwork template: the decision model, renders, refusals and generated services."""
