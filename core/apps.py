from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What both apps use: rate limits, per-poll cache versions, health and readiness,
    limits on signing in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "socialpoll core"

    def ready(self) -> None:
        # The deploy checks, and the count of failed sign-ins wherever they happen.
        from core import checks, signin  # noqa: F401
