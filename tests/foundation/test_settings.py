import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import processes

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str):
    return processes.run_python(code, forget=("DJANGO_", "DATABASE_URL"), **env)


SHOW_DB = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialpoll.settings';"
    "from django.conf import settings as s; d=s.DATABASES['default'];"
    "print(d['ENGINE'], d['NAME'], d.get('HOST',''), d.get('PORT',''), d.get('USER',''))"
)


def test_without_database_url_the_database_is_sqlite_under_var():
    result = run_python(SHOW_DB)
    engine, name, *_ = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "db.sqlite3"


def test_postgres_database_url_is_parsed():
    result = run_python(SHOW_DB, DATABASE_URL="postgres://alice@db.example.org:6543/polls")
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "polls",
        "db.example.org",
        "6543",
        "alice",
    ]


def test_sqlite_database_url_is_parsed(tmp_path):
    result = run_python(SHOW_DB, DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    engine, name, *_ = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == f"{tmp_path}/other.sqlite3"


def test_production_without_secret_key_refuses_to_start():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='socialpoll.settings';"
        "django.setup()",
        DJANGO_DEBUG="0",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "example.org",
            "REDIS_URL": "redis://127.0.0.1:6379/0",  # production has one shared cache
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_the_cache_is_not_shared_between_workers():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("DJANGO_") and k != "REDIS_URL"
            },
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "socialpoll.W001" in result.stderr + result.stdout
    assert "Set REDIS_URL" in result.stderr + result.stdout


@pytest.mark.parametrize("value", ["0", "false", "no", "off"])
def test_debug_is_off_for_falsy_values(value):
    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialpoll.settings';"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        DJANGO_DEBUG=value,
        DJANGO_SECRET_KEY="s" * 60,
    )
    assert result.stdout.split() == ["False", "True", "31536000"]


def test_redis_url_switches_the_cache_to_redis_that_never_fails_a_request():
    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialpoll.settings';"
        "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.stdout.strip() == "core.cache.ResilientRedisCache"


def test_app_settings_have_their_defaults_and_the_environment_overrides_them():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='socialpoll.settings';"
        "from django.conf import settings as s;"
        "print(s.COMMENTS_PER_PAGE, s.POLLS_VOTE_RATE_LIMIT, s.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS,"
        " '|'.join(s.COMMENTS_MODERATION_WORDS), s.COMMENTS_DELIVERY_RETRY_DELAYS[0] + 1)"
    )
    assert run_python(code).stdout.split() == [
        "50",
        "300",
        "True",
        "crypto|forex|backlink|seo",
        "services",
        "61",
    ]
    changed = run_python(
        code,
        COMMENTS_PER_PAGE="7",
        POLLS_VOTE_RATE_LIMIT="1000",
        COMMENTS_HOLD_FIRST_TIME_ANONYMOUS="0",
        COMMENTS_MODERATION_WORDS="alpha, beta",
        COMMENTS_DELIVERY_RETRY_DELAYS="5,10",
    )
    assert changed.stdout.split() == ["7", "1000", "False", "alpha|beta", "6"]


def conn_max_age(argv: list[str], **env: str) -> str:
    code = (
        f"import os, sys; sys.argv = {argv!r};"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'socialpoll.settings';"
        "from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    result = run_python(code, DATABASE_URL="postgres://alice@db.example.org/polls", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "argv",
    [["manage.py", "runserver"], ["manage.py", "runserver", "127.0.0.1:8101", "--noreload"]],
)
def test_runserver_closes_database_connections_after_each_request(argv):
    # runserver has a thread per browser connection and no limit on threads: connections
    # kept per thread ran PostgreSQL out of its 100 under 100 concurrent browsers.
    assert conn_max_age(argv) == "0"
    assert conn_max_age(argv, DJANGO_CONN_MAX_AGE="60") == "0"


@pytest.mark.parametrize(
    "argv",
    [
        [".venv/bin/gunicorn", "-c", "socialpoll/gunicorn.conf.py", "socialpoll.wsgi"],
        ["manage.py", "db_worker"],
        ["manage.py", "migrate"],
    ],
)
def test_other_processes_keep_connections_for_django_conn_max_age(argv):
    assert conn_max_age(argv) == "60"
    assert conn_max_age(argv, DJANGO_CONN_MAX_AGE="15") == "15"
