"""Groundwork's decision model: recommendations, refusals and decision records.

Plain Python, importable without Copier, so the questionnaire, the render test matrix and
the unit tests all read the same rules.
"""
