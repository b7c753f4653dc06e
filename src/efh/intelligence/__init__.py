"""Pure analytics core: takes and returns frames; imports nothing from Django.

The intelligence jobs (network, hotspots, trends, disproportionality, indicators) land here in
later issues. Engines are adapters behind this package's small public API.
"""
