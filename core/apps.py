from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What both apps use: rate limits, per-poll cache versions, health and readiness."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "socialpoll core"

    def ready(self) -> None:
        from core import checks  # noqa: F401 - registers the deploy checks
