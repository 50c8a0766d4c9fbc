"""Settings for socialpoll, driven by environment variables.

Development defaults (no variables set) are safe on a laptop: DEBUG on, SQLite under
``var/``, a throwaway secret key, mail printed to the console. ``DJANGO_DEBUG=0`` switches
to production behaviour: a secret key must be given and every ``check --deploy`` item is on.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SOCIALPOLL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def app_settings(*defaults: dict) -> dict:
    """The apps' own settings: their defaults (each app's conf.py, the one place a default is
    written), each overridden by an environment variable of the same name."""
    read = {bool: env_bool, int: env_int, float: env_float, list: env_list}
    values = {}
    for table in defaults:
        for name, default in table.items():
            value = read.get(type(default), env_str)(name, default)
            if isinstance(default, list) and default and isinstance(default[0], int):
                value = [int(item) for item in value]
            values[name] = value
    return values


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0 "
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "polls",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "socialpoll.middleware.DatabaseUnavailableMiddleware",
    "socialpoll.middleware.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.timezones.TimezoneMiddleware",
    "polls.voters.VoterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # In DEBUG (make run) the site's 404 page, with the detail in the console.
    "socialpoll.notfound.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "socialpoll.urls"
WSGI_APPLICATION = "socialpoll.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. Persistent connections
# with health checks: opening a PostgreSQL connection per request costs more than the page.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# runserver serves every browser connection in a thread of its own, with no limit, and each
# thread would keep its database connection between requests: 100 browsers at once used up
# PostgreSQL's 100 connections. Under runserver a connection lasts one request; gunicorn (a
# fixed number of workers and threads) and the other commands keep DJANGO_CONN_MAX_AGE.
if sys.argv[1:2] == ["runserver"]:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing with "database is locked" under concurrent votes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # Tests get a file, not Django's default shared-cache in-memory database: there a
    # second connection waiting for a writer fails at once ("database table is locked")
    # instead of waiting out the timeout, so concurrent-vote tests could not run. One file
    # per test process, in the temp dir, so parallel runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"socialpoll-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (rate limits, per-poll versions, cached pages and fragments): process-local memory by
# default, Redis when REDIS_URL is set so that every app server sees the same counters and
# versions. core.cache.ResilientRedisCache behaves as an empty cache while Redis is down, so
# an outage costs speed, never a 500 (docs/decisions.md); the short socket timeouts bound
# what a hung Redis costs a request.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "socialpoll"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "socialpoll",
        }
    }
# Sessions stay in the database: only signed-in trainers and staff have one (readers vote
# and comment without), and a session must never outlive a logout because a cache missed it.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files from the finders in development (and under the test runner).
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # messages.ERROR -> Bootstrap's "danger"

# Email: printed to the console in development; SMTP settings from the environment.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "socialpoll <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (email). Immediate in development and tests; production sets
# TASKS_BACKEND=database and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("TASKS_BACKEND") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Security. Production (DJANGO_DEBUG=0) gets every check --deploy item; behind a TLS
# proxy set DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security headers / CSP ------------------------------------------------------------
# A Content-Security-Policy on every response, in development too (so browser tests see
# violations), enforced rather than report-only. Scripts only from our own origin or with
# the per-request nonce that {% htmx_script %} puts on its tag; no 'unsafe-inline' and no
# 'unsafe-eval' for scripts. Styles: stylesheets only from our origin (or with the nonce,
# which htmx uses for its indicator rules); inline style *attributes* are allowed via
# style-src-attr so the server can draw result bars as `style="width: 42%"` without
# JavaScript. A style attribute cannot run script or load anything beyond img-src, and
# user Markdown never keeps a style attribute (nh3 strips it).
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Bootstrap draws form icons as data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("socialpoll.context_processors.csp_nonce")
# The moderation queue's size in the navigation and on the admin index (staff only, lazy).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("comments.context_processors.moderation_queue")
# The friendly page for a missing or stale CSRF token is templates/403_csrf.html, which
# Django's default CSRF_FAILURE_VIEW renders; every other header is set above
# (nosniff, Referrer-Policy, X-Frame-Options DENY, HSTS when DJANGO_DEBUG=0).

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- socialpoll ------------------------------------------------------------------------
SITE_NAME = "socialpoll"
# The site's address, for links in notification emails (`make run` sets it from PORT).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Trust the first X-Forwarded-For address for rate limits (only behind your own proxy).
RATELIMIT_TRUST_X_FORWARDED_FOR = env_bool("RATELIMIT_TRUST_X_FORWARDED_FOR", False)

# The apps' settings: defaults in core/conf.py, polls/conf.py and comments/conf.py; the
# environment may override each (README, "Configuration").
from comments.conf import DEFAULTS as COMMENTS_DEFAULTS  # noqa: E402
from core.conf import DEFAULTS as CORE_DEFAULTS  # noqa: E402
from polls.conf import DEFAULTS as POLLS_DEFAULTS  # noqa: E402

globals().update(app_settings(CORE_DEFAULTS, POLLS_DEFAULTS, COMMENTS_DEFAULTS))
