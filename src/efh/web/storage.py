"""Where ``efh collectstatic`` puts the static files and how they are named (settings.STORAGES)."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's: each file also under a name with its content's hash (served with a cache of a
    year, since a changed file gets a new name), gzip- and Brotli-compressed; references inside CSS
    and source maps are rewritten to the hashed names.

    JavaScript modules' imports are left as written (application.js imports
    ``./govuk-frontend.min.js``, served under that name with WhiteNoise's short cache): Django's
    rewriting of them misreads third-party bundles (django-htmx's extensions)."""
