"""System checks for the polls app's settings."""

from django.core.checks import Tags, Warning, register

from polls.embed import invalid_embed_origins


@register(Tags.security)
def check_embed_origins(app_configs, **kwargs) -> list[Warning]:
    """Each embed origin goes into a CSP header: only scheme://host[:port] may."""
    return [
        Warning(
            f"SOCIALPOLL_EMBED_ORIGINS has {origin!r}, which is not an origin; it is ignored.",
            hint="Write origins as https://blog.example.org (or https://*.example.org), "
            "comma-separated, without a path.",
            id="polls.W001",
        )
        for origin in invalid_embed_origins()
    ]
