from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from comments import delivery  # noqa: F401 - connects the mail-delivery retry
