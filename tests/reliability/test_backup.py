"""Data safety: the demo data survives a dumpdata / loaddata round trip, as docs/operations.md
tells an operator to do it."""

import datetime
import io
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from comments.models import Comment
from polls.models import Ballot, Poll

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)

# The same command line as in docs/operations.md.
DUMP_OPTIONS = {
    "natural_foreign": True,
    "natural_primary": True,
    "exclude": ["contenttypes", "auth.permission", "sessions", "admin.logentry"],
    "indent": 1,
}
KEPT_APPS = ("auth", "polls", "comments")


def without_tokens(html: str) -> str:
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(r'("inlineStyleNonce": )"[^"]*"', r"\1", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'name="served" value="[^"]*"', "", html)


def to_milliseconds(value):
    # Django's JSON serialiser writes times to the millisecond (docs/operations.md says so).
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the apps that hold the site's data, field by field.

    Accounts, groups and permissions are dumped by natural key, so after a restore they may
    carry new ids; they are compared by name (username, group name, app + codename), and so
    is every reference to them.
    """
    by_name = {
        User: dict(User.objects.values_list("pk", "username")),
        Group: dict(Group.objects.values_list("pk", "name")),
        Permission: {
            pk: (app, codename)
            for pk, app, codename in Permission.objects.values_list(
                "pk", "content_type__app_label", "codename"
            )
        },
    }

    def named(model, value):
        return by_name[model].get(value, value) if model in by_name else value

    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in KEPT_APPS or model is Permission:
            continue
        fields = model._meta.concrete_fields
        targets = [model if f.primary_key else f.related_model for f in fields]
        rows[model._meta.label] = sorted(
            (
                tuple(
                    to_milliseconds(named(target, value))
                    for target, value in zip(targets, row, strict=True)
                )
                for row in model.objects.values_list(*[f.attname for f in fields])
            ),
            key=repr,
        )
        for m2m in model._meta.many_to_many:
            links = m2m.remote_field.through.objects.values_list(
                m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
            )
            rows[f"{model._meta.label}.{m2m.name}"] = sorted(
                (named(model, owner), named(m2m.related_model, target)) for owner, target in links
            )
    return rows


def test_demo_data_round_trips_through_dumpdata_and_loaddata(tmp_path, trainers_group):
    call_command("load_demo", force=True, stdout=io.StringIO())
    before = snapshot()
    assert Poll.objects.exists() and Ballot.objects.exists() and Comment.objects.exists()
    poll = Poll.objects.get()
    page_before = Client().get(poll.get_absolute_url()).content.decode()

    backup = tmp_path / "socialpoll.json"
    call_command("dumpdata", output=str(backup), **DUMP_OPTIONS)
    call_command("flush", interactive=False)
    assert not Poll.objects.exists()

    call_command("loaddata", str(backup), stdout=io.StringIO())
    cache.clear()  # a restore lands on a cold cache: the page below is built from the rows
    assert snapshot() == before
    page_after = Client().get(poll.get_absolute_url()).content.decode()
    assert poll.question in page_after
    assert page_after.count('<article id="comment-') > 0
    # The same page, down to the last comment (only per-response tokens differ).
    assert without_tokens(page_after) == without_tokens(page_before)


def test_restored_site_keeps_working_for_new_votes_and_users(tmp_path, trainers_group):
    """After a restore the id sequences are past the restored rows (no duplicate keys)."""
    from django.contrib.auth import get_user_model

    call_command("load_demo", force=True, stdout=io.StringIO())
    backup = tmp_path / "socialpoll.json"
    call_command("dumpdata", output=str(backup), **DUMP_OPTIONS)
    call_command("flush", interactive=False)
    call_command("loaddata", str(backup), stdout=io.StringIO())

    from polls.results import count_results, results_verify

    poll = Poll.objects.get()
    total = count_results(poll).total
    response = Client().post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk})
    assert response.status_code == 302
    assert count_results(poll).total == total + 1
    get_user_model().objects.create_user("after-restore", password="x" * 12)
    assert results_verify() == []


# --- the file- and server-level backups of docs/operations.md, on scratch databases -----

COUNTS = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
import django
django.setup()
from comments.models import Comment
from django.contrib.auth.models import User
from polls.models import Ballot, Choice, Poll
from polls.results import results_verify
print(Poll.objects.count(), Choice.objects.count(), Ballot.objects.count(),
      Comment.objects.count(), User.objects.count(), len(results_verify()))
"""


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = database_url
    command = (
        [sys.executable, "-c", COUNTS]
        if args == ("counts",)
        else [
            sys.executable,
            "manage.py",
            *args,
        ]
    )
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def demo_counts(database_url: str) -> list[int]:
    return [int(n) for n in manage(database_url, "counts").stdout.split()]


def test_sqlite_online_backup_copy_holds_everything(tmp_path):
    live = f"sqlite:///{tmp_path}/db.sqlite3"
    manage(live, "migrate", "--noinput")
    manage(live, "load_demo", "--force")
    subprocess.run(
        ["sqlite3", str(tmp_path / "db.sqlite3"), f".backup '{tmp_path}/backup.sqlite3'"],
        check=True,
        timeout=60,
    )
    original = demo_counts(live)
    assert original[2] > 0 and original[3] > 0 and original[-1] == 0
    assert demo_counts(f"sqlite:///{tmp_path}/backup.sqlite3") == original


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="pg_dump/pg_restore need PostgreSQL; the SQLite backup test above covers SQLite",
)
def test_pg_dump_and_pg_restore_bring_back_everything(tmp_path):
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    base = (parts.path.lstrip("/") or "socialpoll") + "_backup"
    source, target = f"{base}_src", f"{base}_dst"

    def url(name: str) -> str:
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

    def server(*args: str) -> None:
        subprocess.run(
            [
                *args,
                "-h",
                parts.hostname,
                "-p",
                str(parts.port or 5432),
                "-U",
                parts.username or "postgres",
            ],
            check=True,
            timeout=120,
            capture_output=True,
        )

    for name in (source, target):
        server("dropdb", "--if-exists", "--force", name)
    server("createdb", source)
    try:
        manage(url(source), "migrate", "--noinput")
        manage(url(source), "load_demo", "--force")
        dump = tmp_path / "socialpoll.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", url(source)],
            check=True,
            timeout=120,
        )
        server("createdb", target)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url(target)}", str(dump)],
            check=True,
            timeout=120,
        )
        original = demo_counts(url(source))
        assert original[2] > 0 and original[3] > 0 and original[-1] == 0
        assert demo_counts(url(target)) == original
    finally:
        for name in (source, target):
            server("dropdb", "--if-exists", "--force", name)
