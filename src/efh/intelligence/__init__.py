"""Pure analytics core: takes and returns frames; imports nothing from Django.

- ``linkage``: identity linkage (Splink on DuckDB or Spark).
- ``frames``: the ``Snapshot`` the intelligence jobs read (one frame per kind of fact, keyed by
  linked person), with its schema.
- ``network``: the association network with the evidence behind every link; peer groups
  (Leiden); adults linked to several children; children missing together.
- ``hotspots``: event and missing-found points on the British National Grid, binned to H3,
  Getis-Ord Gi* per harm type and window with permutation inference; emerging hotspots.
- ``trends``: counts by harm type, month, ward, age band, sex and ethnicity; seasonality.
- ``metrics``: NMI and ranking measures for the benchmarks and tests.

Everything derived about people is a candidate for professional review with its reasons,
never a score. Engines are adapters behind each package's small public API.
"""
