"""Settings for the django-comments-xtd peer: as close to xtd's documented setup as we can.

DATABASE_URL-like input comes from XTD_DB_* variables set by bench/xtd_site/run.py.
"""

import os

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "rest_framework",
    "django_comments_xtd",
    "django_comments",
    "xtd_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "xtd_site.urls"
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
            ],
        },
    },
]

if os.environ.get("XTD_DB_ENGINE") == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["XTD_DB_NAME"],
            "USER": os.environ.get("XTD_DB_USER", "postgres"),
            "HOST": os.environ.get("XTD_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("XTD_DB_PORT", "5432"),
            "PASSWORD": os.environ.get("XTD_DB_PASSWORD", ""),
            # The same persistent connections socialpoll gets, so only the app differs.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # Its own schema, so it can share the benchmark database with socialpoll's side.
            "OPTIONS": {"options": f"-c search_path={os.environ.get('XTD_DB_SCHEMA', 'public')}"},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("XTD_DB_NAME", ":memory:"),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_URL = "static/"

COMMENTS_APP = "django_comments_xtd"
# socialpoll's depth limit counts levels from 1; xtd's thread level counts from 0.
COMMENTS_XTD_MAX_THREAD_LEVEL = int(os.environ.get("XTD_MAX_DEPTH", "3")) - 1
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_THREADED_EMAILS = False
COMMENTS_XTD_LIST_ORDER = ("thread_id", "order")
