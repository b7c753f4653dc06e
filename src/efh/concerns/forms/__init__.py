"""Forms: ``concern`` and ``missing``."""
