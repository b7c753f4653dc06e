"""The casework app's URL patterns, one module per screen family (``casework.urls`` joins them
under the ``casework`` namespace)."""
