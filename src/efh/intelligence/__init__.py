"""Pure analytics core: takes and returns frames; imports nothing from Django.

``linkage``: identity linkage (Splink on DuckDB or Spark). The other intelligence jobs (network,
hotspots, trends, disproportionality, indicators) land here in later issues. Engines are adapters
behind each package's small public API.
"""
