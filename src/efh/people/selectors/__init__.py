"""Reads about persons, always scoped by ``people.policy``: search (``search``) and a person's
record and chronology (``record``)."""
