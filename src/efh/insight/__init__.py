"""The intelligence picture in the platform: ``efh refresh`` runs the pure analytics
(:mod:`efh.intelligence`) on a snapshot of the database and stores what they derive (peer-group
candidates, adults linked to many children, co-missing clusters, hotspots, trends) with its
reasons and inputs, for analysts' pages, the child's record and ``efh export``.
"""
