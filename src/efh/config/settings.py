"""Django settings, read from the environment with typed defaults.

Environment variables:
- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/efh``; SQLite under ``var/`` otherwise.
- ``EFH_ENV``: ``development`` (default) or ``production``. Production refuses to start without
  ``EFH_SECRET_KEY`` and ``EFH_ALLOWED_HOSTS``.
- ``EFH_SECRET_KEY``, ``EFH_ALLOWED_HOSTS`` (comma-separated).
- ``EFH_DEBUG`` (``1``/``0``, default ``0``): Django's debug pages and static files from the
  sources, for a developer who asks for them; never in production.
- Production only (``EFH_ENV=production``; docs/deploying.md):
  ``EFH_SSL_REDIRECT`` (default ``1``): redirect plain HTTP to HTTPS (``0`` where the reverse proxy
  already does); ``EFH_PROXY_SSL_HEADER`` (e.g. ``X-Forwarded-Proto``): the header with which a
  reverse proxy that terminates TLS says a request came over HTTPS (its value must be ``https``);
  set it only behind such a proxy, which must overwrite the header on every request.
  ``EFH_HSTS_SECONDS`` (default 31536000, a year), ``EFH_HSTS_INCLUDE_SUBDOMAINS`` (default
  ``1``), ``EFH_HSTS_PRELOAD`` (default ``0``): HTTP Strict Transport Security.
- The web server's (gunicorn's; read by ``efh.config.gunicorn``, not here): ``EFH_BIND`` (default
  ``127.0.0.1:8000``), ``WEB_CONCURRENCY`` (worker processes, default 2), ``EFH_THREADS`` (threads
  per worker, default 2), ``EFH_FORWARDED_ALLOW_IPS`` (proxies trusted for ``X-Forwarded-*``,
  default ``127.0.0.1``).
- ``EFH_MAP_TILE_URL`` / ``EFH_MAP_TILE_ATTRIBUTION``: a tile server for the maps (none by
  default: nothing is fetched from elsewhere); its origin is added to the Content-Security-Policy's
  ``img-src``.
- ``EFH_VAR_DIR``: where the SQLite database, the generated secret, the collected static files
  (``static/``) and the demo data live.
- ``EFH_IMPORT_BULK_ROWS``: size from which an import is a large load (default 100,000 rows).
- ``EFH_SESSION_SECONDS`` (default 1800) and ``EFH_SESSION_WARNING_SECONDS`` (default 120): idle
  sign-out, and how long before it the timeout warning shows.
- ``EFH_LOCKOUT_FAILURES`` (default 5) and ``EFH_LOCKOUT_MINUTES`` (default 15): sign-in lockout.
- ``EFH_TASKS_BACKEND``: the task runner's backend (default the database queue that
  ``efh db_worker`` works through).
- ``EFH_LINK_MODEL``: the saved linkage model (default ``var/linkage/model.json``);
  ``EFH_LINK_UPPER`` / ``EFH_LINK_LOWER``: match-weight thresholds overriding the model's own
  (at or above the upper one, records are linked automatically; between the two, the pair goes to
  clerical review; below the lower one, they are left apart).
- ``EFH_POSTCODE_AREAS`` (comma-separated, default ``E,EC,N``: City & Hackney): the postcode
  areas a place in the partnership's area can have. Where something happened must have one of
  them; a postcode elsewhere (a child's home address, where a child was found) need only be a
  real UK postcode.
- ``EFH_AREA_BOUNDS`` (``south,west,north,east`` in WGS84 degrees, default
  ``51.46,-0.19,51.63,0.06``: the City of London and Hackney with about 5 km around them): a
  point typed or chosen on a map must fall inside it.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("EFH_VAR_DIR", BASE_DIR / "var"))
ENV = os.environ.get("EFH_ENV", "development")
PRODUCTION = ENV == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    key = os.environ.get("EFH_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("EFH_SECRET_KEY must be set when EFH_ENV=production")
    # Development: a random key kept under var/ so sessions survive a restart.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
# Off unless a developer asks (EFH_DEBUG=1): `make demo` serves as production does, so a mistyped
# URL gets the service's own 404 page, not Django's debug page with the URL list.
DEBUG = _flag("EFH_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("EFH_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(
        ","
    )
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("EFH_ALLOWED_HOSTS must be set when EFH_ENV=production")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The task runner (Django's tasks framework, backported) and its database queue: long jobs
    # started from the web run on `efh db_worker`.
    "django_tasks",
    "django_tasks_db",
    "efh.core",
    "efh.accounts",
    "efh.people",
    "efh.contexts",
    "efh.concerns",
    "efh.casework",
    "efh.panel",
    "efh.ingest",
    "efh.insight",
    "efh.audit",
    "efh.pages",
    "efh.web",
    # Generates synthetic boroughs (management command only); nothing imports it.
    "efh.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (collected into STATIC_ROOT) before anything else reads the request.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy (CONTENT_SECURITY_POLICY below) and request.csp_nonce.
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store on every page and export (static files are answered above).
    "efh.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed two-factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A person the user has no need to know about: the need-to-know page, from any view.
    "efh.people.middleware.NeedToKnowMiddleware",
    # Sends a user who must (or chose to) use two-factor to enrol or verify before anything else.
    "efh.accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the sign-in page's error.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "efh.config.urls"
WSGI_APPLICATION = "efh.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "efh.pages.context_processors.service",
                # CSP_NONCE: the nonce of the page's one inline script (web/base.html).
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'efh.sqlite3'}"),
        conn_max_age=0 if not PRODUCTION else 60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while an import writes; a busy timeout instead of
    # "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

SESSION_COOKIE_AGE = int(os.environ.get("EFH_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
# Signed-in pages warn this long before the session runs out (accounts/session_timeout.html).
EFH_SESSION_WARNING_SECONDS = int(os.environ.get("EFH_SESSION_WARNING_SECONDS", 120))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A form refused by the CSRF check: the service's page, not Django's (efh.web.errors).
CSRF_FAILURE_VIEW = "efh.web.errors.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production is served over HTTPS only (docs/deploying.md). Strict Transport Security tells
# browsers so for a year; preloading (into browsers' built-in lists) is a commitment for the
# whole domain that is the domain owner's to make, so it is opt-in.
SECURE_SSL_REDIRECT = PRODUCTION and _flag("EFH_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("EFH_HSTS_SECONDS", 365 * 24 * 3600)) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION and _flag("EFH_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = PRODUCTION and _flag("EFH_HSTS_PRELOAD", False)
if os.environ.get("EFH_PROXY_SSL_HEADER"):
    # e.g. X-Forwarded-Proto -> ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["EFH_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# `efh collectstatic` (part of `make setup`) copies the static files here, each also under a name
# with its content's hash and compressed; WhiteNoise serves them, the hashed names with a cache
# of a year. (With EFH_DEBUG=1 they come straight from the sources instead.)
STATIC_ROOT = VAR_DIR / "static"
# The front-end build (npm run build) writes here; nothing in it is committed.
STATICFILES_DIRS = [BASE_DIR / "var" / "frontend"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "efh.web.storage.StaticFilesStorage"},
}

# An import of at least this many rows, and more than are already stored, is a large load: on
# PostgreSQL its foreign keys are checked once after loading instead of row by row.
EFH_IMPORT_BULK_ROWS = int(os.environ.get("EFH_IMPORT_BULK_ROWS", 100_000))
# How long a break-glass access keeps a record open to the user who broke the glass.
EFH_BREAK_GLASS_MINUTES = int(os.environ.get("EFH_BREAK_GLASS_MINUTES", 120))
# Map tiles for the maps (e.g. a partnership's own tile server, "https://tiles.example/{z}/{x}/{y}.png").
# Empty: no tiles and nothing fetched from the internet; places are given as latitude/longitude.
EFH_POSTCODE_AREAS = os.environ.get("EFH_POSTCODE_AREAS", "E,EC,N")
EFH_AREA_BOUNDS = os.environ.get("EFH_AREA_BOUNDS", "51.46,-0.19,51.63,0.06")
EFH_MAP_TILE_URL = os.environ.get("EFH_MAP_TILE_URL", "")
EFH_MAP_TILE_ATTRIBUTION = os.environ.get("EFH_MAP_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> str | None:
    """The origin a tile URL template loads from, as a CSP source: ``{s}.tiles.example`` (a
    template's subdomain placeholder) becomes ``*.tiles.example``."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return None
    host = re.sub(r"\{[a-z]+\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


# Content-Security-Policy (django-csp): no inline script but the one with the page's nonce (GOV.UK
# Frontend's "js-enabled" line in web/base.html), no inline styles at all (every rule is in
# application.css; tests/web/test_templates_csp.py keeps templates so), no eval, no plugins, no
# framing, forms post only here. Leaflet and Cytoscape set styles through the CSSOM, which a
# policy allows; data: images are GOV.UK Frontend's and Leaflet's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *filter(None, [_tile_origin(EFH_MAP_TILE_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# How to reach the front door urgently, shown after a concern is recorded (e.g. a phone number).
EFH_FRONT_DOOR_CONTACT = os.environ.get(
    "EFH_FRONT_DOOR_CONTACT", "the front door (Multi-Agency Safeguarding Hub) by phone"
)

# The task runner: tasks wait in the database until `efh db_worker` runs them
# (EFH_TASKS_BACKEND: another django-tasks backend, e.g. the immediate one, which runs a task as
# soon as it is queued, in the web process).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("EFH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Identity linkage (``efh link``; docs/linkage.md).
EFH_LINK_MODEL = Path(os.environ.get("EFH_LINK_MODEL", VAR_DIR / "linkage" / "model.json"))
EFH_LINK_UPPER = float(os.environ["EFH_LINK_UPPER"]) if os.environ.get("EFH_LINK_UPPER") else None
EFH_LINK_LOWER = float(os.environ["EFH_LINK_LOWER"]) if os.environ.get("EFH_LINK_LOWER") else None

# Lockout (django-axes): this many failed sign-ins for one username lock it for this long.
# Locked by username alone: staff in one office share an IP address. `efh unlock <username>`
# lifts a lock early.
EFH_LOCKOUT_FAILURES = int(os.environ.get("EFH_LOCKOUT_FAILURES", 5))
EFH_LOCKOUT_MINUTES = int(os.environ.get("EFH_LOCKOUT_MINUTES", 15))
AXES_FAILURE_LIMIT = EFH_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=EFH_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A try while locked does not restart the clock, so the real user is not kept out by retrying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "efh.accounts.views.sign_in_locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# axes.W006 asks for the IP address as a lockout parameter too; we leave it out on purpose
# (above), since one office's staff would lock each other out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    # security.W021 asks for HSTS preloading; it is opt-in (EFH_HSTS_PRELOAD, above).
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if PRODUCTION and not SECURE_SSL_REDIRECT:
    # security.W008 asks for the HTTPS redirect; EFH_SSL_REDIRECT=0 says the proxy does it.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Two-factor (django-otp, TOTP): switched on per role with Role.requires_mfa (`efh mfa`).
OTP_TOTP_ISSUER = os.environ.get("EFH_OTP_ISSUER", "EFH")

SERVICE_NAME = os.environ.get(
    "EFH_SERVICE_NAME", "Safeguarding adolescents from extra-familial harm"
)
PARTNERSHIP_NAME = os.environ.get(
    "EFH_PARTNERSHIP_NAME", "City & Hackney Safeguarding Children Partnership"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EFH_LOG_LEVEL", "WARNING")},
}

# Casework (issue 12). Plan types: code -> (name, weeks between reviews).
CASEWORK_PLAN_TYPES = {
    "safety": ("Safety plan", int(os.environ.get("EFH_SAFETY_PLAN_REVIEW_WEEKS", "6"))),
    "child_protection": ("Child protection plan", 12),
    "child_in_need": ("Child in need plan", 12),
}
# The front door takes in concerns and referrals that occurred on or after this date (ISO date;
# empty: every one). A partnership importing years of history sets it to its go-live date.
FRONT_DOOR_FROM = os.environ.get("EFH_FRONT_DOOR_FROM", "")
