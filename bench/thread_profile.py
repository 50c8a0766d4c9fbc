"""Where a thread page's time goes: one poll with N comments (bench/seed.py, the same
thread as bench/thread.py), the whole thread on one page, every cache emptied before each
render, three renders under cProfile; prints the functions of socialpoll and of Django's
template engine that take the time.

    .venv/bin/python bench/thread_profile.py            # N = 1000, SQLite in a temp folder
    .venv/bin/python bench/thread_profile.py --n 100
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))
sys.path.append(str(BENCH))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="socialpoll.settings",
        DATABASE_URL=f"sqlite:///{folder}/thread.sqlite3",
        SOCIALPOLL_VAR_DIR=folder,
        DJANGO_DEBUG="1",  # as bench/thread.py runs it (static files unbuilt)
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    import seed
    import threadspec
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from core.cache import cache
    from polls import pagecache

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"m{i}", email=f"m{i}@example.com", password="!")
        for i in range(threadspec.USER_POOL)
    )
    author = get_user_model().objects.create(username="trainer", password="!")
    poll = seed.seed_socialpoll(args.n, author=author, users=users, seed=2026, max_depth=3)
    settings.COMMENTS_PER_PAGE = 10**9
    client = Client()

    shown: list[int] = []

    def render() -> None:
        cache.clear()
        pagecache.clear_local()
        response = client.get(poll.get_absolute_url())
        assert response.status_code == 200
        shown.append(response.content.decode().count('id="comment-'))

    render()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    median = sorted(times)[2] * 1000
    print(f"n={args.n}: median whole-thread render {median:.0f} ms, {shown[-1]} comments shown")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        render()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(12)
    stats.sort_stats("cumulative").print_stats(r"(comments|polls|core)/", 12)


if __name__ == "__main__":
    main()
