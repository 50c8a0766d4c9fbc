"""Retrying notification emails that failed because the mail server could not be reached.

django-tasks (0.12) has no retry of its own: a task that raises is stored as FAILED and
stays so. The database worker (`manage.py db_worker`) sends `task_finished` after every
run; when a notification task in comments.tasks failed with a network or SMTP error
(OSError, which smtplib.SMTPException subclasses), this receiver enqueues the same task
with the same arguments again, to run after a growing delay. The failed attempts stay in
the task results (visible in the admin) so an operator can see the outage; after the last
delay the task is left failed and logged as given up.

Only backends that can defer (the database backend) retry; the immediate backend used in
development and tests runs tasks inline, where a retry loop would block the request.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished

logger = logging.getLogger("comments.delivery")

RETRIED_TASK_PREFIX = "comments.tasks."


def retry_delays() -> tuple[int, ...]:
    return tuple(settings.COMMENTS_DELIVERY_RETRY_DELAYS)


def is_delivery_error(exception_class_path: str) -> bool:
    """Network or SMTP trouble (worth retrying), as opposed to a bug in the task."""
    try:
        exception_class = import_string(exception_class_path)
    except ImportError:
        return False
    return isinstance(exception_class, type) and issubclass(exception_class, OSError)


def failed_attempts(task_result: TaskResult) -> int:
    """How many runs of this task with these arguments have failed so far."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task_result.task.module_path,
        status=TaskResultStatus.FAILED,
        args_kwargs={"args": task_result.args, "kwargs": task_result.kwargs},
    ).count()


def delivery_retry(task_result: TaskResult) -> TaskResult | None:
    """Enqueue the next attempt of a failed notification; None when it will not be retried."""
    task = task_result.task
    if not task.module_path.startswith(RETRIED_TASK_PREFIX):
        return None
    if not task_result.errors or not is_delivery_error(task_result.errors[-1].exception_class_path):
        return None
    if not task.get_backend().supports_defer:
        return None
    delays = retry_delays()
    failures = failed_attempts(task_result)
    if failures > len(delays):
        logger.error(
            "Giving up on %s%s after %d failed attempts",
            task.module_path,
            task_result.kwargs,
            failures,
        )
        return None
    run_after = timezone.now() + timedelta(seconds=delays[failures - 1])
    with transaction.atomic():
        retry = task.using(run_after=run_after).enqueue(*task_result.args, **task_result.kwargs)
    logger.warning(
        "Mail delivery failed for %s%s (attempt %d); retrying at %s",
        task.module_path,
        task_result.kwargs,
        failures,
        run_after.isoformat(),
    )
    return retry


@receiver(task_finished, dispatch_uid="comments.delivery.retry")
def _retry_failed_delivery(sender, task_result: TaskResult, **kwargs) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        delivery_retry(task_result)
    except Exception:
        # Never let the retry bookkeeping take the worker down.
        logger.exception("Could not schedule a retry for task %s", task_result.id)
