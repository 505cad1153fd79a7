"""Policies: the YAML language, its validation, and compiled conditions."""
