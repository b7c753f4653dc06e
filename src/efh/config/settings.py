"""Django settings, read from the environment with typed defaults.

Environment variables:
- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/efh``; SQLite under ``var/`` otherwise.
- ``EFH_ENV``: ``development`` (default) or ``production``. Production refuses to start without
  ``EFH_SECRET_KEY`` and ``EFH_ALLOWED_HOSTS``.
- ``EFH_SECRET_KEY``, ``EFH_ALLOWED_HOSTS`` (comma-separated), ``EFH_DEBUG`` (``1``/``0``).
- ``EFH_VAR_DIR``: where the SQLite database, the generated secret and the demo data live.
- ``EFH_IMPORT_BULK_ROWS``: size from which an import is a large load (default 100,000 rows).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
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
DEBUG = _flag("EFH_DEBUG", not PRODUCTION)
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
    "django_htmx",
    "efh.core",
    "efh.accounts",
    "efh.people",
    "efh.contexts",
    "efh.concerns",
    "efh.ingest",
    "efh.web",
    # Generates synthetic boroughs (management command only); nothing imports it.
    "efh.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "efh.web.context_processors.service",
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
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

SESSION_COOKIE_AGE = int(os.environ.get("EFH_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The front-end build (npm run build) writes here; nothing in it is committed.
STATICFILES_DIRS = [BASE_DIR / "var" / "frontend"]

# An import of at least this many rows, and more than are already stored, is a large load: on
# PostgreSQL its foreign keys are checked once after loading instead of row by row.
EFH_IMPORT_BULK_ROWS = int(os.environ.get("EFH_IMPORT_BULK_ROWS", 100_000))
# How long a break-glass access keeps a record open to the user who broke the glass.
EFH_BREAK_GLASS_MINUTES = int(os.environ.get("EFH_BREAK_GLASS_MINUTES", 120))

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
