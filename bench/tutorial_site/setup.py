"""Create the tutorial peer's tables and its question; print what bench/http.py needs.

    cd <project root> && TUTORIAL_DATABASE_URL=... python -m bench.tutorial_site.setup

Prints one JSON line: {"question": <id>, "choices": [<id>, ...]}. The database must exist
(bench/http.py creates and drops it). The app has no migrations of its own (like
bench/xtd_site), so its tables come from migrate --run-syncdb.
"""

import json
import os


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.tutorial_site.settings"
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.tutorial_site.models import Choice, Question

    call_command("migrate", run_syncdb=True, verbosity=0)
    question = Question.objects.create(
        question_text="How would you define social learning?",
        pub_date=timezone.now() - timedelta(days=1),
    )
    choices = Choice.objects.bulk_create(
        Choice(question=question, choice_text=f"Definition {i + 1}") for i in range(4)
    )
    print(json.dumps({"question": question.pk, "choices": [c.pk for c in choices]}))
    connection.close()


if __name__ == "__main__":
    main()
