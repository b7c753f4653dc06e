"""Settings for ``make bench``: the product's settings, served as in production.

Only what a benchmark needs differs from ``efh.config.settings``:

- ``ROOT_URLCONF`` is ``bench.urls``: the product's URLs plus one bare view (the floor), so no
  benchmark route is ever added to the product;
- ``DEBUG`` is off (no query log, no debug pages), as in production;
- database connections are kept for 60 s between requests, as ``EFH_ENV=production`` does, so
  the figures do not include a PostgreSQL connection per request.

Everything else (middleware, sessions saved on every request, the access log) is the product's.
"""

from efh.config.settings import *  # noqa: F403
from efh.config.settings import DATABASES

ROOT_URLCONF = "bench.urls"
DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 60
