"""gunicorn's settings for the platform: ``gunicorn -c python:efh.config.gunicorn efh.config.wsgi``.

``make demo`` serves with these; production too (docs/deploying.md), with the environment saying
where to listen:
- ``EFH_BIND`` (default ``127.0.0.1:8000``): the address, or ``unix:/run/efh/gunicorn.sock``.
- ``WEB_CONCURRENCY`` (gunicorn's own, default 2): worker processes; ``EFH_THREADS`` (default 2):
  threads in each.
- ``EFH_FORWARDED_ALLOW_IPS`` (default ``127.0.0.1``): the reverse proxies whose
  ``X-Forwarded-*`` headers gunicorn trusts.
"""

import os

bind = os.environ.get("EFH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2))
threads = int(os.environ.get("EFH_THREADS", 2))
forwarded_allow_ips = os.environ.get("EFH_FORWARDED_ALLOW_IPS", "127.0.0.1")
# A request taking longer than this is stuck: its worker is restarted. Long jobs (imports, link
# runs, refreshes) run on the task worker, not in a request.
timeout = 60
graceful_timeout = 10
# Access log on standard output, errors on standard error: the service manager keeps both.
accesslog = "-"
errorlog = "-"
# Load the application before forking, so the workers share its memory and a settings error
# stops the server at once instead of in every worker.
preload_app = True
