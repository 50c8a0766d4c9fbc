"""Settings of the tutorial peer: `django-admin startproject`'s, with what bench/http.py
needs to serve it next to socialpoll under the same conditions.

Differences from the generated settings, and why:

* DEBUG off and a secret key from the environment (TUTORIAL_SECRET_KEY), as socialpoll
  runs in the benchmark;
* PostgreSQL from TUTORIAL_DATABASE_URL (its own database on the same server as
  socialpoll's), with the same persistent connections and health checks socialpoll has
  (CONN_MAX_AGE=60): the tutorial leaves them at their defaults, and opening a connection
  per request alone would make it several times slower (the issue measured 69 -> 520
  req/s), so only the app differs, not the connection handling;
* ALLOWED_HOSTS for 127.0.0.1 and the app itself in INSTALLED_APPS, as the tutorial adds.

CSRF protection is on (CsrfViewMiddleware, as generated): bench/http.py sends each vote a
CSRF cookie and the matching form token, as it does for socialpoll's votes.
"""

import os

import dj_database_url

SECRET_KEY = os.environ.get("TUTORIAL_SECRET_KEY", "bench-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "bench.tutorial_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bench.tutorial_site.urls"

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

WSGI_APPLICATION = "bench.tutorial_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TUTORIAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tutorial"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
