"""Reads about concerns, scoped by ``people.policy``: ``concern`` and ``missing``."""
